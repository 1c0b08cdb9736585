//! Suite 1, faults: 429 storms, 503 bursts, resets mid-page, truncated
//! JSON, answers slower than the client timeout, the token endpoint down,
//! one tenant's tokens failing, and the simulator killed mid-sync. After
//! each fault clears, the next sync must converge (the checker finds no
//! lost item), and while it lasts every tenant the cache could not bring
//! up to date must be on Health with its error (none silently stale).

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use graph_sim::SimConfig;
use manage365_core::service::Desk;
use manage365_core::sync::{SyncOptions, Trigger};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::checker::{self, TenantDiff};
use crate::support::{self, Control};

/// What the suite counts.
#[derive(Default)]
struct Figures {
    injected: usize,
    syncs: usize,
    lost: usize,
    silent: usize,
    items: usize,
}

fn scenarios() -> Vec<(&'static str, Value)> {
    vec![
        (
            "429 storm",
            json!({"rate429": 0.4, "retryAfter429Secs": 0.05}),
        ),
        (
            "503 burst",
            json!({"rate503": 0.4, "retryAfter503Secs": 0.05}),
        ),
        ("resets mid-page", json!({"rateReset": 0.25})),
        ("truncated JSON", json!({"rateTruncate": 0.25})),
        (
            "slower than the timeout",
            json!({"rateSlow": 0.2, "slowMs": 2000}),
        ),
        ("token endpoint down", json!({"tokenEndpointDown": true})),
        (
            "everything at once",
            json!({"rate429": 0.1, "retryAfter429Secs": 0.05,
            "rate503": 0.1, "retryAfter503Secs": 0.05, "rateReset": 0.1, "rateTruncate": 0.1}),
        ),
    ]
}

/// Faults the simulator injected since the log was cleared: exchanges it
/// marked, and refused token requests (endpoint down, tenant failing).
fn injected(log: &[Value]) -> usize {
    log.iter()
        .filter(|r| {
            let token = r["path"].as_str().is_some_and(|p| p.contains("/oauth2/"));
            r["fault"].is_string() || (token && r["status"].as_u64().unwrap_or(0) >= 400)
        })
        .count()
}

/// Tenants whose cache differs from the truth with nothing on Health
/// saying so (no error and no skip reason since `since`).
async fn silent(desk: &Desk, diffs: &[TenantDiff], since: chrono::DateTime<Utc>) -> usize {
    let health = desk.health().await.expect("health reads");
    let mut silent = 0;
    for diff in diffs.iter().filter(|d| !d.problems.is_empty()) {
        let entry = health
            .tenants
            .iter()
            .find(|t| t.tenant_id == diff.tenant_id);
        let reported = entry.is_some_and(|t| {
            let attempted = t.last_attempt_at.is_some_and(|at| at >= since);
            (attempted && t.last_error.is_some()) || t.skip_reason.is_some()
        });
        if !reported {
            eprintln!(
                "silently stale: {} {:?}",
                diff.tenant_id,
                &diff.problems[..1]
            );
            silent += 1;
        }
    }
    silent
}

/// Changes the truth so that the faulty sync has something to pull.
async fn change_world(control: &Control, truth: &Value, round: usize) {
    control.post("/touch", json!({"fraction": 0.3})).await;
    let tenants = support::readable(truth);
    let tenant = &tenants[round % tenants.len()]["tenantId"];
    let path = format!("/tenants/{}/incidents", tenant.as_str().unwrap());
    control
        .post(&path, json!({"title": format!("round {round}")}))
        .await;
}

async fn run_scenario(
    desk: &Desk,
    control: &Control,
    name: &str,
    faults: &Value,
    round: usize,
    figures: &mut Figures,
) {
    change_world(control, &control.state().await, round).await;
    control.clear_requests().await;
    if faults.get("tokenEndpointDown").is_some() {
        control.post("/tokens/expire", json!({})).await;
    }
    control.post("/faults", faults.clone()).await;
    let since = Utc::now();
    let faulty = desk.sync_once(Trigger::Manual).await;
    figures.syncs += 1;
    control.clear_faults().await;
    figures.injected += injected(&control.requests().await);

    let truth = control.state().await;
    let stale = checker::compare(desk, &truth).await;
    figures.silent += silent(desk, &stale, since).await;
    converge(desk, control, figures, &format!("{name} ({faulty:?})")).await;
}

/// A clean sync, then the checker; what differs counts as lost.
async fn converge(desk: &Desk, control: &Control, figures: &mut Figures, after: &str) {
    let clean = desk.sync_once(Trigger::Manual).await;
    figures.syncs += 1;
    assert!(clean.is_ok(), "the sync after {after} works: {clean:?}");
    let diffs = checker::compare(desk, &control.state().await).await;
    let lost = checker::lost(&diffs);
    if lost > 0 {
        eprintln!(
            "after {after}: {:?}",
            diffs
                .iter()
                .flat_map(|d| &d.problems)
                .take(5)
                .collect::<Vec<_>>()
        );
    }
    figures.lost += lost;
    figures.items = checker::items(&diffs);
}

