//! The middleware every request passes through: it assigns the request
//! ids, adds the configured latency, injects faults on identity and Graph
//! paths, renders `GraphError`s into Graph's envelope, sets the response
//! headers Graph sends, and records the request in the log.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;

use crate::identity::{authenticate, uuidish, TokenError};
use crate::net::Killer;
use crate::reqlog::{body_for_log, LogEntry};
use crate::state::AppState;
use crate::wire::{GraphError, Ids, GRAPH_CONTENT_TYPE};

/// Largest request body accepted (Graph's own limit is 4 MB).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// The middleware function (see module docs).
pub async fn envelope(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ids = ids_for(request.headers());
    let path = request.uri().path().to_string();
    let simulated = !path.starts_with("/_sim");
    let killer = request
        .extensions()
        .get::<std::sync::Arc<Killer>>()
        .cloned();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let mut entry = log_entry(&state, &parts, &bytes, &ids);
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(ids.clone());

    if simulated && state.0.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.0.latency_ms)).await;
    }
    let faults = state.faults();
    let injected = if simulated {
        before_fault(&state, &faults, &path)
    } else {
        None
    };
    entry.fault = injected.as_ref().map(Injected::label);
    let mut response = match injected {
        Some(Injected::Reset) => {
            entry.status = 0;
            state.log().push(entry);
            if let Some(killer) = killer {
                killer.kill();
            }
            // The connection task drops this future together with the socket.
            return std::future::pending().await;
        }
        Some(Injected::Respond(_, response)) => response,
        Some(Injected::Slow(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        None => next.run(request).await,
    };

    render_error(&mut response, &ids);
    if simulated && response.status().is_success() {
        if let Some(mode) = crate::malformed::applies(&state, &entry) {
            response = crate::malformed::apply(response, &mode, &state, &entry).await;
            entry.fault = Some(mode.label());
        }
    }
    set_headers(&mut response, &ids, &path);
    entry.status = response.status().as_u16();
    let truncated = simulated && state.roll(faults.rate_truncate);
    if truncated {
        entry.fault = Some("truncate");
    }
    // Control calls are the test talking to the simulator, not the client
    // under test, so they stay out of the log.
    if simulated {
        state.log().push(entry);
    }
    if truncated {
        response = truncate(response).await;
    }
    response
}

fn ids_for(headers: &HeaderMap) -> Ids {
    let request_id = uuidish();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
        .unwrap_or_else(|| request_id.clone());
    Ids {
        request_id,
        client_request_id,
    }
}

fn log_entry(
    state: &AppState,
    parts: &axum::http::request::Parts,
    bytes: &[u8],
    ids: &Ids,
) -> LogEntry {
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    LogEntry {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(String::from),
        tenant: tenant_of(state, parts),
        body: body_for_log(bytes, content_type),
        status: 0,
        time: chrono::Utc::now().to_rfc3339(),
        request_id: ids.request_id.clone(),
        fault: None,
    }
}

/// The tenant a request concerns: the identity path's tenant, the control
/// path's tenant, or the bearer token's tenant.
fn tenant_of(state: &AppState, parts: &axum::http::request::Parts) -> Option<String> {
    let segments: Vec<&str> = parts
        .uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .collect();
    match segments.as_slice() {
        [tenant, "oauth2", ..] => {
            let world = state.world();
            Some(
                world
                    .resolve_tenant(tenant)
                    .unwrap_or_else(|| tenant.to_string()),
            )
        }
        ["_sim", "tenants", tenant, ..] => Some(tenant.to_string()),
        ["v1.0", ..] => authenticate(&state.world().auth, &parts.headers)
            .ok()
            .map(|g| g.tenant_id),
        _ => None,
    }
}

enum Injected {
    Reset,
    Respond(&'static str, Response),
    Slow(u64),
}

impl Injected {
    /// The name the request log gives the fault.
    fn label(&self) -> &'static str {
        match self {
            Injected::Reset => "reset",
            Injected::Respond(label, _) => label,
            Injected::Slow(_) => "slow",
        }
    }
}

fn before_fault(
    state: &AppState,
    faults: &crate::config::FaultConfig,
    path: &str,
) -> Option<Injected> {
    if state.roll(faults.rate_reset) {
        return Some(Injected::Reset);
    }
    if state.roll(faults.rate_503) {
        let retry_after = format!("{}", faults.retry_after_503_secs);
        let mut response = if path.contains("/oauth2/") {
            TokenError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            )
            .into_response()
        } else {
            GraphError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry after a delay.",
            )
            .into_response()
        };
        if let Ok(value) = HeaderValue::from_str(&retry_after) {
            response.headers_mut().insert("retry-after", value);
        }
        return Some(Injected::Respond("503", response));
    }
    if state.roll(faults.rate_429) {
        return Some(Injected::Respond("429", throttled(faults, path)));
    }
    if state.roll(faults.rate_slow) {
        return Some(Injected::Slow(faults.slow_ms));
    }
    None
}

/// A 429 in Graph's shape (or the identity platform's on token paths)
/// with the configured `Retry-After`.
fn throttled(faults: &crate::config::FaultConfig, path: &str) -> Response {
    let retry_after = format!("{}", faults.retry_after_429_secs);
    if !path.contains("/oauth2/") {
        let mut error = GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests. Please retry again later.",
        );
        error.retry_after = Some(retry_after);
        return error.into_response();
    }
    // Entra's docs are silent on a throttled token endpoint's body; the
    // generic transient error is the most likely answer.
    let mut response = TokenError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

fn render_error(response: &mut Response, ids: &Ids) {
    let Some(error) = response.extensions_mut().remove::<GraphError>() else {
        return;
    };
    let body = serde_json::to_vec(&error.body(ids)).unwrap_or_default();
    *response.body_mut() = Body::from(body);
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(GRAPH_CONTENT_TYPE));
}

fn set_headers(response: &mut Response, ids: &Ids, path: &str) {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
        headers.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&ids.client_request_id) {
        headers.insert("client-request-id", v);
    }
    if path.starts_with("/v1.0") && !headers.contains_key("content-type") {
        headers.insert("content-type", HeaderValue::from_static(GRAPH_CONTENT_TYPE));
    }
}

/// Sends the headers (with the full Content-Length) and half the body,
/// then fails the body so the connection is cut mid-response.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert("content-length", HeaderValue::from(bytes.len()));
    Response::from_parts(parts, Body::new(Truncated { first: Some(half) }))
}

/// A body that yields one chunk and then an error.
struct Truncated {
    first: Option<Bytes>,
}

impl http_body::Body for Truncated {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut().first.take() {
            Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            None => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "body truncated by fault injection",
            )))),
        }
    }
}
