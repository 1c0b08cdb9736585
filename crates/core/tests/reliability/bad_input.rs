//! Suite 3, bad input: Graph bodies real Graph should not (but might)
//! send, from fixture files and from the simulator's explicit `malformed`
//! control, and malformed arguments to the services the IPC commands
//! call. Nothing may panic, nothing cached may be lost, and each case
//! must give a faithful record or a clear error on Health.

use std::path::Path;

use graph_sim::SimConfig;
use manage365_core::model::{IncidentStatus, IncidentUpdate, Severity};
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use manage365_core::views::PortfolioQuery;
use manage365_core::ErrorCode;
use serde_json::{json, Value};

use crate::checker;
use crate::support::{self, Control};

const ODD_TENANT: &str = "0dd0dd00-0000-4000-8000-00000000b0d1";

fn stamp(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

/// Nested objects `depth` deep, inside an evidence item.
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!("bottom"), |inner, _| json!({ "next": inner }))
}

/// A raw evidence item parsed, or `null` if it does not parse.
fn parsed(raw: &serde_json::value::RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

fn odd_incidents() -> Value {
    let alert = |id: &str, evidence: Value| {
        json!({"id": id, "incidentId": "unknowns", "title": "odd evidence", "severity": "high",
            "status": "new", "lastUpdateDateTime": stamp(5), "evidence": evidence})
    };
    json!({"value": [
        {"id": "unknowns", "displayName": "unknown members", "severity": "critical",
         "status": "awaitingTriage", "classification": "newClassification",
         "determination": "quantumTunnel", "createdDateTime": stamp(60),
         "lastUpdateDateTime": stamp(5), "alerts": [
            alert("a-unknown-type", json!([{"@odata.type": "#microsoft.graph.security.quantumEvidence",
                "displayName": "qubit-7", "verdict": "unknownFutureValue"}])),
            alert("a-deep", json!([{"@odata.type": "#microsoft.graph.security.fileEvidence",
                "fileDetails": {"fileName": "deep.bin"}, "detail": nested(90)}])),
            alert("a-not-object", json!(["just a string", 42, null])),
         ]},
        {"id": "nulls", "displayName": null, "description": "", "severity": null, "status": null,
         "assignedTo": "", "comments": null, "customTags": null, "systemTags": null,
         "classification": null, "createdDateTime": null, "lastUpdateDateTime": stamp(6)},
        {"id": "bare", "lastUpdateDateTime": stamp(7)},
        {"id": "huge", "displayName": "huge", "description": "x".repeat(2_000_000),
         "lastUpdateDateTime": stamp(8)},
        {"id": "unicode", "displayName": "\u{202e}fdp.exe \u{0}\u{ffff} 👩\u{200d}💻 ｆｕｌｌ",
         "lastUpdateDateTime": stamp(9)},
        {"id": "dup", "displayName": "first copy", "lastUpdateDateTime": stamp(20)},
        {"id": "dup", "displayName": "second copy", "lastUpdateDateTime": stamp(10)},
    ]})
}

fn write_fixtures(dir: &Path) {
    let tenant = dir.join(ODD_TENANT);
    std::fs::create_dir_all(&tenant).unwrap();
    let settings = json!({"displayName": "Odd Bodies Ltd", "domains": ["oddbodies.example"]});
    std::fs::write(tenant.join("tenant.json"), settings.to_string()).unwrap();
    std::fs::write(tenant.join("incidents.json"), odd_incidents().to_string()).unwrap();
}

/// The odd fixture bodies are kept, each as a faithful record.
async fn check_odd_tenant(desk: &Desk, problems: &mut Vec<String>) -> usize {
    let mut expect = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_string());
        }
    };
    let detail = |id: &'static str| desk.incident_detail(ODD_TENANT, id);
    let unknowns = detail("unknowns").await.expect("unknown members are kept");
    expect(
        unknowns.incident.severity == Severity::Other("critical".into()),
        "severity critical kept",
    );
    expect(
        unknowns.incident.status.as_str() == "awaitingTriage",
        "unknown status kept as sent",
    );
    let shown = serde_json::to_value(&unknowns.row).unwrap();
    expect(
        shown["severity"] == "critical",
        "unknown severity shown as such",
    );
    let quantum = unknowns.alerts.iter().find(|a| a.id == "a-unknown-type");
    let evidence = quantum.and_then(|a| a.evidence.first());
    expect(
        evidence.is_some_and(|e| e.kind == "quantumEvidence" && e.label == "qubit-7"),
        "unknown evidence type kept and labelled",
    );
    let not_object = unknowns.alerts.iter().find(|a| a.id == "a-not-object");
    expect(
        not_object.is_some_and(|a| a.evidence.len() == 3),
        "non-object evidence kept raw",
    );
    let deep = unknowns.alerts.iter().find(|a| a.id == "a-deep");
    expect(
        deep.is_some_and(|a| parsed(&a.evidence[0].raw)["detail"] == nested(90)),
        "deep evidence kept whole",
    );

    let nulls = detail("nulls").await.expect("nulls are tolerated");
    expect(
        nulls.incident.status == IncidentStatus::Unknown,
        "null status is unknown",
    );
    expect(
        nulls.incident.display_name.is_empty(),
        "null title is empty",
    );
    expect(detail("bare").await.is_ok(), "missing fields are tolerated");
    let huge = detail("huge").await.expect("huge strings are kept");
    expect(
        huge.incident
            .description
            .as_ref()
            .is_some_and(|d| d.len() == 2_000_000),
        "huge description whole",
    );
    let unicode = detail("unicode").await.expect("odd unicode is kept");
    expect(
        unicode.incident.display_name == "\u{202e}fdp.exe \u{0}\u{ffff} 👩\u{200d}💻 ｆｕｌｌ",
        "odd unicode byte for byte",
    );
    let dup = detail("dup").await.expect("duplicate ids give one record");
    expect(
        dup.incident.display_name == "second copy",
        "the newer duplicate wins",
    );
    8
}

