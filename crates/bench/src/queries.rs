//! Scenario 4: reads from a large cache (100k incidents, 300k alerts over
//! 500 tenants): the portfolio's first page with its counts under ten
//! filter combinations, a tenant's panels, and an incident's detail, timed
//! through the same `Desk` calls the app makes.

use std::time::{Duration, Instant};

use manage365_core::model::{Classification, IncidentStatus, Severity};
use manage365_core::service::Desk;
use manage365_core::views::PortfolioQuery;

use crate::report::{ms, secs, Figure, Report};
use crate::world::{self, Shape};
use crate::{full_sync, Result, Size};

/// The cache of scenario 4 at `size`, for `tenants` tenants.
pub fn shape(size: Size, tenants: usize) -> Shape {
    Shape {
        tenants,
        incidents: size.pick(200, 20),
        alerts: 3,
        standalone: 0,
        latency_ms: 0,
    }
}

/// Latency percentiles of one group of calls.
#[derive(Debug, Clone, Copy)]
pub struct Percentiles {
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
}

/// Percentiles of `samples` (nearest rank).
pub fn percentiles(samples: &mut [Duration]) -> Percentiles {
    samples.sort();
    let at = |q: f64| {
        let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
        samples[rank - 1]
    };
    Percentiles {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

/// The ten filter combinations of the portfolio, by label; `tenant` is
/// the one the "one tenant" filter keeps.
pub fn filters(tenant: &str) -> Vec<(&'static str, PortfolioQuery)> {
    let q = PortfolioQuery::default;
    vec![
        ("no filter", q()),
        (
            "severity high",
            PortfolioQuery {
                severity: vec![Severity::High],
                ..q()
            },
        ),
        (
            "status active",
            PortfolioQuery {
                status: vec![IncidentStatus::Active],
                ..q()
            },
        ),
        (
            "high+medium, active",
            PortfolioQuery {
                severity: vec![Severity::High, Severity::Medium],
                status: vec![IncidentStatus::Active],
                ..q()
            },
        ),
        (
            "one tenant",
            PortfolioQuery {
                tenant: vec![tenant.to_string()],
                ..q()
            },
        ),
        (
            "unassigned",
            PortfolioQuery {
                unassigned_only: true,
                ..q()
            },
        ),
        (
            "true positive",
            PortfolioQuery {
                classification: vec![Classification::TruePositive],
                ..q()
            },
        ),
        (
            "MITRE T1566",
            PortfolioQuery {
                mitre: vec!["T1566".into()],
                ..q()
            },
        ),
        (
            "text \"phish\"",
            PortfolioQuery {
                text: Some("phish".into()),
                ..q()
            },
        ),
        (
            "active+in progress, high, unassigned, page 3",
            PortfolioQuery {
                status: vec![IncidentStatus::Active, IncidentStatus::InProgress],
                severity: vec![Severity::High],
                unassigned_only: true,
                offset: 400,
                ..q()
            },
        ),
    ]
}

/// Builds the cache of `shape` by a sync from a zero-latency simulator.
pub async fn build(shape: &Shape) -> Result<(Desk, tempfile::TempDir, Duration)> {
    let sim = world::start(shape).await?;
    let m = full_sync::measure(&sim, shape, None).await?;
    sim.shutdown().await;
    Ok((m.desk, m.dir, m.wall))
}

/// Times every read `rounds` times; returns (portfolio, panels, detail, all).
pub async fn time_reads(desk: &Desk, rounds: usize) -> Result<[Percentiles; 4]> {
    let first = desk
        .portfolio(PortfolioQuery {
            limit: 1,
            ..PortfolioQuery::default()
        })
        .await?;
    let row = first
        .items
        .first()
        .cloned()
        .ok_or_else(|| crate::BenchError::Check("empty cache".into()))?;
    let (mut portfolio, mut panels, mut detail) = (Vec::new(), Vec::new(), Vec::new());
    let timed = |started: Instant, into: &mut Vec<Duration>| into.push(started.elapsed());
    for _ in 0..rounds {
        for (_, query) in filters(&row.tenant_id) {
            let t = Instant::now();
            desk.portfolio(query).await?;
            timed(t, &mut portfolio);
        }
        let t = Instant::now();
        desk.tenants().await?;
        timed(t, &mut panels);
        let t = Instant::now();
        desk.tenant_incidents(&row.tenant_id, PortfolioQuery::default())
            .await?;
        timed(t, &mut panels);
        let t = Instant::now();
        desk.tenant_alerts(&row.tenant_id, None).await?;
        timed(t, &mut panels);
        let t = Instant::now();
        desk.tenant_recommendations(&row.tenant_id).await?;
        timed(t, &mut panels);
        let t = Instant::now();
        desk.incident_detail(&row.tenant_id, &row.id).await?;
        timed(t, &mut detail);
    }
    let mut all: Vec<Duration> = portfolio
        .iter()
        .chain(&panels)
        .chain(&detail)
        .copied()
        .collect();
    Ok([
        percentiles(&mut portfolio),
        percentiles(&mut panels),
        percentiles(&mut detail),
        percentiles(&mut all),
    ])
}

/// Adds the rows of one timed cache to `report`.
pub fn figures(report: &mut Report, label: &str, p: &[Percentiles; 4]) {
    let names = [
        "portfolio page + counts (10 filters)",
        "tenant list + panels",
        "incident detail",
        "all reads",
    ];
    for (name, p) in names.iter().zip(p) {
        report.push(
            Figure::info(
                format!("{label}{name}"),
                format!("p50 {} · p95 {} · p99 {}", ms(p.p50), ms(p.p95), ms(p.p99)),
            )
            .target("p95 ≤ 5 ms", p.p95 <= Duration::from_millis(5)),
        );
    }
}

/// Scenario 4.
pub async fn run(size: Size) -> Result<Report> {
    let shape = shape(size, size.pick(500, 10));
    let (desk, _dir, built) = build(&shape).await?;
    let rounds = size.pick(50, 3);
    let p = time_reads(&desk, rounds).await?;
    let mut report = Report::new(format!(
        "4. Cache queries: {} incidents, {} alerts, {} tenants ({rounds} rounds of every read)",
        shape.total_incidents(),
        shape.total_alerts(),
        shape.tenants
    ));
    figures(&mut report, "", &p);
    report.note(format!(
        "cache built by a full sync from a zero-latency simulator in {}; tenant panels = tenant list with counts, \
         the tenant's incident queue, its alerts, its Secure Score actions",
        secs(built)
    ));
    Ok(report)
}
