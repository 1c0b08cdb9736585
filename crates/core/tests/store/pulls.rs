//! Writing pulls: upserts, reconcile, derived figures, re-opens, rollback
//! and watermarks.

use manage365_core::model::{IncidentStatus, Severity};
use manage365_core::store::Error;

use crate::support::*;

#[test]
fn full_pull_then_incremental_pull_updates_and_adds() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let first = vec![incident("t1", "1", at(1, 0)), incident("t1", "2", at(2, 0))];
    store.apply_pull(&pull("t1", true, first, vec![]))?;

    let mut changed = incident("t1", "2", at(2, 0));
    changed.status = IncidentStatus::InProgress;
    changed.assigned_to = Some("alex@contoso.com".into());
    changed.last_update_at = at(3, 0);
    let outcome = store.apply_pull(&pull(
        "t1",
        false,
        vec![changed, incident("t1", "3", at(4, 0))],
        vec![],
    ))?;

    assert_eq!(outcome.incidents_written, 2);
    let stored = store.incident("t1", "2")?.expect("incident 2 is cached");
    assert_eq!(stored.status, IncidentStatus::InProgress);
    assert_eq!(stored.assigned_to.as_deref(), Some("alex@contoso.com"));
    assert!(
        store.incident("t1", "1")?.is_some(),
        "an incremental pull deletes nothing"
    );
    assert!(
        store.incident("t1", "3")?.is_some(),
        "new incidents are added"
    );
    Ok(())
}

#[test]
fn incident_round_trips_every_field() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut full = incident("t1", "7", at(1, 0));
    full.description = Some("Password spray".into());
    full.classification = Some(manage365_core::model::Classification::TruePositive);
    full.determination = Some(manage365_core::model::Determination::Other(
        "brandNew".into(),
    ));
    full.custom_tags = vec!["vip".into()];
    full.system_tags = vec!["Defender Experts".into()];
    full.comments = vec![manage365_core::model::Comment {
        comment: "looking".into(),
        created_by: Some("alex@contoso.com".into()),
        created_at: Some(at(1, 5)),
    }];
    full.last_update_at = at(1, 0) + chrono::Duration::nanoseconds(1_234_567);

    store.apply_pull(&pull("t1", false, vec![full.clone()], vec![]))?;

    assert_eq!(store.incident("t1", "7")?, Some(full));
    Ok(())
}

#[test]
fn full_pull_deletes_incidents_and_alerts_that_vanished() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let incidents = vec![incident("t1", "1", at(1, 0)), incident("t1", "2", at(2, 0))];
    let alerts = vec![
        alert("t1", "a1", Some("1")),
        alert("t1", "a2", Some("2")),
        alert("t1", "s1", None),
    ];
    store.apply_pull(&pull("t1", true, incidents, alerts))?;
    store.apply_pull(&pull(
        "t2",
        true,
        vec![incident("t2", "1", at(1, 0))],
        vec![],
    ))?;

    let kept = vec![incident("t1", "1", at(1, 0))];
    store.apply_pull(&pull("t1", true, kept, vec![alert("t1", "a1", Some("1"))]))?;

    assert!(
        store.incident("t1", "2")?.is_none(),
        "vanished incident is deleted"
    );
    let alerts = store.tenant_alerts("t1", None)?;
    assert!(
        alerts.standalone.is_empty(),
        "vanished standalone alert is deleted"
    );
    assert_eq!(alerts.by_incident.len(), 1);
    assert_eq!(alerts.by_incident[0].alerts[0].id, "a1");
    assert!(
        store.incident("t2", "1")?.is_some(),
        "other tenants are untouched"
    );
    Ok(())
}

#[test]
fn incident_rows_carry_figures_computed_from_their_alerts() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut a1 = alert("t1", "a1", Some("1"));
    a1.evidence = vec![
        evidence("device", "WS-0042"),
        evidence("user", "alex@contoso.com"),
    ];
    a1.first_activity_at = Some(at(3, 0));
    a1.last_activity_at = Some(at(4, 0));
    let mut a2 = alert("t1", "a2", Some("1"));
    a2.evidence = vec![
        evidence("user", "ALEX@contoso.com"),
        evidence("mailbox", "ceo@contoso.com"),
    ];
    a2.first_activity_at = Some(at(2, 0));
    a2.last_activity_at = Some(at(5, 0));

    store.apply_pull(&pull(
        "t1",
        true,
        vec![incident("t1", "1", at(1, 0))],
        vec![a1, a2],
    ))?;

    let row = &store.portfolio(&Default::default())?.items[0];
    assert_eq!(row.alert_count, 2);
    // Distinct ignoring case; the spelling of the earliest alert (a2) wins.
    assert_eq!(
        row.affected_entities,
        ["ALEX@contoso.com", "WS-0042", "ceo@contoso.com"]
    );
    assert_eq!(row.first_activity_at, Some(at(2, 0)));
    assert_eq!(row.last_activity_at, Some(at(5, 0)));
    Ok(())
}