/// Items of the generated tenants lost from the cache (the odd fixture
/// tenant is checked field by field instead: its truth has duplicates).
async fn generated_lost(desk: &Desk, control: &Control) -> usize {
    let diffs = checker::compare(desk, &control.state().await).await;
    let generated: Vec<_> = diffs
        .into_iter()
        .filter(|d| d.tenant_id != ODD_TENANT)
        .collect();
    checker::lost(&generated)
}

/// Broken incident lists served on purpose, each with the words its
/// Health error must contain.
fn malformed_cases() -> Vec<(&'static str, Value, &'static str)> {
    let deep = format!("{{\"value\":[{}{}]}}", "[".repeat(5000), "]".repeat(5000));
    let raw = |body: String| json!({"mode": "raw", "body": body});
    vec![
        ("nextLink loop", json!({"mode": "nextLinkLoop"}), "in a circle"),
        ("truncated JSON", raw("{\"value\":[{\"id\":\"1\",".into()), "incidents"),
        ("wrong types", raw("{\"value\":[{\"id\":7,\"lastUpdateDateTime\":true}]}".into()), "incidents"),
        ("no id", raw("{\"value\":[{\"displayName\":\"x\",\"lastUpdateDateTime\":\"2025-01-01T00:00:00Z\"}]}".into()), "id"),
        ("no watermark", raw("{\"value\":[{\"id\":\"x\"}]}".into()), "lastUpdateDateTime"),
        ("nesting past any limit", raw(deep), "incidents"),
        ("lone surrogate", raw("{\"value\":[{\"id\":\"1\",\"displayName\":\"\\ud800\",\"lastUpdateDateTime\":\"2025-01-01T00:00:00Z\"}]}".into()), "incidents"),
        ("an HTML page", raw("<html><body>Service Unavailable</body></html>".into()), "incidents"),
        ("an empty body", raw(String::new()), "incidents"),
        ("JSON null", raw("null".into()), "incidents"),
    ]
}

