//! `manage365-cli` end to end against a `graph-sim` process: the walk
//! through the engine issue's "done when" list, in one story.

mod common;

use std::process::Output;

use serde_json::{json, Value};

use common::{cli, get as sim_get, post, start_sim, Sim};

fn sim_post(url: &str) {
    post(url, json!({}));
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "command failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("valid JSON on stdout")
}

fn patches(sim: &Sim) -> usize {
    let log = sim_get(&format!("{}/_sim/requests", sim.url));
    let entries = log["value"].as_array().cloned().unwrap_or_default();
    entries.iter().filter(|r| r["method"] == "PATCH").count()
}

#[test]
fn the_engine_walkthrough_works_from_the_command_line() {
    let sim = start_sim(&[
        "--tenants",
        "8",
        "--without-security-roles",
        "3",
        "--seed",
        "7",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| cli(&sim.url, dir.path(), args);

    // sync, then every incident of the five readable tenants, newest first
    let synced = json(&run(&["--json", "sync", "--once"]));
    assert_eq!(synced["tenantsOk"], 5);
    let portfolio = json(&run(&["--json", "portfolio", "--limit", "10000"]));
    let items = portfolio["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, portfolio["total"].as_u64().unwrap());
    let created: Vec<&str> = items
        .iter()
        .map(|i| i["createdAt"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // health: three skipped for missing Security roles
    let health = json(&run(&["--json", "health"]));
    let skipped = health["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3);
    assert!(skipped
        .iter()
        .all(|s| s["reason"] == "missing_security_roles"));

    // resolve an active incident of a manageable tenant as TP / phishing
    let tenants = json(&run(&[
        "--json",
        "portfolio",
        "--status",
        "active",
        "--limit",
        "10000",
    ]));
    let target = tenants["items"].as_array().unwrap().iter().find_map(|row| {
        let tenant = row["tenantId"].as_str().unwrap();
        let state = sim_get(&format!("{}/_sim/state", sim.url));
        let info = state["tenants"]
            .as_array()?
            .iter()
            .find(|t| t["tenantId"] == tenant)?
            .clone();
        (info["securityAccess"] == "write").then(|| (row.clone(), info))
    });
    let (row, info) = target.expect("an active incident in a manageable tenant");
    let (tenant, incident) = (
        row["tenantId"].as_str().unwrap(),
        row["id"].as_str().unwrap(),
    );
    let upn = format!(
        "sec-lead@{}",
        info["domains"][0].as_str().expect("a verified domain")
    );
    let updated = run(&[
        "--json",
        "update",
        "--tenant",
        tenant,
        "--incident",
        incident,
        "--status",
        "resolved",
        "--classification",
        "true_positive",
        "--determination",
        "phishing",
        "--assigned-to",
        &upn,
    ]);
    assert_eq!(json(&updated)["incident"]["status"], "resolved");
    assert_eq!(patches(&sim), 1, "the simulator logged one PATCH");
    let after = json(&run(&[
        "--json",
        "incidents",
        "--tenant",
        tenant,
        "--limit",
        "10000",
    ]));
    let row = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == incident)
        .unwrap();
    assert_eq!(
        row["status"], "resolved",
        "the cache shows the change at once"
    );
    let audit = json(&run(&["--json", "audit", "--incident", incident]));
    assert_eq!(audit[0]["method"], "PATCH");
    assert_eq!(audit[0]["status"], 200);
    assert!(
        audit[0]["responseBody"].is_object(),
        "Microsoft's answer is kept"
    );

    // a refused update: exit 2, nothing sent
    let refused = run(&[
        "update",
        "--tenant",
        tenant,
        "--incident",
        incident,
        "--assigned-to",
        "tech@msp.example",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(patches(&sim), 1, "still only the one PATCH");

    // a re-open followed by two syncs raises exactly one local alert
    sim_post(&format!(
        "{}/_sim/tenants/{tenant}/incidents/{incident}/reopen",
        sim.url
    ));
    json(&run(&["--json", "sync", "--once"]));
    json(&run(&["--json", "sync", "--once"]));
    let local = json(&run(&["--json", "alerts-local", "--all"]));
    let key = format!("defender.incident.reopen.{incident}");
    let raised = local
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["dedupeKey"] == key.as_str());
    assert_eq!(raised.count(), 1);

    // a grant followed by a sync unskips the tenant
    let skipped_id = skipped[0]["tenantId"].as_str().unwrap();
    sim_post(&format!(
        "{}/_sim/tenants/{skipped_id}/grant-security-roles",
        sim.url
    ));
    json(&run(&["--json", "sync", "--once"]));
    let health = json(&run(&["--json", "health"]));
    assert_eq!(health["skipped"].as_array().unwrap().len(), 2);

    // a stopped simulator: the cache still answers, sync reports offline
    let url = sim.url.clone();
    drop(sim);
    let cached = cli(
        &url,
        dir.path(),
        &["--json", "portfolio", "--limit", "10000"],
    );
    assert!(json(&cached)["total"].as_u64().unwrap() > 0);
    let offline = cli(&url, dir.path(), &["sync", "--once"]);
    assert_eq!(offline.status.code(), Some(1));
    let message = String::from_utf8_lossy(&offline.stderr).to_lowercase();
    assert!(
        message.contains("offline") || message.contains("reach"),
        "says offline: {message}"
    );
}
