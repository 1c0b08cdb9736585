//! Scenario 5: the desktop app's cold start to its first painted portfolio
//! rows from scenario 4's cache with the network off, and the memory of
//! all its processes after load and after scrolling the whole list.
//!
//! This module builds the cache (a full sync from a zero-latency
//! simulator, as scenario 4 does), saves the app registration in it, and
//! hands over to `crates/bench/app/`: `run.sh` opens Xvfb, a private D-Bus
//! session and an unlocked GNOME Keyring, stores the client secret there
//! (written to its stdin from here, never to a file), and `measure.py`
//! runs the app binary against copies of the cache with Graph pointing at
//! a closed loopback port. The app's own log line "first portfolio rows
//! painted" (`src-tauri/startup.rs`) is the mark. Memory is summed over
//! the app and its WebKit children from `/proc/<pid>/smaps_rollup`.
//! Missing tools are named and no figure is made up.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use manage365_core::settings::Settings;
use manage365_core::views::{IncidentRow, PortfolioQuery};
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::report::Report;
use crate::world::Shape;
use crate::{queries, BenchError, Result, Size};

mod figures;

/// The start target of the issue, in seconds.
const START_TARGET_S: f64 = 1.0;
/// The memory target of the issue, in MB (10^6 bytes).
const MEMORY_TARGET_MB: f64 = 250.0;
/// What every session needs (`run.sh`), besides a Python.
const SESSION_TOOLS: [&str; 6] = [
    "xvfb-run",
    "Xvfb",
    "xauth",
    "dbus-run-session",
    "gnome-keyring-daemon",
    "secret-tool",
];

/// Memory of a process tree, as `measure.py` sums it (kB).
#[derive(Debug, Clone, Deserialize)]
struct Memory {
    rss: u64,
    pss: u64,
    pss_anon: u64,
    pss_file: u64,
    pss_shmem: u64,
    /// Of the file PSS, the cache's own file (SQLite maps it).
    pss_cache: u64,
    /// (name, PSS) per process, largest first.
    processes: Vec<(String, u64)>,
}

/// One timed cold start.
#[derive(Debug, Clone, Deserialize)]
struct Run {
    wall_ms: f64,
    since_start_ms: u64,
    /// The page's clock at the mark: navigation start to the paint.
    page_ms: Option<u64>,
    /// Navigation start to the app's scripts running.
    script_ms: Option<u64>,
    rows: u64,
    memory: Memory,
    /// The 1-minute load average before the run.
    load: f64,
}

/// How the wheel scroll went.
#[derive(Debug, Clone, Deserialize)]
struct Wheel {
    clicks: u64,
    seconds: f64,
}

/// The scroll run (through tauri-driver).
#[derive(Debug, Clone, Deserialize)]
struct Scroll {
    loaded: Memory,
    scrolled: Memory,
    scroll: Wheel,
    idle: bool,
    pages: u64,
    unfetched: Vec<u64>,
    reloads: i64,
}

/// Everything `measure.py` prints.
#[derive(Debug, Clone, Deserialize)]
struct Answer {
    runs: Vec<Run>,
    scroll: Option<Scroll>,
    scroll_missing: Vec<String>,
}

/// The built app to run: release first at full size, debug first at the
/// small (CI) size; with its profile name.
fn app_binary(size: Size) -> Option<(PathBuf, &'static str)> {
    // The bench binary itself lives in <target>/<profile>/.
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()));
    let targets = [
        beside,
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from),
        Some(repo_root().join("target")),
    ];
    let profiles = size.pick(["release", "debug"], ["debug", "release"]);
    profiles.into_iter().find_map(|profile| {
        targets
            .iter()
            .flatten()
            .map(|t| t.join(profile).join("manage365-desk"))
            .find(|p| p.is_file())
            .map(|p| (p, profile))
    })
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

/// The e2e suite's venv (it has selenium, for the scroll run), else any
/// `python3`.
fn python() -> Option<PathBuf> {
    let venv = repo_root().join(".venv-e2e/bin/python");
    if venv.exists() {
        return Some(venv);
    }
    on_path("python3").then(|| PathBuf::from("python3"))
}

