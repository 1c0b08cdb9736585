//! `/users`: what the compromised-user playbook calls. Get a user (with
//! `$select`), PATCH `accountEnabled` and `passwordProfile` (204),
//! `revokeSignInSessions` (200, `value: true`), the inbox's
//! `messageRules` (list, DELETE 204) and `mailboxSettings`.
//!
//! Mailbox-level forwarding (`ForwardingSmtpAddress`) is an Exchange
//! setting: v1.0 `mailboxSettings` documents no forwarding property and no
//! Graph call changes it, so the simulator keeps it in `/_sim/state` only
//! and never serves it, exactly what a real tenant shows through Graph.
//!
//! Permissions: each path accepts the application permissions its docs
//! list (least and higher privileged), checked against the tenant's
//! granted set (`/_sim/tenants/{t}/permissions` denies some). Directory
//! refusals are 403 `Authorization_RequestDenied`, Exchange ones 403
//! `ErrorAccessDenied`, as Graph answers them. Simplified: GDAP roles are
//! not checked on these paths, and the User Administrator role the docs
//! ask of an app resetting passwords is assumed.
//!
//! The `user` and `messageRule` types are not in the shared security
//! schema subset, so the conformance test does not validate these bodies;
//! they follow the v1.0 docs pages instead.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Map, Value};

mod mailbox;

use super::Caller;
use crate::clock::format_time;
use crate::data::users::{Directory, User};
use crate::state::AppState;
use crate::wire::{context, ok_json, with_context, GraphError};
use crate::world::World;

/// The `/v1.0/users` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/users/{user}", get(get_one).patch(patch))
        .route("/v1.0/users/{user}/revokeSignInSessions", post(revoke))
        .route(
            "/v1.0/users/{user}/mailFolders/{folder}/messageRules",
            get(mailbox::list_rules),
        )
        .route(
            "/v1.0/users/{user}/mailFolders/{folder}/messageRules/{rule}",
            delete(mailbox::delete_rule),
        )
        .route("/v1.0/users/{user}/mailboxSettings", get(mailbox::settings))
}

const READ_USERS: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const ENABLE_DISABLE: &[&str] = &[
    "User.EnableDisableAccount.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const SET_PASSWORD: &[&str] = &[
    "User-PasswordProfile.ReadWrite.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const REVOKE: &[&str] = &[
    "User.RevokeSessions.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// Properties a user body has without `$select` (v1.0 defaults).
const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Which API answers: Entra (directory) or Exchange (mailbox).
#[derive(Clone, Copy)]
enum Service {
    Directory,
    Exchange,
}

fn denied(service: Service) -> GraphError {
    match service {
        Service::Directory => GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
        Service::Exchange => GraphError::new(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        ),
    }
}

/// The caller's directory and the user's index, after the permission
/// check (Graph refuses a missing permission before looking anything up).
fn locate(
    world: &mut World,
    caller: &Caller,
    key: &str,
    any_of: &[&str],
    service: Service,
) -> Result<(usize, usize), GraphError> {
    let tenant = world
        .tenants
        .iter()
        .position(|t| t.id().eq_ignore_ascii_case(&caller.tenant_id))
        .ok_or_else(|| user_not_found(key))?;
    let directory = &world.tenants[tenant].directory;
    if !directory.allows(any_of) {
        return Err(denied(service));
    }
    let user = directory.find(key).ok_or_else(|| user_not_found(key))?;
    Ok((tenant, user))
}

fn user_not_found(key: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
    )
}

fn directory(world: &mut World, tenant: usize) -> &mut Directory {
    &mut world.tenants[tenant].directory
}

/// `GET /users/{id | userPrincipalName}`.
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, GraphError> {
    let select = selected(caller.query.as_deref());
    let mut world = state.world();
    let (tenant, index) = locate(&mut world, &caller, &key, READ_USERS, Service::Directory)?;
    let user = &directory(&mut world, tenant).users[index];
    let body = user_body(user, select.as_deref())?;
    let ctx = context(state.base_url(), "users/$entity");
    Ok(ok_json(with_context(ctx, body)))
}

/// The `$select` list, if any.
fn selected(query: Option<&str>) -> Option<Vec<String>> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("select"))
        .map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect())
}

