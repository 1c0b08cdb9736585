//! The app's own records and the file itself: migrations on reopen, runs,
//! audit, local alerts, skip state and settings.

use manage365_core::model::SkipReason;
use manage365_core::store::{RunTotals, Store};
use serde::{Deserialize, Serialize};

use crate::support::*;

#[test]
fn reopening_the_file_keeps_data_and_reapplies_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.sqlite");
    {
        let store = Store::open(&path)?;
        two_tenants(&store);
        store.apply_pull(&pull(
            "t1",
            true,
            vec![incident("t1", "1", at(1, 0))],
            vec![],
        ))?;
    }

    let again = Store::open(&path)?;
    let third = Store::open(&path)?;

    assert_eq!(again.path(), path);
    assert!(again.incident("t1", "1")?.is_some());
    assert_eq!(third.tenants()?.len(), 2);
    Ok(())
}

#[test]
fn store_handles_are_shareable_across_threads() -> TestResult {
    fn assert_handle<T: Clone + Send + Sync + 'static>() {}
    assert_handle::<Store>();
    let (_dir, store) = store();
    two_tenants(&store);

    let writers: Vec<_> = (0..4)
        .map(|n| {
            let store = store.clone();
            std::thread::spawn(move || {
                let id = n.to_string();
                store.apply_pull(&pull(
                    "t1",
                    false,
                    vec![incident("t1", &id, at(n, 0))],
                    vec![],
                ))?;
                store.portfolio(&Default::default()).map(|p| p.total)
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("thread finished")?;
    }

    assert_eq!(store.portfolio(&Default::default())?.total, 4);
    Ok(())
}

#[test]
fn runs_left_running_are_closed_as_interrupted() -> TestResult {
    let (_dir, store) = store();
    let finished = store.begin_run("scheduled", at(1, 0))?;
    let totals = RunTotals {
        outcome: "ok".into(),
        tenants_ok: 3,
        incidents: 10,
        alerts: 20,
        requests: 9,
        ..Default::default()
    };
    store.finish_run(finished, &totals, at(1, 1))?;
    let killed = store.begin_run("manual", at(2, 0))?;

    let closed = store.close_interrupted_runs()?;

    assert_eq!(closed, 1);
    let runs = store.recent_runs(10)?;
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        [killed, finished],
        "newest first"
    );
    assert_eq!(runs[0].outcome, "interrupted");
    assert_eq!(runs[0].finished_at, None);
    assert_eq!(
        (runs[1].tenants_ok, runs[1].incidents, runs[1].requests),
        (3, 10, 9)
    );
    assert_eq!(store.close_interrupted_runs()?, 0, "nothing left to close");
    assert_eq!(store.recent_runs(1)?.len(), 1);
    Ok(())
}

#[test]
fn audit_entries_round_trip_newest_first() -> TestResult {
    let (_dir, store) = store();
    let mut sent = manage365_core::store::NewAuditEntry {
        at: at(9, 0),
        actor: "analyst@msp.example".into(),
        tenant_id: "t1".into(),
        incident_id: Some("42".into()),
        action: "update_incident".into(),
        method: "PATCH".into(),
        path: "/v1.0/security/incidents/42".into(),
        request_body: Some(serde_json::json!({"status": "resolved"})),
        status: Some(400),
        request_id: Some("0f1c".into()),
        response_body: Some(serde_json::json!({"error": {"code": "BadRequest"}})),
        outcome: "refused by Graph: BadRequest".into(),
    };
    let first = store.append_audit(&sent)?;
    sent.at = at(9, 5);
    sent.incident_id = None;
    sent.tenant_id = "t2".into();
    sent.request_body = None;
    sent.status = None;
    let second = store.append_audit(&sent)?;

    let all = store.audit(None, None, 0)?;
    let t1 = store.audit(Some("t1"), Some("42"), 10)?;

    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        [second, first]
    );
    assert_eq!(t1.len(), 1);
    let entry = &t1[0];
    assert_eq!(entry.status, Some(400));
    assert_eq!(
        entry.response_body,
        Some(serde_json::json!({"error": {"code": "BadRequest"}}))
    );
    assert_eq!(entry.path, "/v1.0/security/incidents/42");
    assert_eq!(all[0].request_body, None);
    assert_eq!(store.audit(None, None, 1)?.len(), 1);
    Ok(())
}

#[test]
fn settings_round_trip_as_json() -> TestResult {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Schedule {
        interval_secs: u64,
        paused: bool,
    }
    let (_dir, store) = store();

    store.set_setting(
        "schedule",
        &Schedule {
            interval_secs: 900,
            paused: false,
        },
    )?;
    store.set_setting(
        "schedule",
        &Schedule {
            interval_secs: 300,
            paused: true,
        },
    )?;
    store.set_setting("theme", &"dark")?;

    let schedule: Option<Schedule> = store.setting("schedule")?;
    assert_eq!(
        schedule,
        Some(Schedule {
            interval_secs: 300,
            paused: true
        })
    );
    assert_eq!(store.setting::<String>("theme")?.as_deref(), Some("dark"));
    assert_eq!(store.setting::<String>("missing")?, None);
    assert!(
        store.setting::<u32>("theme").is_err(),
        "a value of another type is an error"
    );
    Ok(())
}

#[test]
fn skip_reasons_are_set_cleared_and_listed() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);

    store.set_skip("t2", Some(&SkipReason::NotConsented))?;
    let skipped = store.skipped()?;
    store.set_skip("t2", None)?;

    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].tenant_name, "Fabrikam");
    assert_eq!(skipped[0].label, "skipped: app not consented in tenant");
    assert!(skipped[0].fix.contains("admin consent"));
    assert!(store.skipped()?.is_empty());
    assert_eq!(store.tenant("t2")?.and_then(|t| t.skip_reason), None);
    Ok(())
}

#[test]
fn acknowledging_twice_reports_nothing_to_do() -> TestResult {
    let (_dir, store) = store();

    assert!(!store.acknowledge_local_alert(999, at(1, 0))?);
    Ok(())
}

#[test]
fn verified_domains_can_be_replaced() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);

    store.set_domains(
        "t1",
        &["contoso.com".into(), "contoso.onmicrosoft.com".into()],
    )?;

    let domains = store.tenant("t1")?.map(|t| t.domains);
    assert_eq!(
        domains,
        Some(vec!["contoso.com".into(), "contoso.onmicrosoft.com".into()])
    );
    Ok(())
}
