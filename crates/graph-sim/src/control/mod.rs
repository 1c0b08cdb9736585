//! The control API under `/_sim/` (no authentication): tests and the
//! desktop demo use it to change the world while a client is running
//! against it, to read the simulator's truth, to switch faults, and to
//! read the request log. Answers are plain `application/json`.

mod events;
mod roles;
mod users;

use axum::extract::{Query as QueryParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::FaultConfig;
use crate::graph::incidents_expanded;
use crate::state::AppState;
use crate::world::Tenant;

/// The `/_sim` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/_sim/tenants/{tenant}/incidents/{incident}/reopen",
            post(events::reopen),
        )
        .route(
            "/_sim/tenants/{tenant}/incidents",
            post(events::new_incident),
        )
        .route("/_sim/tenants/{tenant}/touch", post(events::touch_tenant))
        .route("/_sim/touch", post(events::touch_all))
        .route(
            "/_sim/tenants/{tenant}/grant-security-roles",
            post(roles::grant),
        )
        .route(
            "/_sim/tenants/{tenant}/revoke-security-roles",
            post(roles::revoke),
        )
        .route(
            "/_sim/devicecode/{user_code}/approve",
            post(crate::identity::approve_device_code),
        )
        .route("/_sim/tokens/expire", post(expire_tokens))
        .route("/_sim/tokens", get(tokens))
        .route("/_sim/tenants/{tenant}/token-failure", post(token_failure))
        .route("/_sim/tenants/{tenant}/malformed", post(malformed))
        .route(
            "/_sim/tenants/{tenant}/permissions",
            get(users::permissions).post(users::set_permissions),
        )
        .route(
            "/_sim/tenants/{tenant}/users/{user}/check-password",
            post(users::check_password),
        )
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/state", get(state))
        .route("/_sim/faults", get(get_faults).post(set_faults))
}

/// A control-API error: `{"error": "..."}` with a status.
pub fn fail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// 404 for an unknown tenant id.
pub fn no_tenant(id: &str) -> Response {
    fail(StatusCode::NOT_FOUND, format!("unknown tenant '{id}'"))
}

/// Parses an optional JSON body (empty = `{}`); the error is the message
/// of a 400 answer.
pub fn optional_json(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))
}

async fn expire_tokens(State(state): State<AppState>) -> Response {
    state.world().auth.expire_all();
    Json(json!({ "expired": true })).into_response()
}

async fn tokens(State(state): State<AppState>) -> Response {
    let (access, refresh) = state.world().auth.issued();
    Json(json!({ "accessTokens": access, "refreshTokens": refresh })).into_response()
}

/// `{"failing": true|false}` (default true).
async fn token_failure(
    State(state): State<AppState>,
    axum::extract::Path(tenant): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let failing = match optional_json(&body) {
        Ok(v) => v["failing"].as_bool().unwrap_or(true),
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let mut world = state.world();
    if world.tenant(&tenant).is_none() {
        return no_tenant(&tenant);
    }
    world.auth.set_failing(&tenant, failing);
    Json(json!({ "tenantId": tenant.to_lowercase(), "failing": failing })).into_response()
}

/// `{"mode": "nextLinkLoop" | "raw" | "none", "body": "..."}`.
async fn malformed(
    State(state): State<AppState>,
    axum::extract::Path(tenant): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let mode: crate::malformed::Malformed = match serde_json::from_slice(&body) {
        Ok(mode) => mode,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("invalid mode: {e}")),
    };
    if state.world().tenant(&tenant).is_none() {
        return no_tenant(&tenant);
    }
    let key = tenant.to_lowercase();
    let label = mode.label();
    match mode {
        crate::malformed::Malformed::None => state.malformed().remove(&key),
        other => state.malformed().insert(key.clone(), other),
    };
    Json(json!({ "tenantId": key, "mode": label })).into_response()
}

async fn requests(State(state): State<AppState>) -> Response {
    let log = state.log().clone();
    Json(json!({ "value": log })).into_response()
}

async fn clear_requests(State(state): State<AppState>) -> Response {
    state.log().clear();
    StatusCode::NO_CONTENT.into_response()
}

/// `?tenant=ID` limits `/_sim/state` to one tenant.
#[derive(Deserialize)]
struct StateFilter {
    tenant: Option<String>,
}

async fn state(
    State(state): State<AppState>,
    QueryParams(filter): QueryParams<StateFilter>,
) -> Response {
    let world = state.world();
    let tenants: Vec<Value> = world
        .tenants
        .iter()
        .filter(|t| {
            filter
                .tenant
                .as_deref()
                .is_none_or(|id| t.id().eq_ignore_ascii_case(id))
        })
        .map(tenant_truth)
        .collect();
    let partner = &world.partner;
    Json(json!({
        "partner": { "tenantId": partner.tenant_id, "displayName": partner.display_name,
                     "domain": partner.domain, "user": partner.user_upn },
        "clientId": world.settings.client_id,
        "tenants": tenants,
    }))
    .into_response()
}

fn tenant_truth(t: &Tenant) -> Value {
    let access = match t.access() {
        crate::roles::Access::None => "none",
        crate::roles::Access::Read => "read",
        crate::roles::Access::Write => "write",
    };
    let standalone: Vec<&Value> = t
        .alerts
        .iter()
        .filter(|a| a["incidentId"].is_null())
        .collect();
    let directory = t.directory.truth();
    json!({
        "tenantId": t.id(),
        "displayName": t.org.display_name,
        "domains": t.domains(),
        "consented": t.consented,
        "roles": t.roles(),
        "securityAccess": access,
        "relationships": t.relationships,
        "incidents": incidents_expanded(t),
        "standaloneAlerts": standalone,
        "secureScores": t.secure_scores,
        "recommendations": t.control_profiles,
        "users": directory["users"],
        "deniedPermissions": directory["deniedPermissions"],
    })
}

async fn get_faults(State(state): State<AppState>) -> Response {
    Json(state.faults()).into_response()
}

/// Merges the posted fields into the current fault settings, so a test
/// can switch one fault without restating the others.
async fn set_faults(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let patch = match optional_json(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return fail(StatusCode::BAD_REQUEST, "expected a JSON object"),
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let mut current = serde_json::to_value(state.faults()).unwrap_or_else(|_| json!({}));
    for (key, value) in patch {
        current[key] = value;
    }
    let faults: FaultConfig = match serde_json::from_value(current) {
        Ok(f) => f,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("invalid faults: {e}")),
    };
    if let Err(message) = faults.validate() {
        return fail(StatusCode::BAD_REQUEST, message);
    }
    state.set_faults(faults.clone());
    tracing::info!(?faults, "faults changed");
    Json(faults).into_response()
}
