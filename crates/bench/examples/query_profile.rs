//! Profiles scenario 4's reads one by one against a cache kept on disk
//! between runs, so a change to the store can be timed in seconds instead
//! of rebuilding 100k incidents by a full sync each time.
//!
//! ```sh
//! cargo run --release -p manage365-bench --example query_profile [-- ROUNDS [ONLY]]
//! ```
//!
//! With `ONLY`, only the reads whose label contains it run (for `perf`).
//!
//! The cache lives in `$MANAGE365_PROFILE_DIR` (default
//! `/var/tmp/m365-bench-cache`). When `manage365.db` is absent there it is
//! built once by a full sync from a zero-latency simulator (about two
//! minutes at full size); later runs open it as is, so the schema
//! migrations of the code under test run on it too. Delete the folder to
//! start over.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use manage365_bench::queries::{self, percentiles};
use manage365_bench::report::ms;
use manage365_bench::{world, Result, Size};
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use manage365_core::views::PortfolioQuery;

/// How long the reads wait after the open before they are timed.
const SETTLE: Duration = Duration::from_secs(5);

fn cache_dir() -> PathBuf {
    std::env::var_os("MANAGE365_PROFILE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/m365-bench-cache"))
}

/// Opens the kept cache, building it first when it is not there.
async fn open(dir: &Path) -> Result<Desk> {
    if dir.join("manage365.db").exists() {
        return Ok(Desk::open(dir, "bench")?);
    }
    let shape = queries::shape(Size::Full, 500);
    let sim = world::start(&shape).await?;
    let started = Instant::now();
    let desk = world::desk(&sim, dir, None)?;
    desk.sync_once(Trigger::Manual).await?;
    world::check_complete(dir, &shape)?;
    sim.shutdown().await;
    eprintln!("cache built in {:.1} s", started.elapsed().as_secs_f64());
    Ok(desk)
}

/// Times `rounds` calls of one read and prints its percentiles.
async fn time<F, Fut, T>(label: &str, rounds: usize, mut call: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = manage365_core::Result<T>>,
{
    if std::env::args()
        .nth(2)
        .is_some_and(|only| !label.contains(&only))
    {
        return Ok(());
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        call().await?;
        samples.push(started.elapsed());
    }
    let p = percentiles(&mut samples);
    println!(
        "{label:<48} p50 {:>9} · p95 {:>9} · p99 {:>9}",
        ms(p.p50),
        ms(p.p95),
        ms(p.p99)
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let dir = cache_dir();
    let desk = open(&dir).await?;
    // The open starts the planner's statistics refresh on a thread of its
    // own; on a cache another build wrote it can analyze for seconds, on
    // one of the two cores the reads would be timed on.
    tokio::time::sleep(SETTLE).await;
    let first = desk
        .portfolio(PortfolioQuery {
            limit: 1,
            ..PortfolioQuery::default()
        })
        .await?;
    let Some(row) = first.items.first().cloned() else {
        eprintln!("empty cache in {}", dir.display());
        return Ok(());
    };
    let tenant = row.tenant_id.clone();

    for (label, query) in queries::filters(&tenant) {
        time(&format!("portfolio: {label}"), rounds, || {
            desk.portfolio(query.clone())
        })
        .await?;
    }
    time("tenant list", rounds, || desk.tenants()).await?;
    time("tenant incidents", rounds, || {
        desk.tenant_incidents(&tenant, PortfolioQuery::default())
    })
    .await?;
    time("tenant alerts", rounds, || {
        desk.tenant_alerts(&tenant, None)
    })
    .await?;
    time("tenant recommendations", rounds, || {
        desk.tenant_recommendations(&tenant)
    })
    .await?;
    time("incident detail", rounds, || {
        desk.incident_detail(&tenant, &row.id)
    })
    .await?;
    Ok(())
}
