//! `/v1.0/users`: lookup with `$select`, blocking sign-in, password reset
//! with Entra's complexity rule, session revocation, inbox rules, the
//! mailbox settings that do not show mailbox-level forwarding, and the
//! per-tenant permission knob.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Harness, TestResult};

/// The managed tenant's token and its users from `/_sim/state`.
async fn users(h: &Harness) -> TestResult<(String, String, Vec<Value>)> {
    let (tenant, token) = h.managed().await?;
    let truth = h.truth().await?;
    let users = truth["tenants"]
        .as_array()
        .ok_or("tenants")?
        .iter()
        .find(|t| t["tenantId"] == tenant.as_str())
        .and_then(|t| t["users"].as_array().cloned())
        .ok_or("users")?;
    Ok((tenant, token, users))
}

fn forwarding(user: &Value) -> bool {
    user["inboxRules"].as_array().is_some_and(|rules| {
        rules.iter().any(|r| {
            ["forwardTo", "redirectTo", "forwardAsAttachmentTo"]
                .iter()
                .any(|a| r["actions"][*a].as_array().is_some_and(|l| !l.is_empty()))
        })
    })
}

#[tokio::test]
async fn a_user_is_found_by_upn_in_any_case_and_select_adds_account_enabled() -> TestResult {
    let h = Harness::small().await?;
    let (_, token, users) = users(&h).await?;
    let upn = users[0]["userPrincipalName"].as_str().ok_or("upn")?;

    let plain = h
        .get(&token, &format!("/v1.0/users/{}", upn.to_uppercase()))
        .await?;
    let selected = h
        .get(
            &token,
            &format!("/v1.0/users/{upn}?$select=id,accountEnabled"),
        )
        .await?;
    let wrong = h
        .get(&token, &format!("/v1.0/users/{upn}?$select=shoeSize"))
        .await?;
    let missing = h.get(&token, "/v1.0/users/nobody@nowhere.example").await?;

    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.body["id"], users[0]["id"]);
    assert!(
        plain.body.get("accountEnabled").is_none(),
        "not a default property"
    );
    assert_eq!(selected.body["accountEnabled"], users[0]["accountEnabled"]);
    assert!(
        selected.body.get("displayName").is_none(),
        "only what was selected"
    );
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["error"]["code"], "Request_ResourceNotFound");
    Ok(())
}

#[tokio::test]
async fn disabling_resetting_and_revoking_change_the_truth() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token, users) = users(&h).await?;
    let user = users
        .iter()
        .find(|u| u["accountEnabled"] == true)
        .ok_or("enabled")?;
    let id = user["id"].as_str().ok_or("id")?;
    let path = format!("/v1.0/users/{id}");
    let strong = "Tr0ub4dor&3-horse";

    let disabled = h
        .send(
            Method::PATCH,
            &token,
            &path,
            &json!({"accountEnabled": false}),
        )
        .await?;
    let weak = h
        .send(
            Method::PATCH,
            &token,
            &path,
            &json!({"passwordProfile": {"password": "password"}}),
        )
        .await?;
    let reset = h
        .send(
            Method::PATCH,
            &token,
            &path,
            &json!({"passwordProfile": {"password": strong, "forceChangePasswordNextSignIn": true}}),
        )
        .await?;
    let revoked = h
        .send(
            Method::POST,
            &token,
            &format!("{path}/revokeSignInSessions"),
            &json!({}),
        )
        .await?;
    let check = h
        .control(
            &format!("/tenants/{tenant}/users/{id}/check-password"),
            &json!({"password": strong}),
        )
        .await?;
    let after = users_after(&h, &tenant, id).await?;
    let log = h
        .http
        .get(format!("{}/_sim/requests", h.sim.url()))
        .send()
        .await?
        .text()
        .await?;

    assert_eq!(disabled.status, StatusCode::NO_CONTENT);
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert_eq!(weak.body["error"]["code"], "Request_BadRequest");
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(revoked.body["value"], true);
    assert_eq!(check.body["matches"], true);
    assert_eq!(check.body["forceChangePasswordNextSignIn"], true);
    assert_eq!(after["accountEnabled"], false);
    assert_ne!(
        after["signInSessionsValidFromDateTime"],
        user["signInSessionsValidFromDateTime"]
    );
    assert!(
        after.get("password").is_none(),
        "the state never shows a password"
    );
    assert!(!log.contains(strong), "the request log masks the password");
    Ok(())
}

