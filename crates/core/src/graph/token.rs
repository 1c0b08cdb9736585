//! Access tokens, one per tenant, through the `oauth2` crate: the
//! client-credentials grant with the client secret, or the refresh-token
//! grant with the partner's refresh token.
//!
//! Tokens stay in memory until shortly before they expire. They are never
//! logged (`oauth2::AccessToken` prints as `AccessToken([redacted])`) and
//! never written anywhere. One fetch per tenant at a time: concurrent
//! callers for the same tenant wait for the first one's token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenResponse,
};
use oauth2::{
    AccessToken, AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, RefreshToken, RequestTokenError, Scope, StandardRevocableToken, TokenResponse,
    TokenUrl,
};
use tokio::time::Instant;

use super::retry::{jittered_backoff, parse_retry_after, MAX_WAIT};
use super::wire::AadError;
use super::{Error, GraphConfig};
use crate::auth::Credential;

/// An oauth2 client that keeps the identity platform's `error_codes`.
type AadClient = oauth2::Client<
    AadError,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Refresh this long before expiry (or at half-life for short tokens).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Used when the token answer has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

/// Why the HTTP leg of a token request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenHttpError {
    #[error("{0}")]
    Transport(String),
    #[error("token endpoint throttled the request")]
    Throttled(Option<Duration>),
    #[error("could not build the token request: {0}")]
    Build(String),
}

/// The token cache and fetcher shared by every clone of the client.
pub(crate) struct Tokens {
    config: Arc<GraphConfig>,
    credential: Credential,
    http: reqwest::Client,
    /// The client's cap on requests in flight, shared with Graph calls.
    in_flight: Arc<tokio::sync::Semaphore>,
    requests: AtomicU64,
    /// One slot per tenant; the async mutex makes concurrent callers for
    /// one tenant share a single fetch.
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

impl Tokens {
    pub(crate) fn new(
        config: Arc<GraphConfig>,
        credential: Credential,
        http: reqwest::Client,
        in_flight: Arc<tokio::sync::Semaphore>,
    ) -> Self {
        Tokens {
            config,
            credential,
            http,
            in_flight,
            requests: AtomicU64::new(0),
            slots: Mutex::default(),
        }
    }

    /// HTTP requests sent to the token endpoint so far.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn slot(&self, tenant: &str) -> Arc<tokio::sync::Mutex<Option<Cached>>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(tenant.to_string()).or_default().clone()
    }

    /// A valid access token for `tenant`, fetched if none is cached.
    pub(crate) async fn bearer(&self, tenant: &str) -> Result<AccessToken, Error> {
        let slot = self.slot(tenant);
        let mut cached = slot.lock().await;
        if let Some(entry) = cached.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(entry.token.clone());
        }
        let fresh = self.fetch(tenant).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token of `tenant` (after Graph answered 401).
    pub(crate) async fn invalidate(&self, tenant: &str) {
        *self.slot(tenant).lock().await = None;
    }

    async fn fetch(&self, tenant: &str) -> Result<Cached, Error> {
        let token_url = TokenUrl::new(self.config.token_url(tenant))
            .map_err(|e| Error::Config(format!("login URL: {e}")))?;
        let client: AadClient = oauth2::Client::new(ClientId::new(self.config.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(token_url);
        let scope = Scope::new(self.config.graph_scope());

        let started = Instant::now();
        let answer = match &self.credential {
            Credential::ClientSecret(secret) => {
                let client = client.set_client_secret(ClientSecret::new(secret.expose().into()));
                client
                    .exchange_client_credentials()
                    .add_scope(scope)
                    .request_async(self)
                    .await
            }
            Credential::RefreshToken(secret) => {
                let refresh = RefreshToken::new(secret.expose().to_string());
                client
                    .exchange_refresh_token(&refresh)
                    .add_scope(scope)
                    .request_async(self)
                    .await
            }
        };
        let answer = answer.map_err(|e| token_error(tenant, e))?;
        tracing::debug!(
            tenant,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "token acquired"
        );

        let lifetime = answer.expires_in().unwrap_or(DEFAULT_LIFETIME);
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        Ok(Cached {
            token: answer.access_token().clone(),
            refresh_at: started + lifetime - margin,
        })
    }

    /// The HTTP leg for oauth2, with our retries: 429/503/504 wait for
    /// `Retry-After` (or back off); broken connections are retried, refused
    /// ones are not (we are offline).
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TokenHttpError> {
        let mut attempt = 0;
        loop {
            let reqwest_request: reqwest::Request = request
                .clone()
                .try_into()
                .map_err(|e: reqwest::Error| TokenHttpError::Build(e.to_string()))?;
            // Held for the exchange only, never across a retry's sleep.
            let permit = self.in_flight.acquire().await.expect("never closed");
            self.requests.fetch_add(1, Ordering::Relaxed);
            let result = self.http.execute(reqwest_request).await;
            let retries_left = attempt < self.config.max_retries;
            let wait = match result {
                Err(e) if retries_left && !e.is_connect() => {
                    jittered_backoff(self.config.backoff_base, attempt)
                }
                Err(e) => return Err(transport(e)),
                Ok(response) if matches!(response.status().as_u16(), 429 | 503 | 504) => {
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                    let wait = retry_after
                        .unwrap_or_else(|| jittered_backoff(self.config.backoff_base, attempt));
                    if !retries_left || wait > MAX_WAIT {
                        return Err(TokenHttpError::Throttled(retry_after));
                    }
                    tracing::warn!(status = response.status().as_u16(), "token endpoint busy");
                    wait
                }
                Ok(response) => return into_http_response(response).await,
            };
            drop(permit);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// oauth2's HTTP leg. The future is boxed as `Send` so a token fetch can
/// run inside spawned tasks: a closure-based client would tie the future to
/// a borrowed lifetime that `Send` checks on spawned tasks cannot see
/// through ("implementation of `Send` is not general enough").
impl<'c> oauth2::AsyncHttpClient<'c> for Tokens {
    type Error = TokenHttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<HttpResponse, TokenHttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

async fn into_http_response(response: reqwest::Response) -> Result<HttpResponse, TokenHttpError> {
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await.map_err(transport)?;
    builder
        .body(body.to_vec())
        .map_err(|e| TokenHttpError::Build(e.to_string()))
}

fn transport(error: reqwest::Error) -> TokenHttpError {
    TokenHttpError::Transport(crate::auth::source_chain(&error.without_url()))
}

/// Classifies a failed token request for `tenant`.
fn token_error(tenant: &str, error: RequestTokenError<TokenHttpError, AadError>) -> Error {
    match error {
        RequestTokenError::ServerResponse(aad) => Error::from_token_error(tenant, &aad),
        RequestTokenError::Request(TokenHttpError::Throttled(retry_after)) => {
            Error::Throttled { retry_after }
        }
        RequestTokenError::Request(TokenHttpError::Transport(detail)) => Error::Offline { detail },
        RequestTokenError::Request(TokenHttpError::Build(detail)) => Error::Config(detail),
        RequestTokenError::Parse(e, _) => Error::Decode {
            what: "token answer".into(),
            detail: e.to_string(),
        },
        RequestTokenError::Other(detail) => Error::Auth {
            code: "token_endpoint".into(),
            message: detail,
        },
    }
}
