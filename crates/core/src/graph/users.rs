//! Entra users and their mailboxes, for the compromised-user playbook:
//! read a user, block sign-in, revoke sign-in sessions, set a temporary
//! password, list and delete inbox rules, and look for mailbox-level
//! forwarding.
//!
//! Every call returns the [`Exchange`] the audit log records next to its
//! result, reads included, so that an "already so" outcome can show
//! Microsoft's answer too. The password reset's exchange carries
//! `"password": "[redacted]"`: the real value is only in the request body
//! on the wire and in the returned [`TemporaryPassword`].

mod password;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::http::encode;
use super::wire::{decode, Page};
use super::{Error, Exchange, GraphClient};

pub use password::{meets_entra_policy, TemporaryPassword};

/// The properties the playbook reads. `accountEnabled` is not among a
/// user's default properties in v1.0, so it must be named in `$select`.
const USER_SELECT: &str = "id,userPrincipalName,displayName,accountEnabled";

/// What the audit log shows instead of the password.
pub const REDACTED: &str = "[redacted]";

/// A user as the playbook needs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    /// Entra object id; every later call uses it.
    pub id: String,
    /// The UPN as Entra spells it.
    pub user_principal_name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `false` when sign-in is blocked; `None` if Graph did not say.
    pub account_enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserWire {
    id: String,
    user_principal_name: Option<String>,
    display_name: Option<String>,
    account_enabled: Option<bool>,
}

/// One address an inbox rule sends mail to, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Forward {
    /// `forwardTo`, `redirectTo` or `forwardAsAttachmentTo`.
    pub action: String,
    /// The recipient's address.
    pub address: String,
}

/// An inbox rule (`messageRule`), reduced to what decides its fate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxRule {
    /// Exchange's rule id.
    pub id: String,
    /// The rule's name.
    pub display_name: String,
    /// Whether the rule runs.
    pub is_enabled: bool,
    /// Whether the rules API may change it.
    pub is_read_only: bool,
    /// Where it sends mail; empty for rules that do not forward.
    pub forwarding: Vec<Forward>,
}

impl InboxRule {
    /// True when the rule forwards, redirects or forwards as attachment.
    pub fn forwards(&self) -> bool {
        !self.forwarding.is_empty()
    }

    /// "forwardTo a@x, redirectTo b@y", for reports.
    pub fn describe_forwarding(&self) -> String {
        let parts: Vec<String> = self
            .forwarding
            .iter()
            .map(|f| format!("{} {}", f.action, f.address))
            .collect();
        parts.join(", ")
    }

    fn from_wire(raw: &Value) -> Result<InboxRule, Error> {
        let id = raw["id"].as_str().ok_or_else(|| Error::Decode {
            what: "inbox rule".into(),
            detail: "id is missing".into(),
        })?;
        let mut forwarding = Vec::new();
        for action in ["forwardTo", "redirectTo", "forwardAsAttachmentTo"] {
            // The CSDL makes all three collections; an old docs page shows
            // redirectTo as a single recipient, so both shapes are read.
            let recipients = match &raw["actions"][action] {
                Value::Array(list) => list.clone(),
                Value::Null => Vec::new(),
                single => vec![single.clone()],
            };
            for recipient in recipients {
                let address = recipient["emailAddress"]["address"]
                    .as_str()
                    .unwrap_or("(no address)");
                forwarding.push(Forward {
                    action: action.to_string(),
                    address: address.to_string(),
                });
            }
        }
        Ok(InboxRule {
            id: id.to_string(),
            display_name: raw["displayName"].as_str().unwrap_or_default().to_string(),
            is_enabled: raw["isEnabled"].as_bool().unwrap_or(true),
            is_read_only: raw["isReadOnly"].as_bool().unwrap_or(false),
            forwarding,
        })
    }
}

/// What Graph shows of mailbox-level forwarding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "address")]
pub enum MailboxForwarding {
    /// `mailboxSettings` named a forwarding address. v1.0 documents no
    /// such property; this is read in case Microsoft adds one.
    Address(String),
    /// The mailbox exists, and Graph does not expose its forwarding
    /// (`ForwardingSmtpAddress` / `ForwardingAddress` are Exchange
    /// settings); it has to be checked in Exchange.
    NotVisible,
}

impl GraphClient {
    /// One user by object id or UPN, with `accountEnabled`.
    pub async fn get_user(
        &self,
        tenant: &str,
        id_or_upn: &str,
    ) -> (Exchange, Result<DirectoryUser, Error>) {
        let path = format!("/users/{}", encode(id_or_upn));
        let query = [("$select", USER_SELECT.to_string())];
        let (exchange, reply) = self
            .inner
            .send_audited(Method::GET, tenant, &path, &query, None, None)
            .await;
        let result = reply.and_then(|reply| {
            let wire: UserWire = decode(&reply.body, "user")?;
            Ok(DirectoryUser {
                user_principal_name: wire
                    .user_principal_name
                    .unwrap_or_else(|| id_or_upn.to_string()),
                id: wire.id,
                display_name: wire.display_name,
                account_enabled: wire.account_enabled,
            })
        });
        (exchange, result)
    }

