//! Suite 2, crashes: `manage365-cli` is killed with SIGKILL at random
//! moments (seeded) during `sync --once` and during `update`, against a
//! graph-sim process with latency. After each kill the cache file must
//! pass `PRAGMA integrity_check`, hold each tenant's previous or new state
//! (never a mix), have audited every update Graph received, and converge
//! on the next sync. `RELIABILITY_FULL=1` runs 50 kill points, else 8.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use common::{cli, cli_command, get, post, Sim};

/// One incident as the all-or-nothing check compares it.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    updated: Option<DateTime<Utc>>,
    status: String,
    assigned: Option<String>,
    comments: usize,
    alerts: BTreeSet<String>,
}

/// Tenant id → incident id → item.
type Snapshot = BTreeMap<String, BTreeMap<String, Item>>;

fn status_key(raw: &str) -> String {
    raw.to_lowercase().replace('_', "")
}

fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What the cache file holds, read with SQLite directly.
fn cached(db: &Path) -> Snapshot {
    let conn = rusqlite::Connection::open(db).expect("cache opens");
    let mut snapshot = Snapshot::new();
    // Killed before its first migration ran: an empty cache.
    let migrated: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'incidents'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if migrated == 0 {
        return snapshot;
    }
    let mut stmt = conn
        .prepare(
            "SELECT tenant_id, id, last_update_at, status, assigned_to, comments FROM incidents",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            let comments: String = r.get(5)?;
            let count = serde_json::from_str::<Vec<Value>>(&comments).map_or(0, |c| c.len());
            let item = Item {
                updated: parse_time(&r.get::<_, String>(2)?),
                status: status_key(&r.get::<_, String>(3)?),
                assigned: r.get(4)?,
                comments: count,
                alerts: BTreeSet::new(),
            };
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, item))
        })
        .unwrap();
    for row in rows {
        let (tenant, id, item) = row.unwrap();
        snapshot.entry(tenant).or_default().insert(id, item);
    }
    let mut stmt = conn
        .prepare("SELECT tenant_id, incident_id, id FROM alerts WHERE incident_id IS NOT NULL")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })
        .unwrap();
    for row in rows {
        let (tenant, incident, alert) = row.unwrap();
        if let Some(item) = snapshot.get_mut(&tenant).and_then(|t| t.get_mut(&incident)) {
            item.alerts.insert(alert);
        }
    }
    snapshot
}

/// The simulator's truth for the tenants the engine can read.
fn truth(sim: &Sim) -> Snapshot {
    let state = get(&format!("{}/_sim/state", sim.url));
    let mut snapshot = Snapshot::new();
    for tenant in state["tenants"].as_array().unwrap() {
        if tenant["securityAccess"] == "none" || tenant["consented"] != true {
            continue;
        }
        let items = tenant["incidents"].as_array().unwrap().iter().map(|i| {
            let alerts = i["alerts"].as_array().unwrap().iter();
            let item = Item {
                updated: i["lastUpdateDateTime"].as_str().and_then(parse_time),
                status: status_key(i["status"].as_str().unwrap_or_default()),
                assigned: i["assignedTo"].as_str().map(String::from),
                comments: i["comments"].as_array().map_or(0, Vec::len),
                alerts: alerts
                    .map(|a| a["id"].as_str().unwrap().to_string())
                    .collect(),
            };
            (i["id"].as_str().unwrap().to_string(), item)
        });
        snapshot.insert(
            tenant["tenantId"].as_str().unwrap().to_string(),
            items.collect(),
        );
    }
    snapshot
}

fn integrity_ok(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).expect("cache opens");
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    result == "ok"
}

/// Tenants whose cached state is neither `before` nor `after`.
fn mixed(now: &Snapshot, before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let empty = BTreeMap::new();
    let tenants: BTreeSet<&String> = now
        .keys()
        .chain(before.keys())
        .chain(after.keys())
        .collect();
    tenants
        .into_iter()
        .filter(|t| {
            let here = now.get(*t).unwrap_or(&empty);
            here != before.get(*t).unwrap_or(&empty) && here != after.get(*t).unwrap_or(&empty)
        })
        .cloned()
        .collect()
}

/// Spawns the CLI, kills it with SIGKILL after `delay`; true when it
/// was still running at that moment.
fn kill_after(sim: &Sim, dir: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = cli_command(&sim.url, dir, args)
        .spawn()
        .expect("manage365-cli starts");
    std::thread::sleep(delay);
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
    running
}

