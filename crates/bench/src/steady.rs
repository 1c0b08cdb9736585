//! Scenario 3: after a full sync, 1% of incidents change in the simulator
//! and one scheduled tick runs. Counts the requests it sends per tenant.

use std::time::Instant;

use manage365_core::sync::Trigger;
use serde_json::json;

use crate::full_sync;
use crate::report::{secs, Figure, Report};
use crate::world;
use crate::{Result, Size};

/// Scenario 3.
pub async fn run(size: Size) -> Result<Report> {
    let shape = full_sync::shape(size);
    let sim = world::start(&shape).await?;
    let first = full_sync::measure(&sim, &shape, None).await?;

    world::control(&sim, "/_sim/touch", json!({"fraction": 0.01})).await?;
    world::clear_log(&sim).await?;
    let started = Instant::now();
    let summary = first.desk.sync_once(Trigger::Scheduled).await?;
    let wall = started.elapsed();
    let t = world::traffic(&sim).await?;
    world::check_complete(first.dir.path(), &shape)?;
    if summary.outcome != "ok" {
        return Err(crate::BenchError::Check(format!(
            "tick outcome {}",
            summary.outcome
        )));
    }

    let n = shape.tenants as f64;
    let all = t.requests as f64 / n;
    let customer = (t.security + t.tokens) as f64 / n;
    let mut report = Report::new(format!(
        "3. Steady tick: 1% of incidents changed, one tick over {} tenants",
        shape.tenants
    ));
    report.push(
        Figure::info("requests per tenant, all", format!("{all:.2}"))
            .target("≤ 1.1", all <= 1.1)
            .reference(format!(
                "{} requests / {} tenants",
                t.requests, shape.tenants
            )),
    );
    report.push(
        Figure::info(
            "requests per tenant, to the customer tenants",
            format!("{customer:.2}"),
        )
        .target("≤ 1.1", customer <= 1.1)
        .reference(format!("{} security + {} token", t.security, t.tokens)),
    );
    report.push(Figure::info(
        "GDAP requests (partner tenant)",
        t.gdap.to_string(),
    ));
    report.push(Figure::info("tick wall time", secs(wall)));
    report.push(Figure::info("429 answers", t.throttled.to_string()).target("0", t.throttled == 0));
    report.note(
        "each tick re-reads GDAP so a newly granted role unskips its tenant: customers and relationships \
         (one page each per 300); access assignments are read again only for skipped tenants and changed relationships",
    );
    sim.shutdown().await;
    Ok(report)
}
