//! `POST /{tenant}/oauth2/v2.0/token` (client credentials, refresh token,
//! device code) and `POST /{tenant}/oauth2/v2.0/devicecode`, with the
//! AADSTS errors Entra answers for the failures an MSP app meets.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{DeviceCode, TokenError, DEVICE_CODE_LIFETIME};
use crate::state::AppState;
use crate::wire::TOKEN_CONTENT_TYPE;
use crate::world::World;

const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

type Form = HashMap<String, String>;

fn parse_form(body: &[u8]) -> Form {
    form_urlencoded::parse(body).into_owned().collect()
}

fn token_json(body: Value) -> Response {
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static(TOKEN_CONTENT_TYPE),
    );
    response
}

fn down() -> TokenError {
    TokenError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
    )
}

fn missing(param: &str) -> TokenError {
    TokenError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{param}'."),
    )
}

fn unknown_tenant(segment: &str) -> TokenError {
    TokenError::new(StatusCode::BAD_REQUEST, "invalid_request", 90002, format!(
        "Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."))
}

fn app_not_found(client_id: &str, tenant: &str) -> TokenError {
    TokenError::new(StatusCode::BAD_REQUEST, "unauthorized_client", 700016, format!(
        "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."))
}

/// What a tenant switched to failing answers (control API): a
/// Conditional Access policy for workload identities blocking the app,
/// one of the ways a single tenant's tokens stop working overnight.
fn blocked() -> TokenError {
    TokenError::new(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
    )
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    body: Bytes,
) -> Response {
    if state.faults().token_endpoint_down {
        return down().into_response();
    }
    let form = parse_form(&body);
    let mut world = state.world();
    let result = grant(&mut world, &segment, &form);
    match result {
        Ok(body) => token_json(body),
        Err(error) => error.into_response(),
    }
}

