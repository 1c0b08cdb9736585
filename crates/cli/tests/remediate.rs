//! `manage365-cli remediate` against a graph-sim process: every step by
//! default with the temporary password on stdout once, exit 2 for a
//! refused request (nothing sent), exit 1 when a step fails, and the
//! password in no file of the data folder.

mod common;

use std::path::Path;

use serde_json::{json, Value};

use common::{cli, get, post, start_sim};

/// A tenant the MSP may manage and its users, from the simulator's truth.
fn managed(url: &str) -> (String, Vec<Value>) {
    let state = get(&format!("{url}/_sim/state"));
    let tenant = state["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["securityAccess"] == "write")
        .expect("a managed tenant")
        .clone();
    (
        tenant["tenantId"].as_str().unwrap().to_string(),
        tenant["users"].as_array().unwrap().clone(),
    )
}

fn upn(user: &Value) -> &str {
    user["userPrincipalName"].as_str().unwrap()
}

fn user_calls(url: &str) -> usize {
    let log = get(&format!("{url}/_sim/requests"));
    log["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/v1.0/users"))
        })
        .count()
}

fn files_contain(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|entry| {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

#[test]
fn remediate_runs_every_step_prints_the_password_once_and_exits_by_outcome() {
    let sim = start_sim(&[
        "--tenants",
        "3",
        "--without-security-roles",
        "0",
        "--seed",
        "9",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| cli(&sim.url, dir.path(), args);
    assert!(run(&["sync", "--once"]).status.success());
    let (tenant, users) = managed(&sim.url);
    let forwards = |u: &Value| {
        u["inboxRules"].as_array().is_some_and(|rules| {
            rules.iter().any(|r| {
                r["actions"]["forwardTo"].is_array() || r["actions"]["redirectTo"].is_array()
            })
        })
    };
    let target = users
        .iter()
        .find(|u| u["accountEnabled"] == true && forwards(u))
        .unwrap();

    let done = run(&[
        "--json",
        "remediate",
        "--tenant",
        &tenant,
        "--user",
        upn(target),
    ]);
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let report: Value = serde_json::from_slice(&done.stdout).unwrap();
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4, "every step by default");
    assert!(steps.iter().all(|s| s["outcome"] == "done"), "{report}");
    let password = steps
        .iter()
        .find_map(|s| s["temporaryPassword"].as_str())
        .expect("the password is printed")
        .to_string();
    let check = format!(
        "{}/_sim/tenants/{tenant}/users/{}/check-password",
        sim.url,
        target["id"].as_str().unwrap()
    );
    let signed_in: Value = reqwest::blocking::Client::new()
        .post(check)
        .json(&json!({ "password": password }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(signed_in["matches"], true);
    assert!(!String::from_utf8_lossy(&done.stderr).contains(&password));
    assert!(
        !files_contain(dir.path(), &password),
        "never written to the data folder"
    );

    // refused locally: exit 2, nothing sent
    reqwest::blocking::Client::new()
        .delete(format!("{}/_sim/requests", sim.url))
        .send()
        .unwrap();
    let unknown_step = run(&[
        "remediate",
        "--tenant",
        &tenant,
        "--user",
        upn(target),
        "--steps",
        "wipe",
    ]);
    let foreign = run(&[
        "remediate",
        "--tenant",
        &tenant,
        "--user",
        "ceo@fabrikam.example",
    ]);
    assert_eq!(unknown_step.status.code(), Some(2));
    assert_eq!(foreign.status.code(), Some(2));
    assert_eq!(user_calls(&sim.url), 0, "refusals send nothing");

    // a failed step: exit 1, and the other step's result still printed
    post(
        &format!("{}/_sim/tenants/{tenant}/permissions", sim.url),
        json!({ "denied": ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"] }),
    );
    let other = users.iter().find(|u| u["id"] != target["id"]).unwrap();
    let partial = run(&[
        "remediate",
        "--tenant",
        &tenant,
        "--user",
        upn(other),
        "--steps",
        "revoke_sessions,disable_sign_in",
    ]);
    let text = String::from_utf8_lossy(&partial.stdout);
    assert_eq!(partial.status.code(), Some(1), "{text}");
    assert!(
        text.contains("revoke_sessions") && text.contains("missing permission"),
        "{text}"
    );
    assert!(text.contains("disable_sign_in"), "{text}");

    let audit: Value =
        serde_json::from_slice(&run(&["--json", "audit", "--tenant", &tenant]).stdout).unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"remediate.reset_password"), "{actions:?}");
    assert!(
        actions.contains(&"remediate.revoke_sessions"),
        "{actions:?}"
    );
}
