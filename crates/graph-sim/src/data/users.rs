//! A customer tenant's directory for the remediation endpoints: one Entra
//! user per person of the organisation (the same UPNs that appear as
//! assignees and in evidence), their inbox rules, their Exchange-only
//! mailbox forwarding, and the app permissions the tenant granted.
//!
//! Generated from the tenant id with its own seeded generator, so adding
//! it changed nothing else a seed produces. The pattern is fixed so tests
//! find every case: every user has a harmless rule; every fourth (from the
//! second) forwards invoices outside; every fourth (from the third) has a
//! hidden `.` rule that redirects and forwards as attachment; every third
//! (from the third) forwards at mailbox level; every sixth (from the
//! sixth) is already disabled; the twelfth has no mailbox.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::names::LURE_DOMAINS;
use super::org::Org;
use super::rng::Gen;
use crate::clock::format_time;

/// Every application permission the user endpoints check. A tenant grants
/// all of them unless the control API denies some.
pub const PERMISSIONS: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "User.EnableDisableAccount.All",
    "User-PasswordProfile.ReadWrite.All",
    "User.RevokeSessions.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "MailboxSettings.Read",
    "MailboxSettings.ReadWrite",
];

/// One Entra user with an Exchange Online mailbox (or none).
#[derive(Debug, Clone)]
pub struct User {
    /// Object id (the person's id in evidence, too).
    pub id: String,
    /// User principal name.
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// `false` when sign-in is blocked.
    pub account_enabled: bool,
    /// The current password. Never served, never in `/_sim/state`.
    pub password: String,
    /// Set by a password reset that asks for it.
    pub force_change_password: bool,
    /// `lastPasswordChangeDateTime`.
    pub password_changed: String,
    /// `signInSessionsValidFromDateTime`; moved by revokeSignInSessions.
    pub sessions_valid_from: String,
    /// Whether Exchange Online has a mailbox for the user.
    pub has_mailbox: bool,
    /// Inbox rules as `messageRule` bodies.
    pub rules: Vec<Value>,
    /// Exchange's `ForwardingSmtpAddress`: mailbox-level forwarding that
    /// Graph v1.0 neither returns nor changes (see `graph::users`).
    pub forwarding_smtp_address: Option<String>,
}

/// The users of one tenant and the permissions it withholds.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Users, one per distinct UPN.
    pub users: Vec<User>,
    /// Permissions the control API took away.
    pub denied: BTreeSet<String>,
}

/// A seed from the tenant id (FNV-1a), independent of the world's seed
/// stream.
fn seed_of(tenant_id: &str) -> u64 {
    tenant_id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Directory {
    /// The directory of `org`, anchored at `now`.
    pub fn generate(org: &Org, now: DateTime<Utc>) -> Directory {
        let mut gen = Gen::new(seed_of(&org.tenant_id));
        let mut users: Vec<User> = Vec::new();
        for person in &org.people {
            if users
                .iter()
                .any(|u| u.upn.eq_ignore_ascii_case(&person.upn))
            {
                continue;
            }
            let i = users.len();
            let local = person
                .upn
                .split('@')
                .next()
                .unwrap_or_default()
                .to_lowercase();
            let lure = *gen.pick(LURE_DOMAINS);
            let has_mailbox = i != 11;
            let mut rules = Vec::new();
            if has_mailbox {
                rules.push(newsletter_rule(&mut gen));
                if i % 4 == 1 {
                    rules.push(forward_rule(&mut gen, &format!("{local}.archive@{lure}")));
                }
                if i % 4 == 2 {
                    rules.push(hidden_rule(&mut gen, &format!("{local}@{lure}")));
                }
            }
            users.push(User {
                id: person.object_id.clone(),
                upn: person.upn.clone(),
                display_name: person.display_name.clone(),
                account_enabled: i % 6 != 5,
                password: format!("Init-{}!a", gen.hex(12)),
                force_change_password: false,
                password_changed: format_time(gen.before(now, 86_400 * 10, 86_400 * 200)),
                sessions_valid_from: format_time(gen.before(now, 86_400 * 10, 86_400 * 200)),
                forwarding_smtp_address: (has_mailbox && i % 3 == 2)
                    .then(|| format!("smtp:{local}.fwd@{lure}")),
                has_mailbox,
                rules,
            });
        }
        Directory {
            users,
            denied: BTreeSet::new(),
        }
    }

    /// Index of a user by object id or UPN (case-insensitive).
    pub fn find(&self, key: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.id.eq_ignore_ascii_case(key) || u.upn.eq_ignore_ascii_case(key))
    }

    /// Whether the tenant grants at least one of `any_of`.
    pub fn allows(&self, any_of: &[&str]) -> bool {
        any_of
            .iter()
            .any(|p| PERMISSIONS.contains(p) && !self.denied.contains(*p))
    }

    /// Granted permissions, for the control API.
    pub fn granted(&self) -> Vec<&'static str> {
        PERMISSIONS
            .iter()
            .copied()
            .filter(|p| !self.denied.contains(*p))
            .collect()
    }

    /// The truth for `/_sim/state`: everything but passwords.
    pub fn truth(&self) -> Value {
        let users: Vec<Value> = self.users.iter().map(User::truth).collect();
        json!({ "users": users, "deniedPermissions": self.denied })
    }
}