#[test]
fn alert_that_moves_to_another_incident_updates_both_counts() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let incidents = vec![incident("t1", "1", at(1, 0)), incident("t1", "2", at(2, 0))];
    store.apply_pull(&pull(
        "t1",
        true,
        incidents,
        vec![alert("t1", "a1", Some("1"))],
    ))?;

    let mut moved = alert("t1", "a1", Some("2"));
    moved.last_update_at = Some(at(2, 0));
    store.apply_pull(&pull("t1", false, vec![], vec![moved]))?;

    let rows = store.portfolio(&Default::default())?.items;
    let count = |id: &str| rows.iter().find(|r| r.id == id).map(|r| r.alert_count);
    assert_eq!(
        count("1"),
        Some(0),
        "the incident the alert left is recounted"
    );
    assert_eq!(count("2"), Some(1), "the incident it joined is recounted");
    Ok(())
}

#[test]
fn reopen_is_raised_once_across_later_pulls() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut resolved = incident("t1", "42", at(1, 0));
    resolved.status = IncidentStatus::Resolved;
    resolved.display_name = "Password spray".into();
    store.apply_pull(&pull("t1", true, vec![resolved.clone()], vec![]))?;

    let mut active = resolved.clone();
    active.status = IncidentStatus::Active;
    active.last_update_at = at(2, 0);
    let first = store.apply_pull(&pull("t1", false, vec![active.clone()], vec![]))?;
    let second = store.apply_pull(&pull("t1", false, vec![active], vec![]))?;

    assert_eq!(first.reopened.len(), 1, "resolved → active is one re-open");
    let reopen = &first.reopened[0];
    assert!(reopen.newly_raised);
    assert_eq!(reopen.tenant_name, "Contoso");
    assert_eq!(reopen.alert.dedupe_key, "defender.incident.reopen.42");
    assert_eq!(reopen.alert.severity, Severity::Medium);
    assert_eq!(reopen.alert.title, "Incident re-opened");
    assert_eq!(
        reopen.alert.message,
        "Incident re-opened: Password spray — Contoso"
    );
    assert!(
        second.reopened.is_empty(),
        "a cached active status raises nothing"
    );
    assert_eq!(store.local_alerts(false)?.len(), 1);
    Ok(())
}

#[test]
fn repeated_reopen_bumps_the_unacknowledged_alert() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let cycle = |hour: i64, status: IncidentStatus| {
        let mut i = incident("t1", "42", at(1, 0));
        i.status = status;
        i.last_update_at = at(hour, 0);
        pull("t1", false, vec![i], vec![])
    };
    store.apply_pull(&cycle(1, IncidentStatus::Resolved))?;
    let first = store.apply_pull(&cycle(2, IncidentStatus::Active))?;
    store.apply_pull(&cycle(3, IncidentStatus::Resolved))?;

    let again = store.apply_pull(&cycle(4, IncidentStatus::InProgress))?;

    let bumped = &again.reopened[0];
    assert!(
        !bumped.newly_raised,
        "an open alert with the key is bumped, not duplicated"
    );
    assert_eq!(bumped.alert.id, first.reopened[0].alert.id);
    assert_eq!(store.local_alerts(true)?.len(), 1);

    assert!(store.acknowledge_local_alert(bumped.alert.id, at(5, 0))?);
    store.apply_pull(&cycle(6, IncidentStatus::Resolved))?;
    let after_ack = store.apply_pull(&cycle(7, IncidentStatus::Active))?;
    assert!(
        after_ack.reopened[0].newly_raised,
        "after acknowledgement a new row is raised"
    );
    assert_eq!(store.local_alerts(true)?.len(), 2);
    assert_eq!(store.local_alerts(false)?.len(), 1);
    Ok(())
}

