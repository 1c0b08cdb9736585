//! The identity platform half of the simulator: issued access and refresh
//! tokens, device codes, AADSTS-style error bodies, and the check Graph
//! requests go through (`authenticate`).
//!
//! Tokens are opaque random strings. An access token is bound to one
//! tenant and, for delegated grants, to the partner's signed-in user.

mod grants;

pub use grants::{approve_device_code, device_code, token};

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::clock::format_token_time;
use crate::data::rng::Gen;
use crate::wire::{GraphError, TOKEN_CONTENT_TYPE};

/// Refresh tokens live 90 days, as Entra's default for confidential apps.
const REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

/// Device codes expire after 15 minutes.
const DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(900);

/// An issued access token.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    /// The tenant the token is for.
    pub tenant_id: String,
    /// The signed-in partner user for delegated tokens.
    pub user: Option<String>,
    /// Expiry.
    pub expires: Instant,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
struct RefreshGrant {
    user: String,
    expires: Instant,
}

/// A pending or approved device-code sign-in.
#[derive(Debug, Clone)]
struct DeviceCode {
    device_code: String,
    user_code: String,
    tenant_id: String,
    expires: Instant,
    polled: bool,
    approved_by: Option<String>,
    redeemed: bool,
}

/// Tokens, refresh tokens and device codes.
#[derive(Debug, Default)]
pub struct AuthState {
    tokens: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    device_codes: Vec<DeviceCode>,
    /// Tenants whose token requests are refused (control API).
    failing: HashSet<String>,
}

impl AuthState {
    /// Issues an access token.
    pub fn issue_access(
        &mut self,
        gen: &mut Gen,
        tenant_id: &str,
        user: Option<&str>,
        lifetime: Duration,
    ) -> String {
        let token = format!("sim.at.{}", gen.hex(64));
        let grant = AccessGrant {
            tenant_id: tenant_id.to_string(),
            user: user.map(String::from),
            expires: Instant::now() + lifetime,
        };
        self.tokens.insert(token.clone(), grant);
        token
    }

    fn issue_refresh(&mut self, gen: &mut Gen, user: &str) -> String {
        let token = format!("sim.rt.{}", gen.hex(96));
        let grant = RefreshGrant {
            user: user.to_string(),
            expires: Instant::now() + REFRESH_LIFETIME,
        };
        self.refresh.insert(token.clone(), grant);
        token
    }

    /// The grant behind an access token, expired or not.
    pub fn access(&self, token: &str) -> Option<&AccessGrant> {
        self.tokens.get(token)
    }

    /// Makes every issued access token expire now (control API).
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        self.tokens.values_mut().for_each(|g| g.expires = now);
    }

    /// Makes `tenant_id`'s token requests fail (or work again). Turning
    /// failure on also expires the tokens already issued for it, so the
    /// next Graph call answers 401 and the client must ask again.
    pub fn set_failing(&mut self, tenant_id: &str, failing: bool) {
        let tenant_id = tenant_id.to_lowercase();
        if !failing {
            self.failing.remove(&tenant_id);
            return;
        }
        let now = Instant::now();
        self.tokens
            .values_mut()
            .filter(|g| g.tenant_id == tenant_id)
            .for_each(|g| g.expires = now);
        self.failing.insert(tenant_id);
    }

    /// Whether `tenant_id`'s token requests are refused.
    pub fn is_failing(&self, tenant_id: &str) -> bool {
        self.failing.contains(&tenant_id.to_lowercase())
    }

    /// Every access and refresh token issued so far, for tests that check
    /// a client never writes one down (`GET /_sim/tokens`).
    pub fn issued(&self) -> (Vec<String>, Vec<String>) {
        let mut access: Vec<String> = self.tokens.keys().cloned().collect();
        let mut refresh: Vec<String> = self.refresh.keys().cloned().collect();
        access.sort();
        refresh.sort();
        (access, refresh)
    }

    /// Approves the device code with `user_code`; false when unknown.
    pub fn approve(&mut self, user_code: &str, user: &str) -> bool {
        let found = self
            .device_codes
            .iter_mut()
            .find(|d| d.user_code.eq_ignore_ascii_case(user_code));
        match found {
            Some(code) => {
                code.approved_by = Some(user.to_string());
                true
            }
            None => false,
        }
    }
}

/// Checks the `Authorization` header of a Graph request.
pub fn authenticate(auth: &AuthState, headers: &HeaderMap) -> Result<AccessGrant, GraphError> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if token.is_empty() {
        return Err(GraphError::unauthenticated("Access token is empty."));
    }
    let grant = auth.access(token).ok_or_else(|| {
        GraphError::unauthenticated("CompactToken parsing failed with error code: 80049217")
    })?;
    if grant.expires <= Instant::now() {
        return Err(GraphError::unauthenticated(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    Ok(grant.clone())
}

/// An identity-platform error response.
#[derive(Debug)]
pub struct TokenError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
}

impl TokenError {
    /// `error` is the OAuth error, `code` the AADSTS number.
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            code,
            description: description.into(),
        }
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let trace = uuidish();
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace} Correlation ID: {} Timestamp: {}",
                self.code, self.description, uuidish(), format_token_time(chrono::Utc::now())
            ),
            "error_codes": [self.code],
            "timestamp": format_token_time(chrono::Utc::now()),
            "trace_id": trace,
            "correlation_id": uuidish(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            "content-type",
            axum::http::HeaderValue::from_static(TOKEN_CONTENT_TYPE),
        );
        response
    }
}

/// A random GUID for trace and correlation ids (not part of the seeded
/// world: they differ per response in real life too).
pub fn uuidish() -> String {
    Gen::new(rand::random()).guid()
}
