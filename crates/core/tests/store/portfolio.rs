//! The portfolio: order, every filter and their combinations, counts,
//! paging, skipped and hidden tenants.

use std::time::Instant;

use manage365_core::model::{Classification, IncidentStatus, Severity, SkipReason};
use manage365_core::store::{RunTotals, Store};
use manage365_core::views::PortfolioQuery;

use crate::support::*;

/// Contoso (t1), Fabrikam (t2), Northwind (t4, skipped, with data cached
/// before the skip) and Hidden (t3, no longer in GDAP).
fn seed(store: &Store) -> TestResult {
    let mut tenants = vec![
        tenant("t1", "Contoso", "contoso.com"),
        tenant("t2", "Fabrikam", "fabrikam.com"),
        tenant("t3", "Hidden", "hidden.com"),
        tenant("t4", "Northwind", "northwind.com"),
    ];
    store.sync_tenants(&tenants)?;

    let mk = |t: &str, id: &str, hour: i64, sev: Severity, status: IncidentStatus| {
        let mut i = incident(t, id, at(hour, 0));
        i.severity = sev;
        i.status = status;
        i
    };
    let mut c1 = mk("t1", "1", 1, Severity::High, IncidentStatus::Active);
    c1.assigned_to = Some("alex@contoso.com".into());
    let mut c2 = mk("t1", "2", 2, Severity::Medium, IncidentStatus::Resolved);
    c2.classification = Some(Classification::TruePositive);
    c2.display_name = "Phishing 50% off".into();
    let mut c3 = mk("t1", "3", 3, Severity::Low, IncidentStatus::InProgress);
    c3.assigned_to = Some("Bob@Contoso.com".into());
    c3.classification = Some(Classification::Unknown);
    store.apply_pull(&pull("t1", true, vec![c1, c2, c3], vec![]))?;

    let mut f1 = mk("t2", "1", 4, Severity::High, IncidentStatus::Active);
    f1.display_name = "Ransomware".into();
    let f2 = mk(
        "t2",
        "2",
        5,
        Severity::Informational,
        IncidentStatus::Redirected,
    );
    let f3 = mk(
        "t2",
        "3",
        6,
        Severity::Other("catastrophic".into()),
        IncidentStatus::Active,
    );
    let mut spear = alert("t2", "a1", Some("1"));
    spear.mitre_techniques = vec!["T1566.001".into()];
    let mut brute = alert("t2", "a2", Some("3"));
    brute.mitre_techniques = vec!["T1110".into()];
    store.apply_pull(&pull("t2", true, vec![f1, f2, f3], vec![spear, brute]))?;

    let hidden = mk("t3", "1", 8, Severity::High, IncidentStatus::Active);
    store.apply_pull(&pull("t3", true, vec![hidden], vec![]))?;
    let north = mk("t4", "1", 7, Severity::Medium, IncidentStatus::Active);
    store.apply_pull(&pull("t4", true, vec![north], vec![]))?;

    tenants.remove(2);
    tenants[2].skip_reason = Some(SkipReason::MissingSecurityRoles);
    store.sync_tenants(&tenants)?;
    Ok(())
}

/// `tenant/id` of each row, in order.
fn ids(store: &Store, q: &PortfolioQuery) -> Vec<String> {
    let page = store.portfolio(q).expect("portfolio query");
    page.items
        .iter()
        .map(|r| format!("{}/{}", r.tenant_id, r.id))
        .collect()
}

#[test]
fn portfolio_lists_every_present_tenant_newest_first() -> TestResult {
    let (_dir, store) = store();
    seed(&store)?;

    let page = store.portfolio(&PortfolioQuery::default())?;

    let order = ids(&store, &PortfolioQuery::default());
    assert_eq!(
        order,
        ["t4/1", "t2/3", "t2/2", "t2/1", "t1/3", "t1/2", "t1/1"]
    );
    assert_eq!(
        page.items[0].tenant_name, "Northwind",
        "a skipped tenant's cached data stays"
    );
    assert_eq!(page.tenant_count, 3, "the hidden tenant is not counted");
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].label, "skipped: missing Security roles");
    Ok(())
}

#[test]
fn each_filter_narrows_the_portfolio() -> TestResult {
    let (_dir, store) = store();
    seed(&store)?;
    let q = |f: fn(&mut PortfolioQuery)| {
        let mut q = PortfolioQuery::default();
        f(&mut q);
        ids(&store, &q)
    };

    assert_eq!(q(|q| q.severity = vec![Severity::High]), ["t2/1", "t1/1"]);
    assert_eq!(
        q(|q| q.severity = vec![Severity::Other("catastrophic".into())]),
        ["t2/3"]
    );
    assert_eq!(q(|q| q.status = vec![IncidentStatus::Redirected]), ["t2/2"]);
    assert_eq!(
        q(|q| q.status = vec![IncidentStatus::Resolved, IncidentStatus::InProgress]),
        ["t1/3", "t1/2"]
    );
    assert_eq!(
        q(|q| q.tenant = vec!["t1".into()]),
        ["t1/3", "t1/2", "t1/1"]
    );
    assert_eq!(
        q(|q| q.tenant = vec!["t3".into()]),
        Vec::<String>::new(),
        "hidden stays hidden"
    );
    assert_eq!(
        q(|q| q.assigned_to = vec!["ALEX@contoso.com".into()]),
        ["t1/1"]
    );
    assert_eq!(q(|q| q.unassigned_only = true).len(), 5);
    assert_eq!(
        q(|q| q.classification = vec![Classification::TruePositive]),
        ["t1/2"]
    );
    assert_eq!(
        q(|q| q.classification = vec![Classification::Unknown]).len(),
        6,
        "unknown also matches incidents nobody classified"
    );
    assert_eq!(
        q(|q| q.mitre = vec!["t1566".into()]),
        ["t2/1"],
        "prefix, any case"
    );
    assert_eq!(
        q(|q| q.mitre = vec!["T1566.001".into(), "T1110".into()]),
        ["t2/3", "t2/1"]
    );
    assert_eq!(q(|q| q.mitre = vec!["T1059".into()]), Vec::<String>::new());
    Ok(())
}

