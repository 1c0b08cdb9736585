//! Scenario 6: scenarios 1 and 4 at 50, 500 and 2,000 tenants, to show how
//! the cost grows with the size of the MSP.

use std::time::Instant;

use crate::report::{secs, Figure, Report};
use crate::{cpu, full_sync, queries, scale, world, Result, Size};

/// Tenant counts at `size`.
pub fn steps(size: Size) -> [usize; 3] {
    size.pick([50, 500, 2000], [2, 4, 8])
}

/// Scenario 6.
pub async fn run(size: Size) -> Result<Report> {
    let mut report =
        Report::new("6. Growth: full sync and cache queries at 50, 500 and 2,000 tenants");
    let mut walls = Vec::new();
    for tenants in steps(size) {
        let shape = world::Shape {
            tenants,
            ..full_sync::shape(size)
        };
        let sim = world::start(&shape).await?;
        let m = full_sync::measure(&sim, &shape, None).await?;
        sim.shutdown().await;
        let b =
            crate::bound::full_sync(&shape, m.concurrency, graph_sim::DEFAULT_BUDGET_PER_MINUTE);
        let ratio = m.wall.as_secs_f64() / b.wall().as_secs_f64();
        report.push(
            Figure::info(
                format!("full sync, {tenants} tenants"),
                format!(
                    "{} ({} requests, {:.2} ms per tenant{})",
                    secs(m.wall),
                    m.traffic.requests,
                    m.wall.as_secs_f64() * 1000.0 / tenants as f64,
                    m.cpu.map_or(String::new(), |used| format!(
                        ", CPU floor {}",
                        secs(used.div_f64(cpu::cores() as f64))
                    ))
                ),
            )
            .target("≤ 1.25 × bound", ratio <= 1.25)
            .reference(format!("bound {} → {ratio:.2}×", secs(b.wall()))),
        );
        walls.push(m.wall);
    }
    for tenants in steps(size) {
        // One simulator holds at most this many tenants of this shape in
        // memory here; larger caches are copies of a synced one (`scale`).
        let synced = tenants.min(size.pick(500, 4));
        let shape = queries::shape(size, synced);
        let (desk, dir, built) = queries::build(&shape).await?;
        let copies = tenants.div_ceil(synced) - 1;
        let copied = Instant::now();
        if copies > 0 {
            scale::copy_tenants(dir.path(), copies)?;
            // Any write through the store brings its full-text index up to
            // date with the copied incidents, as after a sync.
            desk.save_settings(desk.settings()).await?;
        }
        let copied = copied.elapsed();
        let p = queries::time_reads(&desk, size.pick(20, 2)).await?;
        let total = shape.total_incidents() * (copies as u64 + 1);
        queries::figures(&mut report, &format!("{total} incidents: "), &p);
        report.note(if copies == 0 {
            format!(
                "{tenants} tenants × {} incidents cache built by a sync in {}",
                shape.incidents,
                secs(built)
            )
        } else {
            format!(
                "{tenants} tenants × {} incidents cache: {synced} tenants synced in {}, then \
                 copied {copies} times under new tenant ids in {} (one simulator is given at \
                 most {synced} tenants of this size: crates/bench/src/scale.rs says why)",
                shape.incidents,
                secs(built),
                secs(copied)
            )
        });
    }
    Ok(report)
}
