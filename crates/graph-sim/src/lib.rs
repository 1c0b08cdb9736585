//! A Microsoft Graph + identity simulator for Manage365 Desk, served over
//! HTTP on loopback. One base URL answers both the identity platform
//! (`/{tenant}/oauth2/v2.0/token`, `/devicecode`) and Graph v1.0 (GDAP
//! lists, security incidents and alerts, Secure Score, organization), with
//! the paths, JSON shapes, status codes and headers Microsoft uses. The
//! data is generated deterministically from a seed, or loaded from
//! fixture files, and a control API under `/_sim/` changes it at runtime.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = graph_sim::start(graph_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! println!("token endpoint: {}/{}/oauth2/v2.0/token", sim.url(), sim.partner_tenant());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Module map:
//! - `config`: `SimConfig` and `FaultConfig`, the knobs.
//! - `data`: seeded generation of tenants, incidents, alerts, evidence,
//!   GDAP relationships and Secure Score; `fixtures` loads JSON tenants.
//! - `world`: the in-memory truth behind one lock; `roles`: GDAP role ids
//!   and what they allow.
//! - `identity`: tokens, device codes, AADSTS errors.
//! - `graph`: the v1.0 routes; `odata`: query options and paging;
//!   `enums`: enum members and the `Prefer` rule for evolvable ones;
//!   `wire`: content type, error envelope, `@odata.context`.
//! - `envelope`: per-request middleware (ids, latency, faults, log);
//!   `net`: the accept loop that can reset a connection.
//! - `control`: the `/_sim/` API; `reqlog`: the request log;
//!   `malformed`: the explicit, per-tenant malformed answers.
//! - `hostile`: hostile strings placed in every shown text field.

mod clock;
pub mod config;
mod control;
mod data;
mod enums;
mod envelope;
pub mod fixtures;
mod graph;
pub mod hostile;
mod identity;
mod malformed;
mod net;
mod odata;
mod reqlog;
mod roles;
mod state;
mod wire;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    FaultConfig, SimConfig, DEFAULT_BUDGET_PER_MINUTE, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_PARTNER_TENANT,
};
pub use roles::{GLOBAL_READER, SECURITY_ADMINISTRATOR, SECURITY_OPERATOR, SECURITY_READER};

/// A simulator serving in the background. Dropping it stops the server
/// too; `shutdown` additionally waits until the port is closed.
pub struct RunningSim {
    addr: SocketAddr,
    partner_tenant: String,
    client_id: String,
    client_secret: String,
    /// Tells the accept loop to stop; it closes the listener and every
    /// open connection when it sees `true`.
    stop: watch::Sender<bool>,
    /// The accept loop, awaited by `shutdown`.
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// Base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The partner (MSP) tenant id.
    pub fn partner_tenant(&self) -> String {
        self.partner_tenant.clone()
    }

    /// The recognised app registration's client id.
    pub fn client_id(&self) -> String {
        self.client_id.clone()
    }

    /// The recognised app registration's secret.
    pub fn client_secret(&self) -> String {
        self.client_secret.clone()
    }

    /// Stops serving and waits until the port is closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Builds the world from `config`, binds `addr` and serves in the
/// background. Fails when the address cannot be bound or the fixtures
/// cannot be loaded.
pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<RunningSim> {
    let now = config.now.unwrap_or_else(chrono::Utc::now);
    let world = data::build_world(&config, now)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let state = state::AppState(Arc::new(state::Shared {
        world: Mutex::new(world),
        faults: Mutex::new(config.faults.clone()),
        fault_rng: Mutex::new(data::rng::Gen::new(config.seed ^ 0xfa17)),
        log: Mutex::new(Vec::new()),
        base_url: format!("http://{addr}"),
        latency_ms: config.latency_ms,
        malformed: Mutex::default(),
    }));

    let router = router(state);
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(net::serve(listener, router, stopped));
    tracing::info!(%addr, tenants = config.tenants, seed = config.seed, "graph-sim started");

    Ok(RunningSim {
        addr,
        partner_tenant: config.partner_tenant.to_lowercase(),
        client_id: config.client_id,
        client_secret: config.client_secret,
        stop,
        task: Some(task),
    })
}

fn router(state: state::AppState) -> Router {
    Router::new()
        .merge(graph::routes())
        .merge(control::routes())
        .route("/{tenant}/oauth2/v2.0/token", post(identity::token))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(identity::device_code),
        )
        .fallback(graph::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            envelope::envelope,
        ))
        .with_state(state)
}
