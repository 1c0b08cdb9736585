//! What goes on the wire for Graph paths: the OData content type, the
//! error envelope, `@odata.context`, and the per-request ids that
//! every response carries.
//!
//! Handlers return `GraphError` values without knowing the request id; the
//! error travels in the response extensions and `server::envelope` renders
//! the body once the ids are known.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::clock::format_error_date;

/// The content type Graph sends with JSON bodies.
pub const GRAPH_CONTENT_TYPE: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The content type the identity platform sends.
pub const TOKEN_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The ids of one request, inserted into request extensions by the
/// envelope middleware.
#[derive(Debug, Clone)]
pub struct Ids {
    /// Server-generated request id.
    pub request_id: String,
    /// The client's `client-request-id`, or the request id when absent.
    pub client_request_id: String,
}

/// A Graph error, rendered as `{"error":{code,message,innerError}}`.
#[derive(Debug, Clone)]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `Retry-After` header value, for 429 and 503.
    pub retry_after: Option<String>,
}

impl GraphError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 404 `NotFound`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    /// 403 `Forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// The JSON body for this error and request.
    pub fn body(&self, ids: &Ids) -> Value {
        let date = format_error_date(chrono::Utc::now());
        let mut inner = json!({
            "date": date,
            "request-id": ids.request_id,
            "client-request-id": ids.client_request_id,
        });
        // The throttling sample carries code/status "429" inside innerError.
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            inner["code"] = json!("429");
            inner["status"] = json!("429");
            inner["message"] = json!("Please retry after");
        }
        json!({ "error": { "code": self.code, "message": self.message, "innerError": inner } })
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(after) = self
            .retry_after
            .as_deref()
            .and_then(|a| HeaderValue::from_str(a).ok())
        {
            response.headers_mut().insert("retry-after", after);
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// A 200 response with Graph's content type.
pub fn ok_json(body: impl Serialize) -> Response {
    graph_json(StatusCode::OK, body)
}

/// A response with Graph's content type.
pub fn graph_json(status: StatusCode, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(GRAPH_CONTENT_TYPE));
    response
}

/// The `@odata.context` URL for a fragment such as `security/incidents`.
pub fn context(base_url: &str, fragment: &str) -> String {
    format!("{base_url}/v1.0/$metadata#{fragment}")
}

/// Puts `@odata.context` first in an entity body.
pub fn with_context(context: String, body: Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("@odata.context".into(), json!(context));
    if let Value::Object(map) = body {
        out.extend(map);
    }
    Value::Object(out)
}
