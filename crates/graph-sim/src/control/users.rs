//! Control of the directories behind `/v1.0/users`: the permissions a
//! tenant withholds from the app (so a test can make one playbook step
//! answer 403), and a sign-in check that tells whether a password is the
//! user's current one without the simulator ever revealing it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{fail, no_tenant, optional_json};
use crate::data::users::PERMISSIONS;
use crate::state::AppState;

/// `GET /_sim/tenants/{t}/permissions`: granted and denied permissions.
pub async fn permissions(State(state): State<AppState>, Path(tenant): Path<String>) -> Response {
    let world = state.world();
    let Some(found) = world.tenant(&tenant) else {
        return no_tenant(&tenant);
    };
    let directory = &found.directory;
    Json(json!({
        "tenantId": found.id(),
        "granted": directory.granted(),
        "denied": directory.denied,
    }))
    .into_response()
}

/// `POST /_sim/tenants/{t}/permissions` `{"denied": ["MailboxSettings.ReadWrite", ...]}`:
/// replaces the denied set (`[]` grants everything again).
pub async fn set_permissions(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let denied = match optional_json(&body) {
        Ok(v) => match names(&v["denied"]) {
            Ok(list) => list,
            Err(message) => return fail(StatusCode::BAD_REQUEST, message),
        },
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    {
        let mut world = state.world();
        let Some(found) = world.tenant_mut(&tenant) else {
            return no_tenant(&tenant);
        };
        found.directory.denied = denied.into_iter().collect();
    }
    tracing::info!(tenant, "permissions changed");
    permissions(State(state), Path(tenant)).await
}

fn names(value: &Value) -> Result<Vec<String>, String> {
    let list = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        _ => return Err("`denied` must be a list of permission names".into()),
    };
    list.iter()
        .map(|v| match v.as_str() {
            Some(name) if PERMISSIONS.contains(&name) => Ok(name.to_string()),
            _ => Err(format!(
                "unknown permission {v}; known: {}",
                PERMISSIONS.join(", ")
            )),
        })
        .collect()
}

/// `POST /_sim/tenants/{t}/users/{user}/check-password` `{"password": "..."}`
/// → `{"matches": bool, "forceChangePasswordNextSignIn": bool}`.
pub async fn check_password(
    State(state): State<AppState>,
    Path((tenant, user)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let password = match optional_json(&body) {
        Ok(v) => v["password"].as_str().unwrap_or_default().to_string(),
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let world = state.world();
    let Some(found) = world.tenant(&tenant) else {
        return no_tenant(&tenant);
    };
    let Some(index) = found.directory.find(&user) else {
        return fail(StatusCode::NOT_FOUND, format!("unknown user '{user}'"));
    };
    let user = &found.directory.users[index];
    Json(json!({
        "matches": !password.is_empty() && user.password == password,
        "forceChangePasswordNextSignIn": user.force_change_password,
    }))
    .into_response()
}