    /// Blocks sign-in: `PATCH /users/{id}` with `accountEnabled: false`
    /// (204 No Content).
    pub async fn disable_sign_in(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> (Exchange, Result<(), Error>) {
        let path = format!("/users/{}", encode(user_id));
        let body = json!({ "accountEnabled": false });
        let (exchange, reply) = self
            .inner
            .send_audited(Method::PATCH, tenant, &path, &[], Some(body), None)
            .await;
        (exchange, reply.map(|_| ()))
    }

    /// Invalidates the user's refresh tokens and session cookies:
    /// `POST /users/{id}/revokeSignInSessions`, which answers `value: true`.
    pub async fn revoke_sessions(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> (Exchange, Result<(), Error>) {
        let path = format!("/users/{}/revokeSignInSessions", encode(user_id));
        let (exchange, reply) = self
            .inner
            .send_audited(Method::POST, tenant, &path, &[], None, None)
            .await;
        let result = reply.and_then(|reply| {
            let answer: Value = decode(&reply.body, "revokeSignInSessions")?;
            match answer["value"].as_bool() {
                Some(true) => Ok(()),
                // The docs only show `true`; anything else is not a success.
                _ => Err(Error::Api {
                    status: reply.status,
                    code: String::new(),
                    message: format!("Graph did not confirm the revocation: {answer}"),
                    request_id: reply.request_id.clone(),
                }),
            }
        });
        (exchange, result)
    }

    /// Sets a generated temporary password the user must change at next
    /// sign-in. The exchange for the audit log has the password redacted.
    pub async fn reset_password(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> (Exchange, Result<TemporaryPassword, Error>) {
        let password = TemporaryPassword::generate();
        let profile = |secret: &str| {
            json!({ "passwordProfile": {
                "forceChangePasswordNextSignIn": true,
                "password": secret,
            }})
        };
        let path = format!("/users/{}", encode(user_id));
        let (exchange, reply) = self
            .inner
            .send_audited(
                Method::PATCH,
                tenant,
                &path,
                &[],
                Some(profile(password.expose())),
                Some(profile(REDACTED)),
            )
            .await;
        (exchange, reply.map(|_| password))
    }

    /// The rules of the user's inbox, every page.
    pub async fn list_inbox_rules(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> (Exchange, Result<Vec<InboxRule>, Error>) {
        let path = format!("/users/{}/mailFolders/inbox/messageRules", encode(user_id));
        let (exchange, reply) = self
            .inner
            .send_audited(Method::GET, tenant, &path, &[], None, None)
            .await;
        let page = match reply.and_then(|r| decode::<Page<Value>>(&r.body, "inbox rules")) {
            Ok(page) => page,
            Err(error) => return (exchange, Err(error)),
        };
        let mut raw = page.value;
        if let Some(link) = page.next_link {
            match self.rest_of_rules(tenant, &link).await {
                Ok(more) => raw.extend(more),
                Err(error) => return (exchange, Err(error)),
            }
        }
        let rules = raw.iter().map(InboxRule::from_wire).collect();
        (exchange, rules)
    }

    /// Deletes one inbox rule (204 No Content).
    pub async fn delete_inbox_rule(
        &self,
        tenant: &str,
        user_id: &str,
        rule_id: &str,
    ) -> (Exchange, Result<(), Error>) {
        let path = format!(
            "/users/{}/mailFolders/inbox/messageRules/{}",
            encode(user_id),
            encode(rule_id)
        );
        let (exchange, reply) = self
            .inner
            .send_audited(Method::DELETE, tenant, &path, &[], None, None)
            .await;
        (exchange, reply.map(|_| ()))
    }

    /// Reads `mailboxSettings` to see whether Graph shows mailbox-level
    /// forwarding. In v1.0 it never does (see [`MailboxForwarding`]); the
    /// call still proves the mailbox exists and the permission is there.
    pub async fn mailbox_forwarding(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> (Exchange, Result<MailboxForwarding, Error>) {
        let path = format!("/users/{}/mailboxSettings", encode(user_id));
        let (exchange, reply) = self
            .inner
            .send_audited(Method::GET, tenant, &path, &[], None, None)
            .await;
        let result = reply.and_then(|reply| {
            let settings: Value = decode(&reply.body, "mailbox settings")?;
            Ok(match settings["forwardingSmtpAddress"].as_str() {
                Some(address) if !address.is_empty() => MailboxForwarding::Address(address.into()),
                _ => MailboxForwarding::NotVisible,
            })
        });
        (exchange, result)
    }

    /// Follows a rules nextLink, which must stay on the Graph host: the
    /// bearer token never goes anywhere else.
    async fn rest_of_rules(&self, tenant: &str, link: &str) -> Result<Vec<Value>, Error> {
        let base = self.inner.config.graph_url.trim_end_matches('/');
        if !link.starts_with(base) {
            return Err(Error::Decode {
                what: "inbox rules".into(),
                detail: "@odata.nextLink points away from the Graph host".into(),
            });
        }
        let url = url::Url::parse(link).map_err(|e| Error::Decode {
            what: "inbox rules".into(),
            detail: format!("@odata.nextLink: {e}"),
        })?;
        self.inner.get_all(tenant, url, "inbox rules").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_that_forward_redirect_or_attach_are_recognised() {
        let raw = json!({
            "id": "AQAAAJ5dZqA=", "displayName": "From partner", "isEnabled": true,
            "actions": {
                "forwardTo": [{"emailAddress": {"name": "A", "address": "a@x.example"}}],
                "redirectTo": {"emailAddress": {"address": "b@y.example"}},
                "forwardAsAttachmentTo": [],
                "stopProcessingRules": true
            }
        });
        let plain =
            json!({"id": "AQAAAJ5dZp8=", "displayName": "Spam", "actions": {"delete": true}});

        let rule = InboxRule::from_wire(&raw).unwrap();
        let other = InboxRule::from_wire(&plain).unwrap();

        assert!(rule.forwards());
        assert_eq!(
            rule.describe_forwarding(),
            "forwardTo a@x.example, redirectTo b@y.example"
        );
        assert!(!other.forwards());
    }
}