fn timed(sim: &Sim, dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let output = cli(&sim.url, dir, args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    started.elapsed()
}

/// Updates Graph received with `marker` and whether each is audited.
fn sent_unaudited(sim: &Sim, db: &Path, marker: &str) -> (usize, usize) {
    let log = get(&format!("{}/_sim/requests", sim.url));
    let sent: Vec<&str> = log["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 200 || r["status"] == 201)
        .filter_map(|r| match r["method"].as_str() {
            Some("PATCH") if r["body"]["assignedTo"] == marker => Some("update_incident"),
            Some("POST") if r["body"]["comment"] == marker => Some("add_comment"),
            _ => None,
        })
        .collect();
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT action FROM audit_log WHERE request_body LIKE '%' || ?1 || '%'")
        .unwrap();
    let audited: Vec<String> = stmt
        .query_map([marker], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let missing = sent
        .iter()
        .filter(|a| !audited.iter().any(|b| b == *a))
        .count();
    (sent.len(), missing)
}

/// The tenant, an incident and a UPN domain for updates.
fn update_target(sim: &Sim, round: usize) -> (String, String, String) {
    let state = get(&format!("{}/_sim/state", sim.url));
    let tenant = state["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["securityAccess"] == "write" && t["consented"] == true)
        .expect("a writable tenant");
    let incidents = tenant["incidents"].as_array().unwrap();
    let incident = &incidents[round % incidents.len()];
    (
        tenant["tenantId"].as_str().unwrap().into(),
        incident["id"].as_str().unwrap().into(),
        tenant["domains"][0].as_str().unwrap().into(),
    )
}

#[derive(Default)]
struct Figures {
    kills: usize,
    mid_run: usize,
    integrity_ok: usize,
    all_or_nothing: usize,
    audited: usize,
    updates_sent: usize,
    converged: usize,
    passed: usize,
}

#[test]
fn sigkill_at_random_moments_never_corrupts_mixes_or_loses_an_audited_update() {
    let kills = if common::full() { 50 } else { 8 };
    let tenants = if common::full() { "8" } else { "4" };
    let sim = common::start_sim(&[
        "--tenants",
        tenants,
        "--without-security-roles",
        "1",
        "--read-only",
        "1",
        "--page-size",
        "5",
        "--latency-ms",
        "25",
        "--seed",
        "31",
    ]);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xc0ffee);
    let root = tempfile::tempdir().unwrap();
    let mut dir = root.path().join("cache-0");
    timed(&sim, &dir, &["sync", "--once"]);
    let sync_budget = timed(&sim, &dir, &["sync", "--once"]);
    let (tenant, incident, domain) = update_target(&sim, 0);
    let warmup = format!("crash-warmup@{domain}");
    let update_budget = timed(
        &sim,
        &dir,
        &[
            "update",
            "--tenant",
            &tenant,
            "--incident",
            &incident,
            "--assigned-to",
            &warmup,
            "--comment",
            &warmup,
        ],
    );
    let mut f = Figures::default();

    for round in 0..kills {
        f.kills += 1;
        let during_update = round % 2 == 1;
        if !during_update && round % 4 == 0 {
            dir = root.path().join(format!("cache-{round}")); // a first, full sync
        }
        let db = dir.join("manage365.db");
        let before = if db.exists() {
            cached(&db)
        } else {
            Snapshot::new()
        };
        let mut sent = 0;
        let mut unaudited = 0;
        let killed = if during_update {
            let (tenant, incident, domain) = update_target(&sim, round);
            let marker = format!("crash-{round}@{domain}");
            reqwest::blocking::Client::new()
                .delete(format!("{}/_sim/requests", sim.url))
                .send()
                .unwrap();
            let budget = update_budget.mul_f64(1.2).as_millis() as u64;
            let delay = Duration::from_millis(rng.gen_range(0..=budget));
            let args = [
                "update",
                "--tenant",
                &tenant,
                "--incident",
                &incident,
                "--assigned-to",
                &marker,
                "--comment",
                &marker,
            ];
            let killed = kill_after(&sim, &dir, &args, delay);
            (sent, unaudited) = sent_unaudited(&sim, &db, &marker);
            killed
        } else {
            post(&format!("{}/_sim/touch", sim.url), json!({"fraction": 0.3}));
            let budget = sync_budget.mul_f64(1.2).as_millis() as u64;
            let delay = Duration::from_millis(rng.gen_range(0..=budget));
            kill_after(&sim, &dir, &["sync", "--once"], delay)
        };
        f.mid_run += usize::from(killed);
        f.updates_sent += sent;
        let after = truth(&sim);

        let integrity = !db.exists() || integrity_ok(&db);
        let now = if db.exists() {
            cached(&db)
        } else {
            Snapshot::new()
        };
        let mix = if during_update {
            Vec::new()
        } else {
            mixed(&now, &before, &after)
        };
        let converged =
            timed(&sim, &dir, &["sync", "--once"]) > Duration::ZERO && cached(&db) == truth(&sim);
        if !mix.is_empty() || !integrity || unaudited > 0 || !converged {
            eprintln!("kill {round}: integrity={integrity} mixed={mix:?} unaudited={unaudited} converged={converged}");
        }
        f.integrity_ok += usize::from(integrity);
        f.all_or_nothing += usize::from(mix.is_empty());
        f.audited += usize::from(unaudited == 0);
        f.converged += usize::from(converged);
        f.passed += usize::from(integrity && mix.is_empty() && unaudited == 0 && converged);
    }

    println!(
        "reliability crash: kills={} mid_run={} integrity_ok={} all_or_nothing={} \
         audited={} updates_sent={} converged={} passed={}/{}",
        f.kills,
        f.mid_run,
        f.integrity_ok,
        f.all_or_nothing,
        f.audited,
        f.updates_sent,
        f.converged,
        f.passed,
        f.kills
    );
    assert_eq!(f.passed, f.kills, "every kill point passes every check");
    assert!(
        f.mid_run * 2 >= f.kills,
        "most kills land while the process runs"
    );
}