fn grant(world: &mut World, segment: &str, form: &Form) -> Result<Value, TokenError> {
    // The multi-tenant aliases sign the partner's user in at home; client
    // credentials need a real tenant and get 90002 like any unknown name.
    let delegated = form
        .get("grant_type")
        .is_some_and(|g| g != "client_credentials");
    let tenant_id = match segment {
        "organizations" | "common" if delegated => Some(world.partner.tenant_id.clone()),
        other => world.resolve_tenant(other),
    }
    .ok_or_else(|| unknown_tenant(segment))?;
    if world.auth.is_failing(&tenant_id) {
        return Err(blocked());
    }
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| missing("grant_type"))?;
    let client_id = form.get("client_id").ok_or_else(|| missing("client_id"))?;
    if *client_id != world.settings.client_id {
        return Err(app_not_found(client_id, &tenant_id));
    }
    match grant_type.as_str() {
        "client_credentials" => client_credentials(world, &tenant_id, form),
        "refresh_token" => refresh(world, &tenant_id, form),
        DEVICE_GRANT => device_poll(world, &tenant_id, form),
        other => Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn check_scope(form: &Form) -> Result<(), TokenError> {
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let graph = scope
        .split(' ')
        .any(|s| s.eq_ignore_ascii_case(GRAPH_DEFAULT_SCOPE));
    if !graph {
        return Err(TokenError::new(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")));
    }
    Ok(())
}

fn check_secret(world: &World, form: &Form, required: bool) -> Result<(), TokenError> {
    match form.get("client_secret") {
        None if required => Err(TokenError::new(StatusCode::UNAUTHORIZED, "invalid_client", 7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")),
        Some(secret) if *secret != world.settings.client_secret => Err(TokenError::new(
            StatusCode::UNAUTHORIZED, "invalid_client", 7000215, format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
            world.settings.client_id))),
        _ => Ok(()),
    }
}

/// Consent check for a customer tenant; the partner tenant is the app's home.
fn check_consent(world: &World, tenant_id: &str) -> Result<(), TokenError> {
    if tenant_id == world.partner.tenant_id {
        return Ok(());
    }
    match world.tenant(tenant_id) {
        Some(t) if t.consented && t.has_active_relationship() => Ok(()),
        _ => Err(app_not_found(&world.settings.client_id, tenant_id)),
    }
}

fn client_credentials(
    world: &mut World,
    tenant_id: &str,
    form: &Form,
) -> Result<Value, TokenError> {
    check_scope(form)?;
    check_consent(world, tenant_id)?;
    check_secret(world, form, true)?;
    let lifetime = world.settings.token_lifetime_secs;
    let token = world.auth.issue_access(
        &mut world.gen,
        tenant_id,
        None,
        Duration::from_secs(lifetime),
    );
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": token,
    }))
}

/// Delegated tokens for a customer need an active GDAP relationship (the
/// partner user's way in) and the app's consent in that tenant.
fn check_delegated(world: &World, tenant_id: &str) -> Result<(), TokenError> {
    if tenant_id == world.partner.tenant_id {
        return Ok(());
    }
    let tenant = world
        .tenant(tenant_id)
        .ok_or_else(|| unknown_tenant(tenant_id))?;
    if !tenant.has_active_relationship() {
        return Err(TokenError::new(StatusCode::BAD_REQUEST, "invalid_grant", 50020, format!(
            "User account '{}' from identity provider 'https://sts.windows.net/{}/' does not exist in tenant '{}' and cannot access the application in that tenant.",
            world.partner.user_upn, world.partner.tenant_id, tenant.org.display_name)));
    }
    if !tenant.consented {
        return Err(TokenError::new(StatusCode::BAD_REQUEST, "invalid_grant", 65001, format!(
            "The user or administrator has not consented to use the application with ID '{}'. Send an interactive authorization request for this user and resource.",
            world.settings.client_id)));
    }
    Ok(())
}

fn delegated_tokens(world: &mut World, tenant_id: &str, user: &str) -> Value {
    let lifetime = world.settings.token_lifetime_secs;
    let access = world.auth.issue_access(
        &mut world.gen,
        tenant_id,
        Some(user),
        Duration::from_secs(lifetime),
    );
    let refresh = world.auth.issue_refresh(&mut world.gen, user);
    json!({
        "token_type": "Bearer",
        "scope": "https://graph.microsoft.com/.default",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
        "refresh_token": refresh,
    })
}

fn refresh(world: &mut World, tenant_id: &str, form: &Form) -> Result<Value, TokenError> {
    let token = form
        .get("refresh_token")
        .ok_or_else(|| missing("refresh_token"))?;
    check_secret(world, form, false)?;
    let grant = world.auth.refresh.get(token).cloned().ok_or_else(|| {
        TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    if grant.expires <= Instant::now() {
        return Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            700082,
            "The refresh token has expired due to inactivity.",
        ));
    }
    check_delegated(world, tenant_id)?;
    Ok(delegated_tokens(world, tenant_id, &grant.user))
}

fn device_poll(world: &mut World, tenant_id: &str, form: &Form) -> Result<Value, TokenError> {
    let code = form
        .get("device_code")
        .ok_or_else(|| missing("device_code"))?;
    let auto = world.settings.auto_approve_device_code;
    let user = world.partner.user_upn.clone();
    let entry = world
        .auth
        .device_codes
        .iter_mut()
        .find(|d| d.device_code == *code)
        .ok_or_else(|| {
            TokenError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                70000,
                "The provided value for the input parameter 'device_code' is not valid.",
            )
        })?;
    if entry.expires <= Instant::now() {
        return Err(TokenError::new(StatusCode::BAD_REQUEST, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired."));
    }
    if entry.redeemed {
        return Err(TokenError::new(StatusCode::BAD_REQUEST, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
    }
    let first_poll = !entry.polled;
    entry.polled = true;
    if entry.approved_by.is_none() && auto && !first_poll {
        entry.approved_by = Some(user);
    }
    let Some(user) = entry.approved_by.clone() else {
        return Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ));
    };
    entry.redeemed = true;
    let target = if entry.tenant_id == *tenant_id {
        tenant_id.to_string()
    } else {
        entry.tenant_id.clone()
    };
    check_delegated(world, &target)?;
    Ok(delegated_tokens(world, &target, &user))
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub async fn device_code(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    body: Bytes,
) -> Response {
    if state.faults().token_endpoint_down {
        return down().into_response();
    }
    let form = parse_form(&body);
    let mut world = state.world();
    let tenant_id = match segment.as_str() {
        "organizations" | "common" => Some(world.partner.tenant_id.clone()),
        other => world.resolve_tenant(other),
    };
    let Some(tenant_id) = tenant_id else {
        return unknown_tenant(&segment).into_response();
    };
    let Some(client_id) = form.get("client_id") else {
        return missing("client_id").into_response();
    };
    if *client_id != world.settings.client_id {
        return app_not_found(client_id, &tenant_id).into_response();
    }
    if !form.contains_key("scope") {
        return missing("scope").into_response();
    }

    let device_code = format!("sim.dc.{}", world.gen.hex(48));
    let raw = world.gen.hex(9).to_uppercase();
    let user_code: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                (b'A' + c as u8 - b'0') as char
            } else {
                c
            }
        })
        .collect();
    let interval = world.settings.device_code_interval_secs;
    world.auth.device_codes.push(DeviceCode {
        device_code: device_code.clone(),
        user_code: user_code.clone(),
        tenant_id,
        expires: Instant::now() + DEVICE_CODE_LIFETIME,
        polled: false,
        approved_by: None,
        redeemed: false,
    });
    token_json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": DEVICE_CODE_LIFETIME.as_secs(),
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {user_code} to authenticate."),
    }))
}

/// `POST /_sim/devicecode/{user_code}/approve` — the user signs in.
pub async fn approve_device_code(
    State(state): State<AppState>,
    Path(user_code): Path<String>,
) -> Response {
    let mut world = state.world();
    let user = world.partner.user_upn.clone();
    if world.auth.approve(&user_code, &user) {
        Json(json!({ "approved": user_code, "user": user })).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "unknown user code" })),
        )
            .into_response()
    }
}
