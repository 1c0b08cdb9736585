//! The simulated world every scenario runs against: a graph-sim on
//! loopback with the shape, a Desk connected to it with its cache
//! in a temporary folder, and readings of the simulator's request log and
//! of the cache file.

use std::path::Path;

use graph_sim::{RunningSim, SimConfig};
use manage365_core::auth::{Credential, Secret};
use manage365_core::graph::{GraphClient, GraphConfig};
use manage365_core::service::Desk;
use manage365_core::sync::SyncOptions;
use serde_json::Value;

use crate::Result;

/// The shape of a simulated MSP.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Customer tenants, all with Security roles.
    pub tenants: usize,
    /// Incidents per tenant.
    pub incidents: usize,
    /// Alerts per incident (exactly).
    pub alerts: usize,
    /// Standalone alerts per tenant.
    pub standalone: usize,
    /// Latency added to every identity and Graph request.
    pub latency_ms: u64,
}

impl Shape {
    /// The simulator configuration for this shape: Graph's default page
    /// of 50 and budget of 150 security requests per tenant per minute.
    pub fn sim_config(&self) -> SimConfig {
        SimConfig {
            seed: 7,
            tenants: self.tenants,
            without_security_roles: 0,
            not_consented: 0,
            read_only: 0,
            incidents_per_tenant: self.incidents,
            alerts_per_incident: (self.alerts, self.alerts),
            standalone_alerts_per_tenant: self.standalone,
            latency_ms: self.latency_ms,
            ..SimConfig::default()
        }
    }

    /// Incidents a complete cache holds.
    pub fn total_incidents(&self) -> u64 {
        (self.tenants * self.incidents) as u64
    }

    /// Alerts a complete cache holds (nested and standalone).
    pub fn total_alerts(&self) -> u64 {
        (self.tenants * (self.incidents * self.alerts + self.standalone)) as u64
    }
}

/// Starts a simulator for `shape` on an ephemeral loopback port.
pub async fn start(shape: &Shape) -> Result<RunningSim> {
    Ok(graph_sim::start(
        shape.sim_config(),
        "127.0.0.1:0".parse().expect("valid addr"),
    )
    .await?)
}

/// A Desk with its cache in `dir`, connected to `sim`, pulling up to
/// `concurrency` tenants at once and at most that many requests in flight
/// (`None` = the engine's defaults).
pub fn desk(sim: &RunningSim, dir: &Path, concurrency: Option<usize>) -> Result<Desk> {
    let mut options = SyncOptions::default();
    let mut config = GraphConfig {
        graph_url: sim.url(),
        login_url: sim.url(),
        client_id: sim.client_id(),
        partner_tenant: sim.partner_tenant(),
        ..GraphConfig::default()
    };
    if let Some(c) = concurrency {
        options.concurrency = c;
        config.max_in_flight = c;
    }
    let desk = Desk::open(dir, "bench")?.with_sync_options(options);
    let credential = Credential::ClientSecret(Secret::new(sim.client_secret()));
    let client = GraphClient::new(config, credential).map_err(manage365_core::Error::from)?;
    desk.connect(Some(client));
    Ok(desk)
}

/// What the simulator saw since its log was last cleared.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    /// Every identity and Graph request.
    pub requests: u64,
    /// Requests on `/security/` paths.
    pub security: u64,
    /// Requests to the token endpoint.
    pub tokens: u64,
    /// GDAP requests (partner tenant).
    pub gdap: u64,
    /// Answers with status 429.
    pub throttled: u64,
    /// The most security requests one tenant received.
    pub max_security_per_tenant: u64,
}

/// Empties the simulator's request log.
pub async fn clear_log(sim: &RunningSim) -> Result<()> {
    let client = reqwest::Client::new();
    client
        .delete(format!("{}/_sim/requests", sim.url()))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// Reads and classifies the simulator's request log.
pub async fn traffic(sim: &RunningSim) -> Result<Traffic> {
    let log: Value = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await?
        .json()
        .await?;
    let mut t = Traffic::default();
    let mut per_tenant = std::collections::HashMap::<String, u64>::new();
    for entry in log["value"].as_array().into_iter().flatten() {
        let path = entry["path"].as_str().unwrap_or_default();
        t.requests += 1;
        if entry["status"].as_u64() == Some(429) {
            t.throttled += 1;
        }
        if path.contains("/security/") {
            t.security += 1;
            let tenant = entry["tenant"].as_str().unwrap_or_default().to_string();
            *per_tenant.entry(tenant).or_default() += 1;
        } else if path.ends_with("/oauth2/v2.0/token") {
            t.tokens += 1;
        } else if path.contains("tenantRelationships") {
            t.gdap += 1;
        }
    }
    t.max_security_per_tenant = per_tenant.values().copied().max().unwrap_or(0);
    Ok(t)
}

/// Incidents and alerts in the cache file (read directly, so the check
/// does not depend on the engine's own views).
pub fn cache_counts(data_dir: &Path) -> Result<(u64, u64)> {
    let conn = rusqlite::Connection::open(data_dir.join("manage365.db"))?;
    let count = |table: &str| -> Result<u64> {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(n as u64)
    };
    Ok((count("incidents")?, count("alerts")?))
}

/// Fails unless the cache in `data_dir` holds all of `shape`.
pub fn check_complete(data_dir: &Path, shape: &Shape) -> Result<(u64, u64)> {
    let (incidents, alerts) = cache_counts(data_dir)?;
    if incidents != shape.total_incidents() || alerts != shape.total_alerts() {
        return Err(crate::BenchError::Check(format!(
            "cache incomplete: {incidents}/{} incidents, {alerts}/{} alerts",
            shape.total_incidents(),
            shape.total_alerts()
        )));
    }
    Ok((incidents, alerts))
}

/// POSTs JSON to a control path of the simulator.
pub async fn control(sim: &RunningSim, path: &str, body: Value) -> Result<Value> {
    let client = reqwest::Client::new();
    let reply = client
        .post(format!("{}{path}", sim.url()))
        .json(&body)
        .send()
        .await?
        .error_for_status()?;
    Ok(reply.json().await.unwrap_or(Value::Null))
}
