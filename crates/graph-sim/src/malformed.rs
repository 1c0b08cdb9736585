//! Explicitly malformed answers, switched on per tenant through
//! `POST /_sim/tenants/{t}/malformed`. The generator never produces them:
//! they exist so a client's handling of bodies real Graph should not send
//! (an `@odata.nextLink` that points back at its own page, or any raw
//! text as the incidents list) can be tested on purpose. They apply to
//! `GET /v1.0/security/incidents` of that tenant only.

use axum::body::{Body, Bytes};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::reqlog::LogEntry;
use crate::state::AppState;

/// How a tenant's incident list is broken.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "mode", rename_all = "camelCase", deny_unknown_fields)]
pub enum Malformed {
    /// Every page's `@odata.nextLink` is the page's own URL.
    NextLinkLoop,
    /// The answer is 200 with this text as the body, whatever it is.
    Raw {
        /// The body sent verbatim.
        body: String,
    },
    /// Back to normal answers.
    None,
}

impl Malformed {
    /// The name the request log gives it.
    pub fn label(&self) -> &'static str {
        match self {
            Malformed::NextLinkLoop => "nextLinkLoop",
            Malformed::Raw { .. } => "raw",
            Malformed::None => "none",
        }
    }
}

/// The mode switched on for the tenant of this request, if it is an
/// incident list read.
pub fn applies(state: &AppState, entry: &LogEntry) -> Option<Malformed> {
    if entry.method != "GET" || entry.path != "/v1.0/security/incidents" {
        return None;
    }
    let tenant = entry.tenant.as_deref()?.to_lowercase();
    state.malformed().get(&tenant).cloned()
}

/// Rewrites a successful answer as `mode` says.
pub async fn apply(
    response: Response,
    mode: &Malformed,
    state: &AppState,
    entry: &LogEntry,
) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match mode {
        Malformed::Raw { body } => Bytes::from(body.clone()),
        Malformed::NextLinkLoop => {
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let mut page: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
            let own = match &entry.query {
                Some(query) => format!("{}{}?{query}", state.base_url(), entry.path),
                None => format!("{}{}", state.base_url(), entry.path),
            };
            page["@odata.nextLink"] = Value::String(own);
            Bytes::from(serde_json::to_vec(&page).unwrap_or_default())
        }
        Malformed::None => return Response::from_parts(parts, body),
    };
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(bytes))
}
