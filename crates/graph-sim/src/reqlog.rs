//! The log of requests the simulator received, for tests that check what a
//! client actually sent (`GET /_sim/requests`). Secrets in token requests
//! are masked before they are stored.

use serde::Serialize;
use serde_json::Value;

/// One received request and the status it got.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Tenant the request concerned (token tenant or identity path).
    pub tenant: Option<String>,
    /// Request body: JSON when it parses, masked form fields for token
    /// requests, otherwise text; null when empty.
    pub body: Value,
    /// Response status.
    pub status: u16,
    /// When the request arrived (RFC 3339).
    pub time: String,
    /// The `request-id` sent back.
    pub request_id: String,
    /// The fault injected into this exchange, if any: `reset`, `503`,
    /// `429`, `slow`, `truncate`, `nextLinkLoop` or `raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<&'static str>,
}

/// Form fields whose values are never stored.
const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "refresh_token",
    "device_code",
    "code",
    "password",
];

/// Turns a raw body into what the log keeps.
pub fn body_for_log(bytes: &[u8], content_type: &str) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let fields = form_urlencoded::parse(bytes).map(|(k, v)| {
            let shown = if SECRET_FIELDS.contains(&k.as_ref()) {
                "***".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), Value::String(shown))
        });
        return Value::Object(fields.collect());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut json) => {
            // A password reset's new password is a secret like the others.
            if let Some(password) = json.pointer_mut("/passwordProfile/password") {
                *password = Value::String("***".into());
            }
            json
        }
        Err(_) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_token_forms_are_masked() {
        let logged = body_for_log(
            b"grant_type=client_credentials&client_secret=s3cret",
            "application/x-www-form-urlencoded",
        );
        assert_eq!(logged["client_secret"], "***");
        assert_eq!(logged["grant_type"], "client_credentials");
    }
}