/// One tenant's tokens fail at once (a Conditional Access block): that
/// tenant fails with its error on Health, the others sync.
async fn tenant_token_fails(desk: &Desk, control: &Control, round: usize, figures: &mut Figures) {
    let truth = control.state().await;
    change_world(control, &truth, round).await;
    let victim = support::writable(&truth)["tenantId"]
        .as_str()
        .unwrap()
        .to_string();
    control.clear_requests().await;
    control
        .post(
            &format!("/tenants/{victim}/token-failure"),
            json!({"failing": true}),
        )
        .await;
    let since = Utc::now();
    let run = desk
        .sync_once(Trigger::Manual)
        .await
        .expect("the other tenants sync");
    figures.syncs += 1;
    figures.injected += injected(&control.requests().await);
    assert!(run.tenants_failed >= 1, "the blocked tenant fails: {run:?}");
    let health = desk.health().await.unwrap();
    let entry = health
        .tenants
        .iter()
        .find(|t| t.tenant_id == victim)
        .unwrap();
    assert!(
        entry
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("53003")),
        "{entry:?}"
    );
    let stale = checker::compare(desk, &control.state().await).await;
    figures.silent += silent(desk, &stale, since).await;

    control
        .post(
            &format!("/tenants/{victim}/token-failure"),
            json!({"failing": false}),
        )
        .await;
    converge(desk, control, figures, "a tenant's token failure").await;
}

fn sim_config(tenants: usize, now: chrono::DateTime<Utc>, latency_ms: u64) -> SimConfig {
    SimConfig {
        tenants,
        without_security_roles: 1,
        read_only: 1,
        incidents_per_tenant: 12,
        page_size: 5,
        budget_per_minute: 10_000,
        latency_ms,
        seed: 23,
        now: Some(now),
        ..SimConfig::default()
    }
}

/// The simulator process dies mid-sync (its port closes under open
/// connections) and comes back with the same world on the same port.
async fn simulator_killed(dir: &std::path::Path, kills: usize, figures: &mut Figures) {
    let now = Utc::now();
    let config = sim_config(support::size(3, 6), now, 15);
    let sim = support::simulator(config.clone()).await;
    let addr: SocketAddr = sim.addr();
    let url = sim.url();
    let desk = support::desk_for(&url, dir).with_sync_options(SyncOptions {
        reconcile_every: chrono::Duration::zero(),
        ..SyncOptions::default()
    });
    desk.sync_once(Trigger::Manual).await.expect("first sync");
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut sim = Some(sim);
    for _ in 0..kills {
        let running = desk.clone();
        let sync = tokio::spawn(async move { running.sync_once(Trigger::Manual).await });
        tokio::time::sleep(Duration::from_millis(rng.gen_range(5..120))).await;
        sim.take().unwrap().shutdown().await;
        figures.injected += 1;
        let since = Utc::now();
        let _ = sync.await.expect("sync task ends");
        figures.syncs += 1;
        sim = Some(
            graph_sim::start(config.clone(), addr)
                .await
                .expect("restarts on its port"),
        );
        let control = Control::new(&url);
        let stale = checker::compare(&desk, &control.state().await).await;
        figures.silent += silent(&desk, &stale, since - chrono::Duration::seconds(5)).await;
        converge(&desk, &control, figures, "the simulator was killed").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_clears_into_a_converged_cache_with_no_tenant_silently_missing() {
    let sim = support::simulator(sim_config(support::size(4, 12), Utc::now(), 0)).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = support::desk_for(&sim.url(), dir.path());
    let control = Control::new(&sim.url());
    desk.sync_once(Trigger::Manual).await.expect("first sync");
    let mut figures = Figures::default();

    let rounds = support::size(1, 3);
    for round in 0..rounds {
        for (name, faults) in scenarios() {
            run_scenario(&desk, &control, name, &faults, round, &mut figures).await;
        }
        tenant_token_fails(&desk, &control, round, &mut figures).await;
    }
    let killed = tempfile::tempdir().unwrap();
    simulator_killed(killed.path(), support::size(2, 8), &mut figures).await;

    support::figures(
        "faults",
        &[
            ("injected", figures.injected.to_string()),
            ("syncs", figures.syncs.to_string()),
            ("items", figures.items.to_string()),
            ("lost", figures.lost.to_string()),
            ("silent", figures.silent.to_string()),
        ],
    );
    assert_eq!(figures.lost, 0, "no item lost after faults clear");
    assert_eq!(figures.silent, 0, "no failing tenant missing from Health");
    assert!(figures.injected > 0, "faults were injected");
}
