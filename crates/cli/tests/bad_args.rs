//! Suite 3, bad input (CLI part): malformed arguments get a typed refusal
//! (exit 2 with an `error:` line naming the problem, or clap's usage
//! error, also exit 2; exit 1 with an `error:` line for a tenant or
//! incident that is not in the cache), never a panic (exit 101), and
//! send nothing.

mod common;

use common::{cli, get, start_sim};

#[test]
fn malformed_arguments_are_refused_with_typed_errors_and_nothing_sent() {
    let sim = start_sim(&[
        "--tenants",
        "3",
        "--without-security-roles",
        "0",
        "--seed",
        "5",
    ]);
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(&sim.url, dir.path(), &["sync", "--once"])
        .status
        .success());
    let state = get(&format!("{}/_sim/state", sim.url));
    let tenant = state["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["securityAccess"] == "write")
        .unwrap();
    let (t, i) = (
        tenant["tenantId"].as_str().unwrap(),
        tenant["incidents"][0]["id"].as_str().unwrap(),
    );
    let long = "x".repeat(40_000);
    reqwest::blocking::Client::new()
        .delete(format!("{}/_sim/requests", sim.url))
        .send()
        .unwrap();

    let cases: Vec<Vec<&str>> = vec![
        vec![
            "update",
            "--tenant",
            t,
            "--incident",
            i,
            "--status",
            "bogus",
        ],
        vec![
            "update",
            "--tenant",
            t,
            "--incident",
            i,
            "--classification",
            "nope",
        ],
        vec![
            "update",
            "--tenant",
            t,
            "--incident",
            i,
            "--determination",
            "\u{202e}malware",
        ],
        vec![
            "update",
            "--tenant",
            t,
            "--incident",
            i,
            "--assigned-to",
            "a b@x",
        ],
        vec!["update", "--tenant", t, "--incident", i, "--comment", &long],
        vec!["update", "--tenant", t, "--incident", i],
        vec!["update", "--tenant", "", "--incident", ""],
        vec![
            "update",
            "--tenant",
            t,
            "--incident",
            "../../x?$top=1",
            "--status",
            "resolved",
        ],
        vec!["portfolio", "--severity", "critical"],
        vec!["portfolio", "--status", "'; DROP TABLE incidents; --"],
        vec!["portfolio", "--limit", "-1"],
        vec!["audit", "--limit", "many"],
        vec!["incidents", "--tenant", "\u{7}\u{1b}[2J"],
        vec!["alerts"],
        vec!["no-such-command"],
        vec!["login", "--client-id", "x", "--partner-tenant", "y"],
    ];
    let mut typed = 0;
    for args in &cases {
        let output = cli(&sim.url, dir.path(), args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code();
        if code == Some(2) || (code == Some(1) && stderr.lines().any(|l| l.starts_with("error: ")))
        {
            typed += 1;
        } else {
            eprintln!("{args:?}: exit {code:?}: {stderr}");
        }
        assert_ne!(code, Some(101), "{args:?} panicked: {stderr}");
    }
    let log = get(&format!("{}/_sim/requests", sim.url));
    let writes = log["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .filter(|r| !r["path"].as_str().unwrap().contains("/oauth2/"))
        .count();

    println!(
        "reliability cli-args: cases={} typed={typed} panics=0 writes_sent={writes}",
        cases.len()
    );
    assert_eq!(
        typed,
        cases.len(),
        "every malformed argument gets a typed error"
    );
    assert_eq!(writes, 0, "nothing was written to Graph");
}
