//! Scenario 2: the same full pull written on Microsoft's official Graph SDK
//! for Python (`peer/graph_sdk_peer.py`), against the same simulator in
//! the same run, in two variants: the SDK's models and raw JSON through
//! the SDK's transport. Our engine runs at the peer's concurrency cap and
//! at its own defaults.
//!
//! The models variant spends milliseconds of CPU per object, so at full
//! size it pulls only the first [`MODELS_TENANTS`] tenants and its time is
//! extrapolated linearly to all of them (it is CPU-bound, so its time grows
//! with the objects it parses).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use graph_sim::RunningSim;
use serde_json::Value;

use crate::full_sync::{self, Measured};
use crate::report::{secs, Figure, Report};
use crate::world::{self, Shape};
use crate::{BenchError, Result, Size};

/// The peer's concurrency cap: tenants pulled at once, as a sensible
/// script would bound its asyncio tasks.
pub const PEER_CAP: usize = 16;

/// Tenants the models variant pulls at full size.
pub const MODELS_TENANTS: usize = 10;

/// The Python with msgraph-sdk installed: `MANAGE365_BENCH_PYTHON`, else
/// the venv in `crates/bench/.venv`.
pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MANAGE365_BENCH_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    venv.exists().then_some(venv)
}

/// What the peer script reported.
#[derive(Debug, Clone)]
pub struct PeerRun {
    /// Tenants pulled.
    pub tenants: u64,
    /// Incidents read.
    pub incidents: u64,
    /// Distinct alerts read.
    pub alerts: u64,
    /// The script's own wall time (after Python start-up and imports).
    pub wall: Duration,
    /// Requests the simulator saw.
    pub requests: u64,
}

/// Runs the peer script once against `sim`.
pub async fn run_peer(
    sim: &RunningSim,
    variant: &str,
    cap: usize,
    max_tenants: usize,
) -> Result<PeerRun> {
    let python =
        python().ok_or_else(|| BenchError::Peer("no Python venv with msgraph-sdk".into()))?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peer/graph_sdk_peer.py");
    world::clear_log(sim).await?;
    let output = tokio::process::Command::new(python)
        .arg(script)
        .args([
            "--url",
            &sim.url(),
            "--partner-tenant",
            &sim.partner_tenant(),
        ])
        .args([
            "--client-id",
            &sim.client_id(),
            "--client-secret",
            &sim.client_secret(),
        ])
        .args(["--variant", variant, "--concurrency", &cap.to_string()])
        .args(["--max-tenants", &max_tenants.to_string()])
        .stdin(Stdio::null())
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let result: Value = serde_json::from_str(line).map_err(|e| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        BenchError::Peer(format!("{e}; stdout {stdout:?}; stderr {stderr:?}"))
    })?;
    if result["errorCount"].as_u64() != Some(0) {
        return Err(BenchError::Peer(format!(
            "tenants failed: {}",
            result["errors"]
        )));
    }
    let traffic = world::traffic(sim).await?;
    Ok(PeerRun {
        tenants: result["tenants"].as_u64().unwrap_or(0),
        incidents: result["incidents"].as_u64().unwrap_or(0),
        alerts: result["alerts"].as_u64().unwrap_or(0),
        wall: Duration::from_secs_f64(result["wallSeconds"].as_f64().unwrap_or(0.0)),
        requests: traffic.requests,
    })
}

fn check_peer(run: &PeerRun, shape: &Shape, tenants: usize) -> Result<()> {
    let expected = Shape { tenants, ..*shape };
    if run.incidents != expected.total_incidents() || run.alerts != expected.total_alerts() {
        return Err(BenchError::Check(format!(
            "peer read {} incidents and {} alerts, expected {} and {}",
            run.incidents,
            run.alerts,
            expected.total_incidents(),
            expected.total_alerts()
        )));
    }
    Ok(())
}

