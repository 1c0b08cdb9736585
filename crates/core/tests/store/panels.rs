//! The incident page and per-tenant panels: detail, alerts, Secure Score,
//! summaries with day buckets, health, and hidden tenants.

use chrono::{Duration, Utc};
use manage365_core::model::{Capability, IncidentStatus, Recommendation, ScoreSnapshot, Severity};
use manage365_core::store::{NewAuditEntry, TenantOutcome};

use crate::support::*;

fn recommendation(id: &str, rank: Option<i32>) -> Recommendation {
    Recommendation {
        tenant_id: "t1".into(),
        id: id.into(),
        title: format!("Control {id}"),
        category: Some("Identity".into()),
        service: Some("AzureAD".into()),
        current_score: Some(1.0),
        max_score: Some(10.0),
        rank,
        action_type: None,
        tier: None,
        user_impact: None,
        implementation_cost: None,
        remediation: Some("<p>Do it</p>".into()),
        action_url: None,
        portal_url: format!("https://security.microsoft.com/securescore?actionId={id}"),
        state: None,
        deprecated: false,
    }
}

fn snapshot(day: i64, score: f64) -> ScoreSnapshot {
    ScoreSnapshot {
        tenant_id: "t1".into(),
        created_at: at(24 * day, 0),
        current_score: score,
        max_score: 100.0,
    }
}

fn audit_entry(incident_id: &str, minute: i64) -> NewAuditEntry {
    NewAuditEntry {
        at: at(9, minute),
        actor: "cli".into(),
        tenant_id: "t1".into(),
        incident_id: Some(incident_id.into()),
        action: "update_incident".into(),
        method: "PATCH".into(),
        path: format!("/v1.0/security/incidents/{incident_id}"),
        request_body: Some(serde_json::json!({"status": "resolved"})),
        status: Some(200),
        request_id: Some("req-1".into()),
        response_body: Some(serde_json::json!({"id": incident_id})),
        outcome: "updated".into(),
    }
}

#[test]
fn incident_detail_gathers_alerts_upns_and_its_audit() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut late = alert("t1", "late", Some("1"));
    late.first_activity_at = Some(at(5, 0));
    late.evidence = vec![
        evidence("user", "alex@contoso.com"),
        evidence("user", "tech@msp.example"),
    ];
    let mut early = alert("t1", "early", Some("1"));
    early.first_activity_at = Some(at(2, 0));
    early.assigned_to = Some("soc@contoso.com".into());
    let mut owned = incident("t1", "2", at(1, 0));
    owned.assigned_to = Some("Bea@Contoso.com".into());
    let incidents = vec![incident("t1", "1", at(1, 0)), owned];
    store.apply_pull(&pull("t1", true, incidents, vec![late, early]))?;
    for (incident, minute) in [("1", 1), ("2", 2), ("1", 3)] {
        store.append_audit(&audit_entry(incident, minute))?;
    }

    let detail = store
        .incident_detail("t1", "1")?
        .expect("incident 1 is cached");

    let alert_ids: Vec<_> = detail.alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(alert_ids, ["early", "late"], "oldest activity first");
    assert_eq!(
        detail.known_upns,
        ["alex@contoso.com", "Bea@Contoso.com", "soc@contoso.com"]
    );
    assert_eq!(detail.tenant_domains, ["contoso.com"]);
    assert_eq!(detail.capability, Capability::Manage);
    let minutes: Vec<_> = detail.audit.iter().map(|e| e.at).collect();
    assert_eq!(
        minutes,
        [at(9, 3), at(9, 1)],
        "this incident's entries, newest first"
    );
    assert_eq!(detail.row.tenant_name, "Contoso");
    assert!(store.incident_detail("t1", "404")?.is_none());
    Ok(())
}