#[test]
fn text_search_covers_title_tenant_and_owner_literally() -> TestResult {
    let (_dir, store) = store();
    seed(&store)?;
    let text = |t: &str| {
        ids(
            &store,
            &PortfolioQuery {
                text: Some(t.into()),
                ..Default::default()
            },
        )
    };

    assert_eq!(text("50%"), ["t1/2"], "% is matched literally");
    assert_eq!(text("5_%"), Vec::<String>::new(), "_ is matched literally");
    assert_eq!(text("RANSOM"), ["t2/1"]);
    assert_eq!(text("fabrikam").len(), 3, "tenant name matches");
    assert_eq!(text("bob@"), ["t1/3"], "owner matches");
    assert_eq!(text("  ").len(), 7, "blank text filters nothing");
    Ok(())
}

#[test]
fn filters_combine_with_and_and_owner_choices_with_or() -> TestResult {
    let (_dir, store) = store();
    seed(&store)?;

    let high_contoso = PortfolioQuery {
        severity: vec![Severity::High],
        tenant: vec!["t1".into()],
        ..Default::default()
    };
    let active_spear = PortfolioQuery {
        status: vec![IncidentStatus::Active],
        mitre: vec!["T15".into()],
        text: Some("ransom".into()),
        ..Default::default()
    };
    let bob_or_nobody = PortfolioQuery {
        assigned_to: vec!["bob@contoso.com".into()],
        unassigned_only: true,
        tenant: vec!["t1".into()],
        ..Default::default()
    };

    assert_eq!(ids(&store, &high_contoso), ["t1/1"]);
    assert_eq!(ids(&store, &active_spear), ["t2/1"]);
    assert_eq!(ids(&store, &bob_or_nobody), ["t1/3", "t1/2"]);
    Ok(())
}

#[test]
fn counts_cover_every_matching_row_not_just_the_page() -> TestResult {
    let (_dir, store) = store();
    seed(&store)?;

    let q = PortfolioQuery {
        offset: 2,
        limit: 2,
        ..Default::default()
    };
    let page = store.portfolio(&q)?;

    assert_eq!(ids(&store, &q), ["t2/2", "t2/1"]);
    assert_eq!(page.total, 7);
    assert_eq!(page.counts.high, 2);
    assert_eq!(page.counts.medium, 2);
    assert_eq!(page.counts.low, 1);
    assert_eq!(page.counts.informational, 1);
    assert_eq!(
        page.counts.unknown, 1,
        "values this build does not know count as unknown"
    );
    let past_end = PortfolioQuery {
        offset: 7,
        ..Default::default()
    };
    assert!(store.portfolio(&past_end)?.items.is_empty());
    Ok(())
}

#[test]
fn last_synced_is_the_last_ok_or_partial_run() -> TestResult {
    let (_dir, store) = store();
    seed(&store)?;
    let finish = |outcome: &str, hour: i64| -> TestResult {
        let run = store.begin_run("manual", at(hour, 0))?;
        let totals = RunTotals {
            outcome: outcome.into(),
            ..Default::default()
        };
        store.finish_run(run, &totals, at(hour, 30))?;
        Ok(())
    };
    assert_eq!(store.portfolio(&Default::default())?.last_synced_at, None);

    finish("ok", 1)?;
    finish("partial", 2)?;
    finish("offline", 3)?;

    assert_eq!(
        store.portfolio(&Default::default())?.last_synced_at,
        Some(at(2, 30))
    );
    Ok(())
}

#[test]
fn first_page_of_twenty_thousand_incidents_stays_quick() -> TestResult {
    let (_dir, store) = store();
    let tenants: Vec<_> = (0..40)
        .map(|n| tenant(&format!("t{n}"), &format!("Tenant {n}"), "x.com"))
        .collect();
    store.sync_tenants(&tenants)?;
    let severities = [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Informational,
    ];
    let started = Instant::now();
    for (n, t) in tenants.iter().enumerate() {
        let incidents = (0..500)
            .map(|k| {
                let mut i = incident(&t.id, &k.to_string(), at(0, (k * 40 + n) as i64));
                i.severity = severities[(k + n) % 4].clone();
                i
            })
            .collect();
        store.apply_pull(&pull(&t.id, true, incidents, vec![]))?;
    }
    println!("wrote 20000 incidents in {:?}", started.elapsed());

    let started = Instant::now();
    let page = store.portfolio(&PortfolioQuery::default())?;
    let unfiltered = started.elapsed();
    let started = Instant::now();
    let high = PortfolioQuery {
        severity: vec![Severity::High],
        ..Default::default()
    };
    let filtered = store.portfolio(&high)?;
    println!(
        "first page: {unfiltered:?} unfiltered, {:?} severity high",
        started.elapsed()
    );

    assert_eq!(page.items.len(), 200, "limit 0 means a page of 200");
    assert_eq!(page.total, 20_000);
    assert_eq!(filtered.total, 5_000);
    Ok(())
}