async fn users_after(h: &Harness, tenant: &str, id: &str) -> TestResult<Value> {
    let truth = h.truth().await?;
    truth["tenants"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["tenantId"] == tenant))
        .and_then(|t| t["users"].as_array())
        .and_then(|us| us.iter().find(|u| u["id"] == id).cloned())
        .ok_or_else(|| "user in state".into())
}

#[tokio::test]
async fn forwarding_rules_are_listed_and_deleted_and_mailbox_forwarding_stays_hidden() -> TestResult
{
    let h = Harness::small().await?;
    let (tenant, token, users) = users(&h).await?;
    let user = users
        .iter()
        .find(|u| forwarding(u))
        .ok_or("a forwarding user")?;
    let id = user["id"].as_str().ok_or("id")?;
    let rules_path = format!("/v1.0/users/{id}/mailFolders/inbox/messageRules");
    let hidden = users
        .iter()
        .find(|u| u["forwardingSmtpAddress"].is_string())
        .ok_or("mailbox-level forwarding")?;

    let listed = h.get(&token, &rules_path).await?;
    let rule = listed.body["value"]
        .as_array()
        .and_then(|rules| {
            rules
                .iter()
                .find(|r| forwarding(&json!({"inboxRules": [r]})))
        })
        .ok_or("a forwarding rule")?;
    let rule_id = rule["id"].as_str().ok_or("rule id")?;
    let deleted = h
        .http
        .delete(format!("{}{rules_path}/{rule_id}", h.sim.url()))
        .bearer_auth(&token)
        .send()
        .await?;
    let again = h
        .http
        .delete(format!("{}{rules_path}/{rule_id}", h.sim.url()))
        .bearer_auth(&token)
        .send()
        .await?;
    let settings = h
        .get(
            &token,
            &format!(
                "/v1.0/users/{}/mailboxSettings",
                hidden["id"].as_str().unwrap_or_default()
            ),
        )
        .await?;
    let after = users_after(&h, &tenant, id).await?;

    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(settings.status, StatusCode::OK);
    let text = settings.body.to_string();
    assert!(
        !text.to_lowercase().contains("forward"),
        "no forwarding in mailboxSettings: {text}"
    );
    assert!(after["inboxRules"]
        .as_array()
        .is_some_and(|r| r.iter().all(|x| x["id"] != rule_id)));
    Ok(())
}

#[tokio::test]
async fn a_denied_permission_turns_exactly_its_calls_into_403() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token, users) = users(&h).await?;
    let user = users
        .iter()
        .find(|u| forwarding(u))
        .ok_or("a forwarding user")?;
    let id = user["id"].as_str().ok_or("id")?;
    let rule = user["inboxRules"][0]["id"].as_str().ok_or("rule")?;

    let knob = h
        .control(
            &format!("/tenants/{tenant}/permissions"),
            &json!({"denied": ["MailboxSettings.ReadWrite"]}),
        )
        .await?;
    let list = h
        .get(
            &token,
            &format!("/v1.0/users/{id}/mailFolders/inbox/messageRules"),
        )
        .await?;
    let delete = h
        .http
        .delete(format!(
            "{}/v1.0/users/{id}/mailFolders/inbox/messageRules/{rule}",
            h.sim.url()
        ))
        .bearer_auth(&token)
        .send()
        .await?;
    let delete_body: Value = delete.json().await.unwrap_or(Value::Null);
    let directory_knob = h
        .control(
            &format!("/tenants/{tenant}/permissions"),
            &json!({"denied": ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]}),
        )
        .await?;
    let revoke = h
        .send(
            Method::POST,
            &token,
            &format!("/v1.0/users/{id}/revokeSignInSessions"),
            &json!({}),
        )
        .await?;
    let unknown = h
        .control(
            &format!("/tenants/{tenant}/permissions"),
            &json!({"denied": ["Everything.All"]}),
        )
        .await?;

    assert_eq!(knob.status, StatusCode::OK);
    assert_eq!(
        list.status,
        StatusCode::OK,
        "MailboxSettings.Read still lists"
    );
    assert_eq!(delete_body["error"]["code"], "ErrorAccessDenied");
    assert_eq!(
        directory_knob.body["denied"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(revoke.status, StatusCode::FORBIDDEN);
    assert_eq!(revoke.body["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    Ok(())
}