/// Scenario 2.
pub async fn run(size: Size) -> Result<Report> {
    let shape = full_sync::shape(size);
    let mut report = Report::new(format!(
        "2. Peer: the same pull on msgraph-sdk (Python), {} tenants, {} ms latency, peer cap {PEER_CAP} tenants at once",
        shape.tenants, shape.latency_ms
    ));
    if python().is_none() {
        report.note(
            "not measured: no Python with msgraph-sdk. Run `python3 -m venv crates/bench/.venv && \
             crates/bench/.venv/bin/pip install -r crates/bench/peer/requirements.txt`",
        );
        return Ok(report);
    }
    let sim = world::start(&shape).await?;
    let ours_cap = full_sync::measure(&sim, &shape, Some(PEER_CAP)).await?;
    let ours = full_sync::measure(&sim, &shape, None).await?;
    let raw = run_peer(&sim, "raw", PEER_CAP, 0).await?;
    check_peer(&raw, &shape, shape.tenants)?;
    let models_tenants = size.pick(MODELS_TENANTS, shape.tenants).min(shape.tenants);
    let models = run_peer(&sim, "models", PEER_CAP, models_tenants).await?;
    check_peer(&models, &shape, models_tenants)?;
    sim.shutdown().await;

    figures(&mut report, &shape, &ours_cap, &ours, &raw, &models);
    Ok(report)
}

fn figures(
    report: &mut Report,
    shape: &Shape,
    ours_cap: &Measured,
    ours: &Measured,
    raw: &PeerRun,
    models: &PeerRun,
) {
    let scale = shape.tenants as f64 / models.tenants.max(1) as f64;
    let models_wall = models.wall.mul_f64(scale);
    let vs_models = models_wall.as_secs_f64() / ours.wall.as_secs_f64();
    let same_cap = raw.wall.as_secs_f64() / ours_cap.wall.as_secs_f64();
    let defaults = raw.wall.as_secs_f64() / ours.wall.as_secs_f64();
    report.push(
        Figure::info(
            format!("ours, cap {PEER_CAP}"),
            format!(
                "{} ({} requests)",
                secs(ours_cap.wall),
                ours_cap.traffic.requests
            ),
        )
        .target("no slower than raw peer", same_cap >= 1.0)
        .reference(format!("raw peer {} → **{same_cap:.2}×**", secs(raw.wall))),
    );
    report.push(
        Figure::info(
            format!("ours, defaults (cap {})", ours.concurrency),
            format!("{} ({} requests)", secs(ours.wall), ours.traffic.requests),
        )
        .target("≥ 3× faster than raw peer", defaults >= 3.0)
        .reference(format!("raw peer {} → **{defaults:.2}×**", secs(raw.wall))),
    );
    report.push(
        Figure::info("ours, defaults vs models peer", secs(ours.wall))
            .target("≥ 10× faster", vs_models >= 10.0)
            .reference(format!(
                "models peer {} (extrapolated) → **{vs_models:.1}×**",
                secs(models_wall)
            )),
    );
    report.push(Figure::info(
        "raw peer",
        format!(
            "{} ({} requests, {} incidents, {} alerts)",
            secs(raw.wall),
            raw.requests,
            raw.incidents,
            raw.alerts
        ),
    ));
    report.push(Figure::info(
        "models peer, measured",
        format!(
            "{} for {} tenants ({} requests)",
            secs(models.wall),
            models.tenants,
            models.requests
        ),
    ));
    report.push(Figure::info(
        "our cache",
        format!(
            "{} incidents, {} alerts: complete (both runs)",
            ours.cached.0, ours.cached.1
        ),
    ));
    report.note(
        "each ratio is the peer's wall time ÷ ours: above 1 we are faster; the raw peer runs at \
         its cap of 16 tenants at once",
    );
    report.note(format!(
        "models peer extrapolated × {scale:.0} ({} → {} tenants): it is CPU-bound in model parsing, so its time grows with the objects it parses",
        models.tenants, shape.tenants
    ));
    report.note(
        "both peers send $top=1000 on incidents/alerts_v2 like our engine, so request counts match except our GDAP capability reads \
         (one accessAssignments read per relationship, which the peer skips: it learns a missing role from a 403)",
    );
}