/// Desk calls with malformed arguments, as an IPC payload could carry
/// them: each must be a typed error (or a plain answer), never a panic.
async fn malformed_arguments(desk: &Desk, tenant: &str, incident: &str) -> (usize, usize) {
    let bogus_status = IncidentUpdate {
        status: Some(IncidentStatus::Other("bogus".into())),
        ..Default::default()
    };
    let long_comment = IncidentUpdate {
        comment: Some("x".repeat(40_000)),
        ..Default::default()
    };
    let blank_comment = IncidentUpdate {
        comment: Some(" \n\t".into()),
        ..Default::default()
    };
    let bad_upn = IncidentUpdate {
        assigned_to: Some("two words@x".into()),
        ..Default::default()
    };
    let missing_alert = desk.alert_evidence(tenant, "'; --").await;
    assert_eq!(
        missing_alert.as_ref().err().map(|e| e.code()),
        Some(ErrorCode::NotFound),
        "evidence of an alert not cached"
    );
    let results = vec![
        desk.update_incident("", "", IncidentUpdate::default())
            .await
            .err(),
        desk.update_incident(tenant, "../../x?$top=1", bogus_status.clone())
            .await
            .err(),
        desk.update_incident(tenant, incident, bogus_status)
            .await
            .err(),
        desk.update_incident(tenant, incident, long_comment)
            .await
            .err(),
        desk.update_incident(tenant, incident, blank_comment)
            .await
            .err(),
        desk.update_incident(tenant, incident, bad_upn).await.err(),
        desk.update_incident(tenant, incident, IncidentUpdate::default())
            .await
            .err(),
        desk.tenant_alerts("\u{0}", None).await.err(),
        desk.acknowledge_local_alert(-1).await.err(),
        desk.incident_detail(tenant, "\u{202e}").await.err(),
        missing_alert.err(),
    ];
    let typed = results
        .iter()
        .filter(|e| {
            e.as_ref()
                .is_some_and(|e| e.field().is_some() || !e.to_string().is_empty())
        })
        .count();
    let odd_reads = [
        desk.portfolio(PortfolioQuery {
            limit: u32::MAX,
            ..PortfolioQuery::default()
        })
        .await
        .is_ok(),
        desk.tenant_alerts(tenant, Some("%' OR 1=1 --".into()))
            .await
            .is_ok(),
        desk.audit(Some("'; DROP TABLE audit_log; --".into()), None, u32::MAX)
            .await
            .is_ok(),
    ];
    (
        results.len() + odd_reads.len(),
        typed + odd_reads.iter().filter(|ok| **ok).count(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_arguments_give_faithful_records_or_clear_errors_and_lose_nothing() {
    let fixtures = tempfile::tempdir().unwrap();
    write_fixtures(fixtures.path());
    let config = SimConfig {
        tenants: support::size(2, 4),
        without_security_roles: 0,
        read_only: 0,
        fixtures: Some(fixtures.path().to_path_buf()),
        seed: 53,
        ..SimConfig::default()
    };
    let sim = support::simulator(config).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = support::desk_for(&sim.url(), dir.path());
    let control = Control::new(&sim.url());
    let (mut cases, mut lost, mut unclear) = (0, 0, 0);

    let first = desk
        .sync_once(Trigger::Manual)
        .await
        .expect("sync with odd bodies runs");
    assert_eq!(
        first.tenants_failed, 0,
        "odd but valid bodies are kept: {first:?}"
    );
    let mut problems = Vec::new();
    cases += check_odd_tenant(&desk, &mut problems).await;

    let truth = control.state().await;
    let victim = support::writable(&truth)["tenantId"]
        .as_str()
        .unwrap()
        .to_string();
    for (name, mode, words) in malformed_cases() {
        cases += 1;
        control
            .post(&format!("/tenants/{victim}/malformed"), mode)
            .await;
        let run = desk
            .sync_once(Trigger::Manual)
            .await
            .expect("the run survives");
        let health = desk.health().await.unwrap();
        let error = health
            .tenants
            .iter()
            .find(|t| t.tenant_id == victim)
            .and_then(|t| t.last_error.clone());
        if run.tenants_failed != 1 || !error.as_deref().is_some_and(|e| e.contains(words)) {
            eprintln!("{name}: failed={} error={error:?}", run.tenants_failed);
            unclear += 1;
        }
        lost += generated_lost(&desk, &control).await;
        control
            .post(
                &format!("/tenants/{victim}/malformed"),
                json!({"mode": "none"}),
            )
            .await;
    }
    desk.sync_once(Trigger::Manual).await.expect("recovers");
    lost += generated_lost(&desk, &control).await;

    let incident = truth["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenantId"] == victim.as_str())
        .unwrap()["incidents"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (arg_cases, typed) = malformed_arguments(&desk, &victim, &incident).await;
    cases += arg_cases;
    unclear += arg_cases - typed;
    unclear += problems.len();

    support::figures(
        "bad-input",
        &[
            ("cases", cases.to_string()),
            ("panics", "0".into()),
            ("lost", lost.to_string()),
            ("unclear", unclear.to_string()),
        ],
    );
    assert!(problems.is_empty(), "unfaithful records: {problems:?}");
    assert_eq!(lost, 0, "nothing cached is lost");
    assert_eq!(
        unclear, 0,
        "every case gives a faithful record or a clear error"
    );
}
