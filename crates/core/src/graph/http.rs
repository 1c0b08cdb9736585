//! One Graph request, end to end: token, pacing, headers, retries, and the
//! classification of whatever came back.
//!
//! Retries: 429 and 503 on every method (the request was refused, so a
//! retry cannot apply it twice), 504 and broken connections only on GET
//! and PATCH (both idempotent; a POSTed comment could be duplicated).
//! Refused connections are not retried: that is being offline, and sync
//! should say so quickly. A 401 drops the cached token and tries once more.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

use super::retry::{jittered_backoff, parse_retry_after, MAX_WAIT};
use super::{Error, Exchange, Inner};

/// A request to send.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub tenant: &'a str,
    pub url: Url,
    pub body: Option<&'a Value>,
}

/// What Graph answered.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// A failed call, with Graph's last answer when there was one (for the
/// audit log).
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub reply: Option<Reply>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { error, reply: None }
    }
}

/// Path and query of a URL, without host: what logs and audits may show.
pub(crate) fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Percent-encodes a path segment or query value. `$`, `:` and `'` stay
/// readable (`$filter=lastUpdateDateTime ge 2025-01-01T00:00:00Z` goes out
/// as `$filter=lastUpdateDateTime%20ge%202025-01-01T00:00:00Z`); a space
/// is `%20`, never `+`.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'$'
            | b':'
            | b'\''
            | b','
            | b'('
            | b')' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn retryable_status(method: &Method, status: u16) -> bool {
    match status {
        429 | 503 => true,
        504 => *method != Method::POST,
        _ => false,
    }
}

fn retryable_transport(method: &Method, error: &reqwest::Error) -> bool {
    *method != Method::POST && !error.is_connect()
}

