//! The one HTTP client for every tenant: a token per tenant, pacing per
//! tenant, `@odata.nextLink` paging, `Retry-After` and jittered backoff,
//! errors classified for sync, and the wire mapping.
//!
//! - [`GraphClient`]: cheap to clone, shared by every sync task.
//! - [`GraphConfig`] / [`Cloud`]: hosts, app, retry and pacing settings.
//! - [`Error`]: what went wrong, with [`Error::skip_reason`] for the
//!   "skip this tenant" cases and [`Error::code`] for front ends.
//! - [`wire`]: Graph's JSON and its mapping to `crate::model`, in one place.
//!
//! What the client leaves to others: deciding which tenants to sync and
//! when (`sync`), storing anything (`store`), and keeping the long-lived
//! credential (`auth`).

mod config;
mod error;
mod http;
mod incidents;
mod pacing;
mod paging;
mod partner;
mod retry;
mod token;
pub mod users;
pub mod wire;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use config::{Cloud, GraphConfig};
pub use error::Error;

use crate::auth::Credential;
use crate::model::{Alert, Incident, Recommendation, ScoreSnapshot};

/// The Graph client. Clones share tokens, pacing and counters.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

/// State shared by all clones.
pub(crate) struct Inner {
    config: Arc<GraphConfig>,
    http: reqwest::Client,
    tokens: token::Tokens,
    pacer: pacing::Pacer,
    /// Caps requests in flight across tenants ([`GraphConfig::max_in_flight`]).
    in_flight: Arc<tokio::sync::Semaphore>,
    graph_requests: AtomicU64,
    /// GDAP access assignments per relationship, so a steady tick does not
    /// re-read hundreds of unchanged lists (see `partner.rs`).
    assignments: partner::AssignmentCache,
}

impl Inner {
    fn count_request(&self) {
        self.graph_requests.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for GraphClient {
    // Deliberately shows no credential or token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("graph_url", &self.inner.config.graph_url)
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

/// An incident with the alerts Graph expanded into it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentWithAlerts {
    /// The incident.
    pub incident: Incident,
    /// Its alerts, as `$expand=alerts` returned them.
    pub alerts: Vec<Alert>,
}

/// A tenant's Secure Score: recent snapshots and the improvement actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecureScoreData {
    /// Daily snapshots, newest first (up to two weeks).
    pub snapshots: Vec<ScoreSnapshot>,
    /// Control profiles joined with the newest snapshot's control scores.
    pub recommendations: Vec<Recommendation>,
}

/// One write to Graph as the audit log records it: never a host, never a
/// token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// `PATCH`, `POST`.
    pub method: String,
    /// Path and query, e.g. `/v1.0/security/incidents/42`.
    pub path: String,
    /// The JSON we sent.
    pub request_body: Option<serde_json::Value>,
    /// Graph's HTTP status; `None` when nothing was answered.
    pub status: Option<u16>,
    /// Graph's `request-id`.
    pub request_id: Option<String>,
    /// Graph's answer: JSON if it parsed, else the text as a JSON string.
    pub response_body: Option<serde_json::Value>,
}

impl GraphClient {
    /// A client for `config`, signing in everywhere with `credential`.
    /// Nothing is sent until the first call.
    pub fn new(config: GraphConfig, credential: Credential) -> Result<Self, Error> {
        if config.client_id.trim().is_empty() {
            return Err(Error::Config(
                "the app registration's client id is empty".into(),
            ));
        }
        for (name, url) in [("Graph", &config.graph_url), ("login", &config.login_url)] {
            url::Url::parse(url).map_err(|e| Error::Config(format!("{name} URL {url:?}: {e}")))?;
        }
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(
                config
                    .request_timeout
                    .min(std::time::Duration::from_secs(10)),
            )
            // Tokens must not follow a redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Manage365Desk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;

        let config = Arc::new(config);
        let in_flight = Arc::new(tokio::sync::Semaphore::new(config.max_in_flight.max(1)));
        let inner = Inner {
            tokens: token::Tokens::new(config.clone(), credential, http.clone(), in_flight.clone()),
            in_flight,
            pacer: pacing::Pacer::new(config.requests_per_minute, config.max_concurrent_per_tenant),
            graph_requests: AtomicU64::new(0),
            assignments: partner::AssignmentCache::default(),
            config,
            http,
        };
        Ok(GraphClient {
            inner: Arc::new(inner),
        })
    }

    /// The settings this client runs with.
    pub fn config(&self) -> &GraphConfig {
        &self.inner.config
    }

    /// HTTP requests sent to Graph and to the token endpoint, retries
    /// included.
    pub fn request_count(&self) -> u64 {
        self.graph_requests() + self.token_requests()
    }

    /// HTTP requests sent to Graph, retries included.
    pub fn graph_requests(&self) -> u64 {
        self.inner.graph_requests.load(Ordering::Relaxed)
    }

    /// HTTP requests sent to the identity platform's token endpoint.
    pub fn token_requests(&self) -> u64 {
        self.inner.tokens.requests()
    }
}