/// A user body with the default properties, or exactly the selected ones.
fn user_body(user: &User, select: Option<&[String]>) -> Result<Value, GraphError> {
    let (given, surname) = user
        .display_name
        .split_once(' ')
        .unwrap_or((&user.display_name, ""));
    let all = json!({
        "businessPhones": [], "displayName": user.display_name, "givenName": given,
        "jobTitle": null, "mail": user.has_mailbox.then_some(&user.upn), "mobilePhone": null,
        "officeLocation": null, "preferredLanguage": "en-US", "surname": surname,
        "userPrincipalName": user.upn, "id": user.id, "accountEnabled": user.account_enabled,
        "userType": "Member", "lastPasswordChangeDateTime": user.password_changed,
        "signInSessionsValidFromDateTime": user.sessions_valid_from,
        "passwordPolicies": null,
    });
    let names: Vec<&str> = match select {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => DEFAULT_PROPERTIES.to_vec(),
    };
    let mut body = Map::new();
    for name in names {
        let Some(value) = all.get(name) else {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.user'."
            )));
        };
        body.insert(name.to_string(), value.clone());
    }
    Ok(Value::Object(body))
}

/// `PATCH /users/{id}`: `accountEnabled` and `passwordProfile` only.
async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let changes = parse_patch(&body)?;
    let mut needed: Vec<&[&str]> = Vec::new();
    if changes.contains_key("accountEnabled") {
        needed.push(ENABLE_DISABLE);
    }
    if changes.contains_key("passwordProfile") {
        needed.push(SET_PASSWORD);
    }
    let mut world = state.world();
    let first = needed.first().copied().unwrap_or(READ_USERS);
    let (tenant, index) = locate(&mut world, &caller, &key, first, Service::Directory)?;
    if needed
        .iter()
        .any(|any_of| !world.tenants[tenant].directory.allows(any_of))
    {
        return Err(denied(Service::Directory));
    }
    let now = format_time(world.stamper.next());
    let user = &mut directory(&mut world, tenant).users[index];
    if let Some(enabled) = changes.get("accountEnabled").and_then(Value::as_bool) {
        user.account_enabled = enabled;
    }
    if let Some(profile) = changes.get("passwordProfile") {
        user.password = profile["password"].as_str().unwrap_or_default().to_string();
        user.force_change_password = profile["forceChangePasswordNextSignIn"]
            .as_bool()
            .unwrap_or(false);
        user.password_changed = now;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn parse_patch(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(format!("Invalid JSON in the request body: {e}")))?;
    let Value::Object(map) = parsed else {
        return Err(GraphError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    for (key, value) in &map {
        match key.as_str() {
            "accountEnabled" if value.is_boolean() => {}
            "passwordProfile" => check_password_profile(value)?,
            "accountEnabled" => {
                return Err(bad(
                    "Invalid value specified for property 'accountEnabled' of resource 'User'.",
                ))
            }
            // Only the two properties the playbook writes are simulated.
            other => {
                return Err(bad(format!(
                "Property '{other}' does not exist as a declared property or extension property."
            )))
            }
        }
    }
    Ok(map)
}

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}

/// Entra's default policy for cloud accounts: 8-256 characters from the
/// allowed set, with three of upper, lower, digit and symbol.
fn check_password_profile(profile: &Value) -> Result<(), GraphError> {
    let Some(password) = profile["password"].as_str() else {
        return Err(bad(
            "Invalid value specified for property 'passwordProfile' of resource 'User'.",
        ));
    };
    const SYMBOLS: &str = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> ";
    let length = password.chars().count();
    let allowed = password
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || SYMBOLS.contains(c));
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| SYMBOLS.contains(c)),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    if !(8..=256).contains(&length) || !allowed || classes < 3 {
        return Err(bad(
            "The specified password does not comply with password complexity requirements. Please provide a different password.",
        ));
    }
    Ok(())
}

/// `POST /users/{id}/revokeSignInSessions`.
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    let (tenant, index) = locate(&mut world, &caller, &key, REVOKE, Service::Directory)?;
    let now = format_time(world.stamper.next());
    directory(&mut world, tenant).users[index].sessions_valid_from = now;
    let ctx = context(state.base_url(), "Edm.Boolean");
    Ok(ok_json(json!({ "@odata.context": ctx, "value": true })))
}
