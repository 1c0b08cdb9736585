//! Scenario 1: a full sync of the world (500 tenants × 40
//! incidents × 3 alerts, 50 ms per request, Graph's paging and budget),
//! against the lower bound computed in [`crate::bound`].

use std::time::{Duration, Instant};

use graph_sim::{RunningSim, DEFAULT_BUDGET_PER_MINUTE};
use manage365_core::graph::GraphConfig;
use manage365_core::sync::{SyncOptions, Trigger};

use crate::report::{secs, Figure, Report};
use crate::world::{self, Shape, Traffic};
use crate::{bound, cpu, Result, Size};

/// The world of scenarios 1 to 3 at `size`.
pub fn shape(size: Size) -> Shape {
    Shape {
        tenants: size.pick(500, 6),
        incidents: size.pick(40, 5),
        alerts: 3,
        standalone: 3,
        latency_ms: size.pick(50, 5),
    }
}

/// One measured full sync.
pub struct Measured {
    /// Wall time of `sync_once`.
    pub wall: Duration,
    /// What the simulator saw.
    pub traffic: Traffic,
    /// Incidents and alerts in the cache afterwards.
    pub cached: (u64, u64),
    /// How long the cache's single writer was held during the sync.
    pub writer_busy: Duration,
    /// Commits the writer made during the sync.
    pub writer_commits: u64,
    /// CPU time of the process (engine and simulator) during the sync.
    pub cpu: Option<Duration>,
    /// Tenants pulled at once.
    pub tenants_at_once: usize,
    /// The client's cap on requests in flight: the bound's usable
    /// concurrency.
    pub concurrency: usize,
    /// The cache folder (kept for later scenarios).
    pub dir: tempfile::TempDir,
    /// The Desk that ran it.
    pub desk: manage365_core::service::Desk,
}

/// Runs one full sync of `sim` into a fresh cache and checks it is complete.
pub async fn measure(
    sim: &RunningSim,
    shape: &Shape,
    concurrency: Option<usize>,
) -> Result<Measured> {
    let dir = tempfile::tempdir()?;
    let desk = world::desk(sim, dir.path(), concurrency)?;
    world::clear_log(sim).await?;
    let busy_before = desk.cache_writer_busy();
    let commits_before = desk.cache_writer_commits();
    let cpu_before = cpu::process_time();
    let started = Instant::now();
    let summary = desk.sync_once(Trigger::Manual).await?;
    let wall = started.elapsed();
    let cpu = cpu::process_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let writer_busy = desk.cache_writer_busy().saturating_sub(busy_before);
    let writer_commits = desk.cache_writer_commits().saturating_sub(commits_before);
    let traffic = world::traffic(sim).await?;
    if summary.outcome != "ok" {
        return Err(crate::BenchError::Check(format!(
            "sync outcome {}",
            summary.outcome
        )));
    }
    let cached = world::check_complete(dir.path(), shape)?;
    Ok(Measured {
        wall,
        traffic,
        cached,
        writer_busy,
        writer_commits,
        cpu,
        tenants_at_once: concurrency.unwrap_or(SyncOptions::default().concurrency),
        concurrency: concurrency.unwrap_or(GraphConfig::default().max_in_flight),
        dir,
        desk,
    })
}

/// Figures of one measured sync beside its bound.
pub fn figures(report: &mut Report, shape: &Shape, m: &Measured) {
    let b = bound::full_sync(shape, m.concurrency, DEFAULT_BUDGET_PER_MINUTE);
    let ratio = m.wall.as_secs_f64() / b.wall().as_secs_f64();
    report.push(
        Figure::info("wall time", secs(m.wall))
            .target("≤ 1.25 × bound", ratio <= 1.25)
            .reference(format!("bound {} → **{ratio:.2}×**", secs(b.wall()))),
    );
    report.push(
        Figure::info("requests sent", m.traffic.requests.to_string())
            .reference(format!("bound's round trips {}", b.round_trips)),
    );
    report.push(Figure::info(
        "of which security / token / GDAP",
        format!(
            "{} / {} / {}",
            m.traffic.security, m.traffic.tokens, m.traffic.gdap
        ),
    ));
    report.push(
        Figure::info("cache writer held (serial)", secs(m.writer_busy)).reference(format!(
            "{:.0}% of the wall time; {:.2} ms per tenant pull; {} commits",
            100.0 * m.writer_busy.as_secs_f64() / m.wall.as_secs_f64(),
            m.writer_busy.as_secs_f64() * 1000.0 / shape.tenants.max(1) as f64,
            m.writer_commits
        )),
    );
    if let Some(used) = m.cpu {
        let cores = cpu::cores();
        let floor = used.div_f64(cores as f64);
        report.push(
            Figure::info("CPU used, engine + simulator", secs(used)).reference(format!(
                "÷ {cores} cores = floor {} → wall {:.2}× the CPU floor",
                secs(floor),
                m.wall.as_secs_f64() / floor.as_secs_f64().max(0.001)
            )),
        );
    }
    report.push(
        Figure::info("429 answers", m.traffic.throttled.to_string())
            .target("0", m.traffic.throttled == 0),
    );
    report.push(Figure::info(
        "cache",
        format!("{} incidents, {} alerts (complete)", m.cached.0, m.cached.1),
    ));
    report.note(format!(
        "bound = max(R×L÷C = {} × {} ms ÷ {} = {}, critical path {}, budget {}: {} security requests per tenant at {}/min)",
        b.round_trips,
        shape.latency_ms,
        m.concurrency,
        secs(b.throughput),
        secs(b.critical_path),
        secs(b.budget),
        b.security_per_tenant,
        DEFAULT_BUDGET_PER_MINUTE
    ));
}

/// Scenario 1.
pub async fn run(size: Size) -> Result<Report> {
    let shape = shape(size);
    let sim = world::start(&shape).await?;
    let m = measure(&sim, &shape, None).await?;
    let mut report = Report::new(format!(
        "1. Full sync: {} tenants × {} incidents × {} alerts (+{} standalone), {} ms latency, engine defaults ({} tenants at once, {} requests in flight)",
        shape.tenants, shape.incidents, shape.alerts, shape.standalone, shape.latency_ms, m.tenants_at_once, m.concurrency
    ));
    figures(&mut report, &shape, &m);
    sim.shutdown().await;
    Ok(report)
}