#[test]
fn tenant_alerts_split_standalone_and_nested_with_mitre_prefix() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut spear = alert("t1", "spear", Some("1"));
    spear.mitre_techniques = vec!["T1566.001".into()];
    let mut brute = alert("t1", "brute", Some("2"));
    brute.mitre_techniques = vec!["T1110.003".into()];
    let mut lone = alert("t1", "lone", None);
    lone.mitre_techniques = vec!["T1566.002".into()];
    let orphan = alert("t1", "orphan", Some("99"));
    let incidents = vec![incident("t1", "1", at(1, 0)), incident("t1", "2", at(2, 0))];
    store.apply_pull(&pull(
        "t1",
        true,
        incidents,
        vec![spear, brute, lone, orphan],
    ))?;

    let all = store.tenant_alerts("t1", None)?;
    let phishing = store.tenant_alerts("t1", Some("t1566"))?;

    let groups: Vec<_> = all
        .by_incident
        .iter()
        .map(|g| g.incident_id.as_str())
        .collect();
    assert_eq!(
        groups,
        ["2", "1", "99"],
        "newest incident first, uncached last"
    );
    assert_eq!(all.by_incident[2].display_name, "Incident 99");
    assert_eq!(all.standalone.len(), 1);
    assert_eq!(all.standalone[0].id, "lone");
    assert_eq!(phishing.standalone.len(), 1);
    assert_eq!(
        phishing.by_incident.len(),
        1,
        "incidents without a match are dropped"
    );
    assert_eq!(phishing.by_incident[0].alerts[0].id, "spear");
    Ok(())
}

#[test]
fn an_incidents_alerts_come_oldest_activity_first_in_both_panels() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let timed = |id: &str, first: Option<i64>, created: i64| {
        let mut a = alert("t1", id, Some("1"));
        a.first_activity_at = first.map(|m| at(1, m));
        a.created_at = Some(at(2, created));
        a
    };
    let alerts = vec![
        timed("unknown-start", None, 0),
        timed("b-late", Some(30), 5),
        timed("a-late", Some(30), 5),
        timed("late-created-later", Some(30), 9),
        timed("early", Some(10), 50),
    ];
    store.apply_pull(&pull(
        "t1",
        true,
        vec![incident("t1", "1", at(1, 0))],
        alerts,
    ))?;

    let listed = store.tenant_alerts("t1", None)?;
    let detail = store.incident_detail("t1", "1")?.expect("cached");

    let ids = |alerts: &[manage365_core::model::Alert]| {
        alerts.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
    };
    let expected = [
        "early",
        "a-late",
        "b-late",
        "late-created-later",
        "unknown-start",
    ];
    assert_eq!(
        ids(&listed.by_incident[0].alerts),
        expected,
        "tenant alerts panel"
    );
    assert_eq!(ids(&detail.alerts), expected, "incident page");
    Ok(())
}

#[test]
fn tenant_alerts_leave_evidence_to_be_read_per_alert() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let mut spear = alert("t1", "spear", Some("1"));
    spear.evidence = vec![
        evidence("user", "alex@contoso.com"),
        evidence("url", "https://contoso-billing.example/login"),
    ];
    let mut lone = alert("t1", "lone", None);
    lone.evidence = vec![evidence("device", "WS-0042")];
    let incidents = vec![incident("t1", "1", at(1, 0))];
    store.apply_pull(&pull(
        "t1",
        true,
        incidents,
        vec![spear.clone(), lone.clone()],
    ))?;

    let listed = store.tenant_alerts("t1", None)?;
    assert!(listed.standalone[0].evidence.is_empty());
    assert!(listed.by_incident[0].alerts[0].evidence.is_empty());
    assert_eq!(
        listed.by_incident[0].alerts[0].title, spear.title,
        "everything else is there"
    );

    assert_eq!(store.alert_evidence("t1", "spear")?, Some(spear.evidence));
    assert_eq!(store.alert_evidence("t1", "lone")?, Some(lone.evidence));
    assert_eq!(store.alert_evidence("t1", "nope")?, None);
    assert_eq!(
        store.alert_evidence("t2", "spear")?,
        None,
        "another tenant's id"
    );
    store.sync_tenants(&[tenant("t2", "Fabrikam", "fabrikam.com")])?;
    assert_eq!(
        store.alert_evidence("t1", "spear")?,
        None,
        "a tenant no longer managed"
    );
    Ok(())
}

