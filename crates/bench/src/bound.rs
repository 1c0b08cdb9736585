//! The lower bound of a full sync, from the simulator's own parameters.
//!
//! A full pull must make at least these round trips, each costing the
//! simulator's latency `L`, with the largest pages the simulator (like
//! Graph) serves: GDAP lists at `$top=300`, incidents at 1000, alerts_v2
//! at 2000.
//!
//! - partner token, GDAP customers and relationships pages, one
//!   access-assignment read per relationship (the capability check);
//! - per tenant: a token, incident pages, alerts_v2 pages, `/organization`,
//!   `secureScores`, and `secureScoreControlProfiles` (one page each).
//!
//! With at most `C` requests in flight (the usable concurrency: the client's
//! cap, since the simulator has none), the run cannot end before
//! `R × L ÷ C`. It also cannot beat its critical path (partner token, the
//! GDAP pages, one assignment, then a tenant's token and one data request),
//! nor a tenant's budget: `s` security requests at `B` per minute need at
//! least `⌊(s − 1) ÷ B⌋` minutes. The bound is the largest of the three.

use std::time::Duration;

use crate::world::Shape;

/// Largest page of each collection (the simulator's caps, see its README).
const GDAP_PAGE: usize = 300;
const INCIDENT_PAGE: usize = 1000;
const ALERT_PAGE: usize = 2000;

/// The bound and how it was computed.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    /// Round trips the pull needs at least.
    pub round_trips: u64,
    /// Security requests per tenant.
    pub security_per_tenant: u64,
    /// `round_trips × latency ÷ concurrency`.
    pub throughput: Duration,
    /// The critical path.
    pub critical_path: Duration,
    /// The per-tenant budget term.
    pub budget: Duration,
}

impl Bound {
    /// The bound: the largest of its terms.
    pub fn wall(&self) -> Duration {
        self.throughput.max(self.critical_path).max(self.budget)
    }
}

/// The bound for a full sync of `shape` with `concurrency` requests in
/// flight and `budget_per_minute` security requests per tenant.
pub fn full_sync(shape: &Shape, concurrency: usize, budget_per_minute: u32) -> Bound {
    let n = shape.tenants;
    let gdap_pages = n.div_ceil(GDAP_PAGE).max(1);
    let gdap = 1 + 2 * gdap_pages + n;
    let incident_pages = shape.incidents.div_ceil(INCIDENT_PAGE).max(1);
    let alert_pages = (shape.incidents * shape.alerts + shape.standalone)
        .div_ceil(ALERT_PAGE)
        .max(1);
    let security = incident_pages + alert_pages + 2;
    let per_tenant = 1 + security + 1;
    let round_trips = (gdap + n * per_tenant) as u64;

    let latency = Duration::from_millis(shape.latency_ms);
    let throughput = latency.mul_f64(round_trips as f64 / concurrency.max(1) as f64);
    let critical_path = latency * (1 + gdap_pages + 1 + 2) as u32;
    let minutes = (security as u64).saturating_sub(1) / u64::from(budget_per_minute.max(1));
    Bound {
        round_trips,
        security_per_tenant: security as u64,
        throughput,
        critical_path,
        budget: Duration::from_secs(60 * minutes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_world_is_throughput_bound() {
        let shape = Shape {
            tenants: 500,
            incidents: 40,
            alerts: 3,
            standalone: 3,
            latency_ms: 50,
        };

        let bound = full_sync(&shape, 64, 150);

        assert_eq!(bound.round_trips, 1 + 2 * 2 + 500 + 500 * 6);
        assert_eq!(bound.security_per_tenant, 4);
        assert_eq!(bound.budget, Duration::ZERO);
        assert_eq!(bound.wall(), bound.throughput);
    }

    #[test]
    fn a_tenant_over_its_budget_waits_whole_minutes() {
        let shape = Shape {
            tenants: 1,
            incidents: 200_000,
            alerts: 1,
            standalone: 0,
            latency_ms: 1,
        };

        let bound = full_sync(&shape, 4, 150);

        assert_eq!(bound.security_per_tenant, 200 + 100 + 2);
        assert_eq!(bound.budget, Duration::from_secs(120));
    }
}
