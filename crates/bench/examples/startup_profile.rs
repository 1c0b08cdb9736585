//! What the app's start costs on the engine's side, step by step, on a
//! copy of the cache `query_profile` keeps (build it with that example
//! first): time and the process's memory after opening the cache and after
//! each read the app makes on start (the portfolio's first page, the tenant
//! list, Health for the nav badge). The planner's statistics are refreshed
//! on their own thread meanwhile, as in the app.
//!
//! ```sh
//! cargo run --release -p manage365-bench --example startup_profile
//! ```

use std::path::PathBuf;
use std::time::Instant;

use manage365_core::service::Desk;
use manage365_core::views::PortfolioQuery;

/// `Rss`, `Pss_Anon` and `Pss_File` of this process, in MB.
fn memory() -> String {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1000)
    };
    format!(
        "rss {} MB · pss anon {} MB · pss file {} MB",
        field("Rss:"),
        field("Pss_Anon:"),
        field("Pss_File:")
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kept = std::env::var_os("MANAGE365_PROFILE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/m365-bench-cache"));
    let dir = tempfile::tempdir()?;
    std::fs::copy(kept.join("manage365.db"), dir.path().join("manage365.db"))?;
    println!("start: {}", memory());

    let started = Instant::now();
    let step = |label: &str, at: Instant| {
        println!(
            "{label:<28} {:>8.1} ms  {}",
            at.elapsed().as_secs_f64() * 1000.0,
            memory()
        );
    };
    let t = Instant::now();
    let desk = Desk::open(dir.path(), "bench")?;
    step("open", t);
    let t = Instant::now();
    let page = desk.portfolio(PortfolioQuery::default()).await?;
    step("portfolio first page", t);
    let t = Instant::now();
    desk.tenants().await?;
    step("tenant list", t);
    let t = Instant::now();
    desk.health().await?;
    step("health", t);

    println!(
        "total {:.1} ms, {} rows of {}",
        started.elapsed().as_secs_f64() * 1000.0,
        page.items.len(),
        page.total
    );
    Ok(())
}