#[test]
fn secure_score_replaces_recommendations_and_merges_snapshots() -> TestResult {
    let (dir, store) = store();
    two_tenants(&store);
    let mut first = pull("t1", false, vec![], vec![]);
    let recs = vec![
        recommendation("Old", Some(1)),
        recommendation("MFA", Some(2)),
    ];
    // Three weeks before the others: cached, but outside the tenant
    // list's 14-day trend.
    let old = snapshot(-21, 30.0);
    first.secure_score = Some((vec![old, snapshot(1, 40.0), snapshot(2, 42.0)], recs));
    store.apply_pull(&first)?;

    let mut second = pull("t1", false, vec![], vec![]);
    let recs = vec![
        recommendation("Audit", None),
        recommendation("MFA", Some(1)),
    ];
    second.secure_score = Some((vec![snapshot(2, 43.0), snapshot(3, 45.0)], recs));
    store.apply_pull(&second)?;

    let recommendations = store.tenant_recommendations("t1")?;
    let ids: Vec<_> = recommendations
        .items
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["MFA", "Audit"],
        "by rank, unranked last; retired controls gone"
    );
    assert_eq!(recommendations.latest, Some(snapshot(3, 45.0)));
    assert_eq!(recommendations.items[1], recommendation("Audit", None));
    // Another tenant's snapshots stay its own. Its newest is five weeks
    // old (pulls failing, or the cache browsed offline): its two weeks end
    // there, not today.
    let mut other = pull("t2", false, vec![], vec![]);
    let theirs = [(-50, 69.0), (-40, 70.0), (-30, 71.0)].map(|(day, score)| ScoreSnapshot {
        tenant_id: "t2".into(),
        ..snapshot(day, score)
    });
    other.secure_score = Some((theirs.to_vec(), vec![]));
    store.apply_pull(&other)?;

    let trends: Vec<(String, Vec<f64>)> = store
        .tenant_summaries()?
        .into_iter()
        .map(|t| {
            let scores = t.score_trend.iter().map(|s| s.current_score).collect();
            (t.tenant_id, scores)
        })
        .collect();
    assert_eq!(
        trends,
        [
            ("t1".to_string(), vec![40.0, 43.0, 45.0]),
            ("t2".to_string(), vec![70.0, 71.0]),
        ],
        "snapshots of each tenant's last 14 days merged, oldest first, each tenant's own"
    );
    let cached: i64 = rusqlite::Connection::open(dir.path().join("cache.sqlite"))?.query_row(
        "SELECT count(*) FROM score_snapshots WHERE tenant_id = 't1'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(cached, 4, "the older snapshot stays in the cache");
    Ok(())
}

#[test]
fn tenant_summaries_bucket_incidents_by_utc_day() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    let now = Utc::now();
    let days_ago = |d: i64, id: &str| incident("t1", id, now - Duration::days(d));
    let mut resolved = days_ago(0, "today-resolved");
    resolved.status = IncidentStatus::Resolved;
    let mut high = days_ago(1, "yesterday-high");
    high.severity = Severity::High;
    let incidents = vec![
        resolved,
        high,
        days_ago(1, "yesterday"),
        days_ago(13, "first"),
        days_ago(14, "too-old"),
    ];
    store.apply_pull(&pull("t1", true, incidents, vec![]))?;

    let summaries = store.tenant_summaries()?;

    let contoso = &summaries[0];
    let mut expected = vec![0; 14];
    expected[0] = 1;
    expected[12] = 2;
    expected[13] = 1;
    assert_eq!(
        contoso.incidents_per_day, expected,
        "14 days, oldest first, ending today"
    );
    assert_eq!(contoso.open_incidents, 4);
    assert_eq!(contoso.open_high, 1);
    assert_eq!(
        summaries[1].incidents_per_day,
        vec![0; 14],
        "a tenant without incidents"
    );
    Ok(())
}