impl User {
    fn truth(&self) -> Value {
        json!({
            "id": self.id,
            "userPrincipalName": self.upn,
            "displayName": self.display_name,
            "accountEnabled": self.account_enabled,
            "forceChangePasswordNextSignIn": self.force_change_password,
            "lastPasswordChangeDateTime": self.password_changed,
            "signInSessionsValidFromDateTime": self.sessions_valid_from,
            "hasMailbox": self.has_mailbox,
            "inboxRules": self.rules,
            "forwardingSmtpAddress": self.forwarding_smtp_address,
        })
    }

    /// True when any inbox rule forwards, redirects or forwards as
    /// attachment.
    pub fn has_forwarding_rule(&self) -> bool {
        self.rules.iter().any(forwards)
    }
}

/// Whether a `messageRule` sends mail elsewhere.
pub fn forwards(rule: &Value) -> bool {
    ["forwardTo", "redirectTo", "forwardAsAttachmentTo"]
        .iter()
        .any(|a| {
            rule["actions"][*a]
                .as_array()
                .is_some_and(|l| !l.is_empty())
        })
}

/// An Exchange rule id: base64 of a small binary key, as the docs' samples.
fn rule_id(gen: &mut Gen) -> String {
    format!("AQAAA{}=", gen.hex(7))
}

fn recipient(address: &str) -> Value {
    json!({ "emailAddress": { "name": address, "address": address } })
}

fn rule(gen: &mut Gen, name: &str, sequence: i32, conditions: Value, actions: Value) -> Value {
    json!({
        "id": rule_id(gen),
        "displayName": name,
        "sequence": sequence,
        "isEnabled": true,
        "hasError": false,
        "isReadOnly": false,
        "conditions": conditions,
        "actions": actions,
    })
}

fn newsletter_rule(gen: &mut Gen) -> Value {
    rule(
        gen,
        "Newsletters",
        1,
        json!({ "senderContains": ["newsletter", "noreply"] }),
        json!({ "markAsRead": true, "stopProcessingRules": false }),
    )
}

/// The classic business-email-compromise rule: invoices copied outside.
fn forward_rule(gen: &mut Gen, to: &str) -> Value {
    rule(
        gen,
        "Invoices",
        2,
        json!({ "subjectContains": ["invoice", "payment"] }),
        json!({ "forwardTo": [recipient(to)], "stopProcessingRules": false }),
    )
}

/// An attacker's rule named "." that redirects and hides the originals.
fn hidden_rule(gen: &mut Gen, to: &str) -> Value {
    rule(
        gen,
        ".",
        3,
        json!({ "bodyOrSubjectContains": ["wire", "bank", "transfer"] }),
        json!({
            "redirectTo": [recipient(to)],
            "forwardAsAttachmentTo": [recipient(to)],
            "markAsRead": true,
            "stopProcessingRules": true,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_the_tests_need_is_generated() {
        let mut gen = Gen::new(3);
        let org = Org::generate(&mut gen, 0);
        let directory = Directory::generate(&org, Utc::now());

        let users = &directory.users;
        assert!(users.iter().any(|u| u.has_forwarding_rule()));
        assert!(users.iter().any(|u| !u.account_enabled));
        assert!(users.iter().any(|u| u.forwarding_smtp_address.is_some()));
        assert!(users
            .iter()
            .any(|u| u.has_mailbox && !u.has_forwarding_rule()));
        assert_eq!(directory.find(&users[0].upn.to_uppercase()), Some(0));
    }

    #[test]
    fn the_same_tenant_gets_the_same_directory() {
        let mut gen = Gen::new(3);
        let org = Org::generate(&mut gen, 0);
        let now = Utc::now();

        let a = Directory::generate(&org, now);
        let b = Directory::generate(&org, now);

        assert_eq!(a.truth(), b.truth());
    }
}
