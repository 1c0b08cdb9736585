//! Per-tenant pacing, so that a normal sync stays under Graph's limits and
//! never meets a 429.
//!
//! Graph's security limits are per app *per tenant*, so each tenant gets
//! its own gate: a semaphore for requests in flight and a sliding
//! 60-second window of send times. Tenants never wait for each other.
//!
//! Only `/security/...` paths are paced: the 150/min budget and the
//! "max 4 concurrent" are security service limits. Other paths (GDAP on
//! the partner tenant, `/organization`, the token endpoint) fall under
//! Graph's global limits, which are orders of magnitude higher; pacing
//! them at 150/min made reading 500 GDAP relationships take minutes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(60);

/// The gates of every tenant seen so far.
#[derive(Debug)]
pub(crate) struct Pacer {
    per_minute: u32,
    concurrent: usize,
    gates: Mutex<HashMap<String, Arc<Gate>>>,
}

#[derive(Debug)]
struct Gate {
    /// Bounds requests in flight to the tenant; a permit is held for one
    /// HTTP exchange, not across retry sleeps.
    in_flight: Arc<Semaphore>,
    /// Send times within the last minute, oldest first.
    sent: Mutex<VecDeque<Instant>>,
}

impl Pacer {
    /// A pacer allowing `per_minute` sends per tenant per 60 s (0 = no
    /// limit) and `concurrent` in flight (at least 1).
    pub(crate) fn new(per_minute: u32, concurrent: usize) -> Self {
        Pacer {
            per_minute,
            concurrent: concurrent.max(1),
            gates: Mutex::default(),
        }
    }

    fn gate(&self, tenant: &str) -> Arc<Gate> {
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        gates
            .entry(tenant.to_string())
            .or_insert_with(|| {
                Arc::new(Gate {
                    in_flight: Arc::new(Semaphore::new(self.concurrent)),
                    sent: Mutex::default(),
                })
            })
            .clone()
    }

    /// Waits until one more request to `path` (a URL path such as
    /// `/v1.0/security/incidents`) of `tenant` fits both limits; the
    /// returned permit must be held while the request is in flight. Paths
    /// outside the security service pass at once, without a permit.
    pub(crate) async fn admit(&self, tenant: &str, path: &str) -> Option<OwnedSemaphorePermit> {
        if !is_security_path(path) {
            return None;
        }
        let gate = self.gate(tenant);
        let permit = gate
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("pacing semaphores are never closed");
        while let Some(wait) = self.reserve(&gate) {
            tracing::debug!(tenant, wait_ms = wait.as_millis() as u64, "pacing");
            tokio::time::sleep(wait).await;
        }
        Some(permit)
    }

    /// Records a send now and returns `None`, or returns how long to wait
    /// until the oldest send leaves the window.
    fn reserve(&self, gate: &Gate) -> Option<Duration> {
        if self.per_minute == 0 {
            return None;
        }
        let now = Instant::now();
        let mut sent = gate.sent.lock().unwrap_or_else(|e| e.into_inner());
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            sent.pop_front();
        }
        if sent.len() < self.per_minute as usize {
            sent.push_back(now);
            return None;
        }
        sent.front()
            .map(|oldest| (*oldest + WINDOW).saturating_duration_since(now))
    }
}

/// True for `/{version}/security/...`, the paths under the security
/// service limits.
fn is_security_path(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    segments.next();
    segments.next() == Some("security")
}

#[cfg(test)]
mod tests {
    use super::*;

    const INCIDENTS: &str = "/v1.0/security/incidents";

    #[tokio::test(start_paused = true)]
    async fn a_tenant_over_its_minute_budget_waits_for_the_window() {
        let pacer = Pacer::new(3, 4);
        let start = Instant::now();

        for _ in 0..3 {
            drop(pacer.admit("t1", INCIDENTS).await);
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "first three go at once"
        );
        drop(pacer.admit("t1", INCIDENTS).await);

        assert!(
            start.elapsed() >= WINDOW,
            "the fourth waits a minute: {:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tenants_do_not_share_a_budget() {
        let pacer = Pacer::new(1, 1);
        let start = Instant::now();

        drop(pacer.admit("t1", INCIDENTS).await);
        drop(pacer.admit("t2", INCIDENTS).await);

        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_per_tenant_are_bounded() {
        let pacer = Arc::new(Pacer::new(0, 1));
        let held = pacer.admit("t1", INCIDENTS).await;

        let waiting =
            tokio::time::timeout(Duration::from_secs(5), pacer.admit("t1", INCIDENTS)).await;
        assert!(
            waiting.is_err(),
            "a second request waits while the first is in flight"
        );
        drop(held);
        assert!(
            tokio::time::timeout(Duration::from_secs(5), pacer.admit("t1", INCIDENTS))
                .await
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn partner_gdap_reads_are_not_held_to_the_security_budget() {
        let pacer = Pacer::new(1, 1);
        let start = Instant::now();
        let path = "/v1.0/tenantRelationships/delegatedAdminRelationships";

        let permits: Vec<_> = [pacer.admit("p", path).await, pacer.admit("p", path).await].into();

        assert!(permits.iter().all(Option::is_none));
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(is_security_path("/v1.0/security/alerts_v2"));
        assert!(!is_security_path("/v1.0/organization"));
    }
}