#[test]
fn tenant_summaries_give_each_tenant_its_own_days_and_scores() -> TestResult {
    // Names sort the other way round from ids, and a hidden tenant's id
    // falls between the listed ones: the per-tenant rows, read in id
    // order, must each land on their own tenant and the hidden one's on
    // none.
    let (_dir, store) = store();
    let ids = ["a-zeta", "m-hidden", "m-mid", "z-alpha"];
    let tenants: Vec<_> = ids
        .iter()
        .zip(["Zeta", "Hidden", "Mid", "Alpha"])
        .map(|(id, name)| tenant(id, name, &format!("{id}.example")))
        .collect();
    store.sync_tenants(&tenants)?;
    let now = Utc::now();
    for (n, id) in ids.iter().enumerate() {
        // Tenant n has n + 1 incidents, on day n back, and n + 1 snapshots.
        let incidents = (0..=n)
            .map(|i| incident(id, &format!("{id}-{i}"), now - Duration::days(n as i64)))
            .collect();
        let mut tenant_pull = pull(id, true, incidents, vec![]);
        let snapshots = (0..=n)
            .map(|day| ScoreSnapshot {
                tenant_id: (*id).into(),
                ..snapshot(day as i64, 10.0 * n as f64)
            })
            .collect();
        tenant_pull.secure_score = Some((snapshots, vec![]));
        store.apply_pull(&tenant_pull)?;
    }
    let listed: Vec<_> = tenants
        .iter()
        .filter(|t| t.id != "m-hidden")
        .cloned()
        .collect();
    store.sync_tenants(&listed)?;

    let summaries = store.tenant_summaries()?;

    let names: Vec<_> = summaries.iter().map(|s| s.tenant_name.as_str()).collect();
    assert_eq!(names, ["Alpha", "Mid", "Zeta"], "by name");
    for summary in &summaries {
        let n = ids.iter().position(|id| *id == summary.tenant_id).unwrap();
        let mut days = vec![0; 14];
        days[13 - n] = n as u32 + 1;
        assert_eq!(summary.incidents_per_day, days, "{}", summary.tenant_id);
        assert_eq!(summary.score_trend.len(), n + 1, "{}", summary.tenant_id);
        assert!(summary
            .score_trend
            .iter()
            .all(|s| s.tenant_id == summary.tenant_id && s.current_score == 10.0 * n as f64));
    }
    Ok(())
}

#[test]
fn hidden_tenants_disappear_from_every_panel() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    store.apply_pull(&pull(
        "t2",
        true,
        vec![incident("t2", "1", at(1, 0))],
        vec![alert("t2", "a", Some("1"))],
    ))?;

    store.sync_tenants(&[tenant("t1", "Contoso", "contoso.com")])?;

    assert!(store.tenant("t2")?.is_none());
    assert_eq!(store.tenants()?.len(), 1);
    assert!(store.incident("t2", "1")?.is_none());
    assert!(store.incident_detail("t2", "1")?.is_none());
    assert!(store.tenant_alerts("t2", None)?.by_incident.is_empty());
    assert_eq!(store.tenant_summaries()?.len(), 1);
    assert_eq!(store.tenant_health()?.len(), 1);

    store.sync_tenants(&[tenant("t2", "Fabrikam", "fabrikam.com")])?;
    assert!(
        store.incident("t2", "1")?.is_some(),
        "data is kept for a tenant that returns"
    );
    Ok(())
}

#[test]
fn health_shows_attempts_errors_and_cached_counts() -> TestResult {
    let (_dir, store) = store();
    two_tenants(&store);
    store.apply_pull(&pull(
        "t1",
        true,
        vec![incident("t1", "1", at(1, 0))],
        vec![alert("t1", "a", None)],
    ))?;
    let failed = TenantOutcome {
        at: at(2, 0),
        ok: false,
        error: Some("Forbidden (request id r1)".into()),
    };
    store.record_attempt(
        "t1",
        &TenantOutcome {
            at: at(1, 0),
            ok: true,
            error: None,
        },
    )?;
    store.record_attempt("t1", &failed)?;
    store.record_attempt("t2", &failed)?;
    store.record_attempt(
        "t2",
        &TenantOutcome {
            at: at(3, 0),
            ok: true,
            error: None,
        },
    )?;

    let health = store.tenant_health()?;

    let contoso = &health[0];
    assert_eq!(contoso.last_attempt_at, Some(at(2, 0)));
    assert_eq!(
        contoso.last_success_at,
        Some(at(1, 0)),
        "a failure keeps the last success"
    );
    assert_eq!(
        contoso.last_error.as_deref(),
        Some("Forbidden (request id r1)")
    );
    assert_eq!(
        (contoso.incidents, contoso.alerts, contoso.recommendations),
        (1, 1, 0)
    );
    let fabrikam = &health[1];
    assert_eq!(fabrikam.last_success_at, Some(at(3, 0)));
    assert_eq!(fabrikam.last_error, None, "a success clears the last error");
    Ok(())
}