fn offline(error: reqwest::Error) -> Error {
    Error::Offline {
        detail: crate::auth::source_chain(&error.without_url()),
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

impl Inner {
    /// A Graph v1.0 URL for `path` (already encoded) and query pairs
    /// (values encoded here).
    pub(crate) fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url, Error> {
        let mut text = format!("{}/v1.0{path}", self.config.graph_url.trim_end_matches('/'));
        let pairs: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if !pairs.is_empty() {
            text.push('?');
            text.push_str(&pairs.join("&"));
        }
        Url::parse(&text).map_err(|e| Error::Config(format!("Graph URL {text:?}: {e}")))
    }

    /// Sends `call`, retrying as the module docs say, and returns the first
    /// 2xx reply or the classified failure.
    pub(crate) async fn execute(&self, call: &Call<'_>) -> Result<Reply, Failure> {
        let path = path_and_query(&call.url);
        let mut attempt = 0;
        let mut reauthorized = false;
        loop {
            let retries_left = attempt < self.config.max_retries;
            let reply = match self.send_once(call, attempt).await {
                Ok(reply) => reply,
                Err(Err(e)) if retries_left && retryable_transport(&call.method, &e) => {
                    tracing::warn!(
                        tenant = call.tenant,
                        path,
                        attempt,
                        "connection broke, retrying"
                    );
                    tokio::time::sleep(jittered_backoff(self.config.backoff_base, attempt)).await;
                    attempt += 1;
                    continue;
                }
                Err(Ok(e)) => return Err(e.into()),
                Err(Err(e)) => return Err(offline(e).into()),
            };
            if (200..300).contains(&reply.status) {
                return Ok(reply);
            }
            if reply.status == 401 && !reauthorized {
                self.tokens.invalidate(call.tenant).await;
                reauthorized = true;
                continue;
            }
            if retryable_status(&call.method, reply.status) {
                let wait = reply
                    .retry_after
                    .unwrap_or_else(|| jittered_backoff(self.config.backoff_base, attempt));
                if retries_left && wait <= MAX_WAIT {
                    tracing::warn!(
                        tenant = call.tenant,
                        path,
                        status = reply.status,
                        wait_ms = wait.as_millis() as u64,
                        "graph busy, retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                if reply.status != 504 {
                    let error = Error::Throttled {
                        retry_after: Some(wait),
                    };
                    return Err(Failure {
                        error,
                        reply: Some(reply),
                    });
                }
            }
            let error = Error::from_graph_response(
                reply.status,
                call.url.path(),
                call.tenant,
                &reply.body,
                reply.request_id.as_deref(),
                reply.retry_after,
            );
            return Err(Failure {
                error,
                reply: Some(reply),
            });
        }
    }

    /// One HTTP exchange under the tenant's pacing gate. The outer error
    /// is `Ok(graph error)` for failures before sending (token), and
    /// `Err(transport error)` for the network.
    async fn send_once(
        &self,
        call: &Call<'_>,
        attempt: u32,
    ) -> Result<Reply, Result<Error, reqwest::Error>> {
        let token = self.tokens.bearer(call.tenant).await.map_err(Ok)?;
        let _permit = self.pacer.admit(call.tenant, call.url.path()).await;
        // Held until the body is read: the exchange occupies the network
        // until then. Taken after the token, whose fetch takes its own.
        let _in_flight = self.in_flight.acquire().await.expect("never closed");
        let client_request_id = new_request_id();
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .bearer_auth(token.secret())
            .header("Accept", "application/json")
            .header("Prefer", "include-unknown-enum-members")
            .header("client-request-id", &client_request_id);
        if let Some(body) = call.body {
            request = request.json(body);
        }

        let started = Instant::now();
        self.count_request();
        let response = request.send().await.map_err(Err)?;
        let status = response.status().as_u16();
        let request_id = header(&response, "request-id");
        let retry_after = header(&response, "retry-after")
            .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
        let body = response.bytes().await.map_err(Err)?.to_vec();
        tracing::debug!(
            tenant = call.tenant,
            method = %call.method,
            path = call.url.path(),
            status,
            attempt,
            client_request_id,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "graph request"
        );
        Ok(Reply {
            status,
            request_id,
            retry_after,
            body,
        })
    }
}

impl Inner {
    /// Sends one call and records it for the audit log, with Graph's
    /// answer when there was one. `recorded` stands for `body` in the
    /// record when the real body holds a secret.
    pub(crate) async fn send_audited(
        &self,
        method: Method,
        tenant: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
        recorded: Option<Value>,
    ) -> (Exchange, Result<Reply, Error>) {
        let mut exchange = Exchange {
            method: method.to_string(),
            path: format!("/v1.0{path}"),
            request_body: recorded.or_else(|| body.clone()),
            status: None,
            request_id: None,
            response_body: None,
        };
        let url = match self.url(path, query) {
            Ok(url) => url,
            Err(error) => return (exchange, Err(error)),
        };
        exchange.path = path_and_query(&url);
        let call = Call {
            method,
            tenant,
            url,
            body: body.as_ref(),
        };
        let (reply, result) = match self.execute(&call).await {
            Ok(reply) => (Some(reply.clone()), Ok(reply)),
            Err(Failure { error, reply }) => (reply, Err(error)),
        };
        if let Some(reply) = reply {
            exchange.status = Some(reply.status);
            exchange.request_id = reply.request_id.clone();
            exchange.response_body = answer_json(&reply.body);
        }
        (exchange, result)
    }
}

/// Graph's answer for the audit log: JSON if it parses, else its text.
fn answer_json(body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    Some(
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned())),
    )
}

/// A random UUID v4 for `client-request-id`, so Microsoft support can find
/// our request.
fn new_request_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| match i {
            6 => format!("{:02x}", (b & 0x0f) | 0x40),
            8 => format!("{:02x}", (b & 0x3f) | 0x80),
            _ => format!("{b:02x}"),
        })
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_encoded_with_percent_twenty_and_readable_dollars() {
        let encoded = encode("lastUpdateDateTime ge 2025-01-01T00:00:00Z");

        assert_eq!(encoded, "lastUpdateDateTime%20ge%202025-01-01T00:00:00Z");
        assert_eq!(encode("a+b/c&d"), "a%2Bb%2Fc%26d");
    }

    #[test]
    fn request_ids_are_version_four_uuids() {
        let id = new_request_id();

        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
    }

    #[test]
    fn posts_are_not_retried_after_a_gateway_timeout() {
        assert!(!retryable_status(&Method::POST, 504));
        assert!(retryable_status(&Method::POST, 429));
        assert!(retryable_status(&Method::GET, 504));
        assert!(!retryable_status(&Method::GET, 500));
    }
}