#[test]
fn incident_first_seen_active_is_not_a_reopen() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);

    let outcome = store.apply_pull(&pull(
        "t1",
        true,
        vec![incident("t1", "1", at(1, 0))],
        vec![],
    ))?;

    assert!(outcome.reopened.is_empty());
    assert!(store.local_alerts(true)?.is_empty());
    Ok(())
}

#[test]
fn failed_pull_rolls_back_and_keeps_previous_data() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    store.apply_pull(&pull(
        "t1",
        true,
        vec![incident("t1", "1", at(1, 0))],
        vec![],
    ))?;
    let before = store.portfolio(&Default::default())?;

    // The second incident breaks a CHECK constraint halfway through the
    // pull, after the first was already written inside the transaction.
    let mut changed = incident("t1", "1", at(1, 0));
    changed.display_name = "changed".into();
    changed.last_update_at = at(2, 0);
    let broken = incident("t1", "", at(3, 0));
    let result = store.apply_pull(&pull("t1", true, vec![changed, broken], vec![]));

    assert!(matches!(result, Err(Error::Sqlite(_))), "got {result:?}");
    assert_eq!(
        store.portfolio(&Default::default())?,
        before,
        "nothing of the pull is kept"
    );
    assert_eq!(store.watermark("t1")?.map(|w| w.last_full_at), None);
    Ok(())
}

#[test]
fn pull_carrying_another_tenants_rows_is_refused() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);

    let result = store.apply_pull(&pull(
        "t1",
        false,
        vec![incident("t2", "1", at(1, 0))],
        vec![],
    ));

    assert!(matches!(result, Err(Error::Invalid(_))), "got {result:?}");
    assert!(store.incident("t2", "1")?.is_none());
    Ok(())
}

#[test]
fn pull_for_an_unknown_tenant_fails() -> TestResult {
    let (_dir, store) = store();

    let result = store.apply_pull(&pull(
        "nobody",
        false,
        vec![incident("nobody", "1", at(1, 0))],
        vec![],
    ));

    assert!(
        matches!(result, Err(Error::Sqlite(_))),
        "foreign key should refuse, got {result:?}"
    );
    Ok(())
}

#[test]
fn older_copy_does_not_overwrite_a_newer_one() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut readback = incident("t1", "1", at(1, 0));
    readback.status = IncidentStatus::Resolved;
    readback.last_update_at = at(5, 0);
    store.upsert_incident(&readback, &[])?;

    // A pull that fetched the incident before the analyst resolved it.
    let stale = incident("t1", "1", at(1, 0));
    let outcome = store.apply_pull(&pull("t1", false, vec![stale], vec![]))?;

    assert_eq!(outcome.incidents_written, 0);
    assert!(outcome.reopened.is_empty(), "a stale copy is not a re-open");
    assert_eq!(
        store.incident("t1", "1")?.map(|i| i.status),
        Some(IncidentStatus::Resolved)
    );
    Ok(())
}

#[test]
fn upsert_incident_writes_the_readback_without_reopen_detection() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut resolved = incident("t1", "1", at(1, 0));
    resolved.status = IncidentStatus::Resolved;
    store.apply_pull(&pull("t1", true, vec![resolved], vec![]))?;

    let mut readback = incident("t1", "1", at(1, 0));
    readback.last_update_at = at(2, 0);
    store.upsert_incident(&readback, &[alert("t1", "a1", Some("1"))])?;

    assert!(store.local_alerts(true)?.is_empty());
    let detail = store.incident_detail("t1", "1")?.expect("cached");
    assert_eq!(detail.incident.status, IncidentStatus::Active);
    assert_eq!(detail.row.alert_count, 1);
    Ok(())
}

#[test]
fn watermark_needs_a_full_pull_and_never_moves_backwards() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut incremental = pull("t1", false, vec![], vec![]);
    incremental.watermark = Some(at(3, 0));
    store.apply_pull(&incremental)?;
    assert_eq!(store.watermark("t1")?, None, "no full pull yet");

    let mut full = pull("t1", true, vec![], vec![]);
    full.watermark = Some(at(2, 0));
    store.apply_pull(&full)?;
    let mark = store.watermark("t1")?.expect("full pull stored");
    assert_eq!(mark.last_update, at(3, 0), "an older watermark is ignored");
    assert_eq!(mark.last_full_at, at(12, 0));

    incremental.watermark = Some(at(4, 0));
    store.apply_pull(&incremental)?;
    assert_eq!(
        store.watermark("t1")?.map(|w| w.last_update),
        Some(at(4, 0))
    );
    Ok(())
}
