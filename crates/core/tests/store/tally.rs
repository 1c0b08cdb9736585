//! Severity counts and open counts read from the trigger-kept tallies
//! agree with counting the incidents one by one, through pulls that add,
//! change and delete incidents and a tenant that leaves GDAP.

use manage365_core::model::{Classification, Incident, IncidentStatus, Severity};
use manage365_core::store::Store;
use manage365_core::views::{PortfolioQuery, SeverityCounts};

use crate::support::*;

const SEVERITIES: [Severity; 5] = [
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Informational,
    Severity::Unknown,
];
const STATUSES: [IncidentStatus; 4] = [
    IncidentStatus::Active,
    IncidentStatus::InProgress,
    IncidentStatus::Resolved,
    IncidentStatus::Redirected,
];

/// Incident `n` of a tenant, its fields cycling at different rates so that
/// every combination shows up; `round` shifts them for a later pull.
fn varied(tenant: &str, n: usize, round: usize) -> Incident {
    let mut i = incident(tenant, &n.to_string(), at(n as i64, 0));
    let k = n + round;
    i.severity = SEVERITIES[k % 5].clone();
    i.status = STATUSES[(k / 2) % 4].clone();
    i.classification = match k % 4 {
        0 => None,
        1 => Some(Classification::TruePositive),
        2 => Some(Classification::Unknown),
        _ => Some(Classification::Other(String::new())),
    };
    i.assigned_to = match k % 3 {
        0 => None,
        1 => Some(String::new()),
        _ => Some("alex@contoso.com".into()),
    };
    i.last_update_at = at(n as i64, round as i64);
    i
}

/// The counts of `q` as the tallies give them, and as counting each row
/// does (a text filter matching every title forces the row count).
fn both_ways(store: &Store, q: &PortfolioQuery) -> (SeverityCounts, SeverityCounts) {
    let tallied = store.portfolio(q).expect("tallied").counts;
    let counted = PortfolioQuery {
        text: Some("Incident".into()),
        ..q.clone()
    };
    (tallied, store.portfolio(&counted).expect("counted").counts)
}

fn queries() -> Vec<PortfolioQuery> {
    let q = PortfolioQuery::default;
    vec![
        q(),
        PortfolioQuery {
            severity: vec![Severity::High, Severity::Unknown],
            ..q()
        },
        PortfolioQuery {
            status: vec![IncidentStatus::Active],
            ..q()
        },
        PortfolioQuery {
            tenant: vec!["t2".into(), "t3".into()],
            ..q()
        },
        PortfolioQuery {
            unassigned_only: true,
            ..q()
        },
        PortfolioQuery {
            classification: vec![Classification::Unknown],
            ..q()
        },
        PortfolioQuery {
            classification: vec![Classification::Other(String::new())],
            ..q()
        },
        PortfolioQuery {
            severity: vec![Severity::Medium],
            status: vec![IncidentStatus::Active, IncidentStatus::Resolved],
            classification: vec![Classification::TruePositive, Classification::Unknown],
            unassigned_only: true,
            tenant: vec!["t1".into()],
            ..q()
        },
    ]
}

#[test]
fn tallied_counts_match_counting_every_row_after_changes_and_a_hidden_tenant() -> TestResult {
    let (_dir, store) = store();
    let mut tenants = vec![
        tenant("t1", "Contoso", "contoso.com"),
        tenant("t2", "Fabrikam", "fabrikam.com"),
        tenant("t3", "Northwind", "northwind.com"),
    ];
    store.sync_tenants(&tenants)?;
    for t in ["t1", "t2", "t3"] {
        let incidents = (0..40).map(|n| varied(t, n, 0)).collect();
        store.apply_pull(&pull(t, true, incidents, vec![]))?;
    }
    // A later full pull changes most of t1's incidents and drops a third.
    let changed: Vec<Incident> = (0..40)
        .filter(|n| n % 3 != 0)
        .map(|n| varied("t1", n, 1))
        .collect();
    let kept = changed.len();
    store.apply_pull(&pull("t1", true, changed, vec![]))?;
    for q in queries() {
        let (tallied, counted) = both_ways(&store, &q);
        assert_eq!(tallied, counted, "for {q:?}");
    }

    tenants.remove(2);
    store.sync_tenants(&tenants)?;
    for q in queries() {
        let (tallied, counted) = both_ways(&store, &q);
        assert_eq!(tallied, counted, "with t3 hidden, for {q:?}");
    }
    let all = store.portfolio(&PortfolioQuery {
        limit: 1000,
        ..PortfolioQuery::default()
    })?;
    assert_eq!(all.total as usize, all.items.len());
    assert_eq!(all.items.len(), kept + 40, "t1 after the drop, and t2");
    Ok(())
}

#[test]
fn tenant_list_open_counts_match_the_incidents() -> TestResult {
    let (_dir, store) = store();
    store.sync_tenants(&[tenant("t1", "Contoso", "contoso.com")])?;
    let incidents: Vec<Incident> = (0..30).map(|n| varied("t1", n, 0)).collect();
    let open = |list: &[Incident]| {
        let open: Vec<&Incident> = list
            .iter()
            .filter(|i| {
                !matches!(
                    i.status,
                    IncidentStatus::Resolved | IncidentStatus::Redirected
                )
            })
            .collect();
        let high = open.iter().filter(|i| i.severity == Severity::High).count();
        (open.len() as u32, high as u32)
    };
    store.apply_pull(&pull("t1", true, incidents.clone(), vec![]))?;
    let summary = &store.tenant_summaries()?[0];
    assert_eq!(
        (summary.open_incidents, summary.open_high),
        open(&incidents)
    );

    let later: Vec<Incident> = (0..20).map(|n| varied("t1", n, 3)).collect();
    store.apply_pull(&pull("t1", true, later.clone(), vec![]))?;
    let summary = &store.tenant_summaries()?[0];
    assert_eq!((summary.open_incidents, summary.open_high), open(&later));
    Ok(())
}