/// The cache of scenario 4 with the app registration saved in it, the way
/// an analyst's Settings page leaves it; returns the first and last rows.
async fn build_cache(shape: &Shape) -> Result<(tempfile::TempDir, serde_json::Value)> {
    let (desk, dir, _) = queries::build(shape).await?;
    let first = desk.portfolio(PortfolioQuery {
        limit: 1,
        ..PortfolioQuery::default()
    });
    let first = first.await?;
    let total = first.total;
    let last = desk
        .portfolio(PortfolioQuery {
            offset: total.saturating_sub(1),
            limit: 1,
            ..PortfolioQuery::default()
        })
        .await?;
    let row = |r: Option<&IncidentRow>| -> Result<serde_json::Value> {
        let r = r.ok_or_else(|| BenchError::Check("empty cache".into()))?;
        Ok(json!({ "tenantName": r.tenant_name, "displayName": r.display_name }))
    };
    let expect = json!({
        "total": total,
        "first": row(first.items.first())?,
        "last": row(last.items.first())?,
    });
    let sim = shape.sim_config();
    desk.save_settings(Settings {
        client_id: sim.client_id,
        partner_tenant: sim.partner_tenant,
        sign_in: Some("client_secret".into()),
        ..Settings::default()
    })
    .await?;
    Ok((dir, expect))
}

/// `bash run.sh <client id> <python> <measure.py arguments>`.
fn session_command(
    client_id: &str,
    python: &Path,
    binary: &Path,
    cache: &Path,
    work: &Path,
    size: Size,
) -> tokio::process::Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("app/run.sh");
    let mut command = tokio::process::Command::new("bash");
    command.arg(script).arg(client_id).arg(python);
    command.arg("--app").arg(binary).arg("--cache").arg(cache);
    command
        .arg("--work")
        .arg(work)
        .arg("--out")
        .arg(work.join("result.json"));
    command.args(["--runs", size.pick("3", "1"), "--timeout", "120"]);
    if size == Size::Full {
        command.arg("--warmup");
    }
    command
}

/// Runs `run.sh` and reads its JSON answer.
async fn measure(
    binary: &Path,
    python: &Path,
    cache: &Path,
    expect: &serde_json::Value,
    size: Size,
    shape: &Shape,
) -> Result<Answer> {
    let work = tempfile::tempdir()?;
    let result = work.path().join("result.json");
    let sim = shape.sim_config();
    let mut command = session_command(&sim.client_id, python, binary, cache, work.path(), size);
    command.arg("--expect").arg(expect.to_string());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    // The secret goes to the keyring through secret-tool's stdin only.
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(sim.client_secret.as_bytes()).await?;
    drop(stdin);
    let out = child.wait_with_output().await?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("dbus-daemon") && !l.contains("SpiRegistry"))
            .collect();
        return Err(BenchError::Check(format!(
            "the app run failed ({}): {}",
            out.status,
            why[why.len().saturating_sub(40)..].join("\n")
        )));
    }
    let text = std::fs::read(&result)?;
    serde_json::from_slice(&text)
        .map_err(|e| BenchError::Check(format!("measure.py wrote no readable result: {e}")))
}

/// Scenario 5.
pub async fn run(size: Size) -> Result<Report> {
    let shape = queries::shape(size, size.pick(500, 10));
    let mut report = Report::new(format!(
        "5. App: cold start to first rows, memory of all its processes ({} incidents cached, network off)",
        shape.total_incidents()
    ));
    let binary = app_binary(size);
    let python = python();
    let mut missing: Vec<String> = SESSION_TOOLS
        .iter()
        .filter(|t| !on_path(t))
        .map(|t| t.to_string())
        .collect();
    if binary.is_none() {
        missing.push("the app binary (cargo build [--release] -p manage365-desk)".into());
    }
    if python.is_none() {
        missing.push("python3".into());
    }
    let (Some((binary, profile)), Some(python), true) = (binary, python, missing.is_empty()) else {
        figures::not_measured(&mut report, &missing);
        return Ok(report);
    };
    let (cache, expect) = build_cache(&shape).await?;
    let answer = measure(&binary, &python, cache.path(), &expect, size, &shape).await?;
    figures::start(&mut report, &answer.runs);
    match &answer.scroll {
        Some(scroll) => figures::scroll(&mut report, scroll, shape.total_incidents()),
        None => figures::scroll_missing(&mut report, &answer.scroll_missing),
    }
    figures::notes(&mut report, &binary, profile, &answer);
    Ok(report)
}
