//! The portfolio's text and MITRE filters, answered from the trigram index
//! and the per-incident technique table, return exactly what the plain
//! scans return (LIKE over every incident, a join through every alert),
//! and those tables stay equal to what they are derived from, through
//! updates, moved alerts, reconcile deletes and a hidden tenant. The MITRE
//! counts read from the technique tally are among what is compared.

use manage365_core::model::{Alert, Incident, Severity};
use manage365_core::store::Store;
use manage365_core::views::PortfolioQuery;
use rusqlite::Connection;

use crate::support::*;

const TITLES: [&str; 9] = [
    "Phishing 50% off",
    "under_score in name",
    r"back\slash path",
    "Ransomware on HOST-7",
    "Ünïcode ÉTÉ alert",
    "quote \"x\" here",
    "Password spray",
    "phishing link clicked",
    "ab",
];
const OWNERS: [Option<&str>; 4] = [
    None,
    Some(""),
    Some("Alex@Contoso.com"),
    Some("sec_ops%team"),
];
const TECHNIQUES: [&[&str]; 5] = [
    &[],
    &["T1566.001"],
    &["t1566", " T1110 "],
    &["T1059.001", "T1566.002"],
    &["T1110.003"],
];

const TEXTS: [&str; 24] = [
    "phi",
    "PHISH",
    "ph",
    "p",
    "%",
    "50%",
    "_",
    "r_s",
    "e_s",
    r"\",
    r"k\s",
    "ünï",
    "ÜNÏ",
    "ÉTÉ",
    "contoso",
    "fab%rik",
    "\"x\"",
    "  spray  ",
    "nomatch",
    "h o",
    "ab",
    "abc",
    "ops%t",
    "S-7",
];
const MITRE: [&[&str]; 10] = [
    &["T1566"],
    &["t1566.001"],
    &["T1566.002 "],
    &["T1110.003"],
    &["t1566.0"],
    &["T1"],
    &["T1110"],
    &["T9"],
    &[" t15 "],
    &["T1566.002", "T1110.003"],
];

const SEVERITIES: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

/// Incident `n` of a tenant; `round` shifts title, owner and severity for
/// a later pull.
fn item(tenant: &str, n: usize, round: usize) -> Incident {
    let mut i = incident(tenant, &n.to_string(), at(n as i64, 0));
    i.severity = SEVERITIES[(n + round) % SEVERITIES.len()].clone();
    i.display_name = TITLES[(n + round) % TITLES.len()].into();
    i.assigned_to = OWNERS[(n + 2 * round) % OWNERS.len()].map(Into::into);
    i.last_update_at = at(n as i64, round as i64);
    i
}

/// Alert `n` of a tenant, on incident `n / 2` (`round` moves it); alerts
/// from 50 on name incidents 30 and up, which are pulled later.
fn signal(tenant: &str, n: usize, round: usize) -> Alert {
    let incident = if n >= 50 {
        (n - 20).to_string()
    } else {
        ((n + round) / 2).to_string()
    };
    let mut a = alert(tenant, &format!("a{n}"), Some(&incident));
    if n % 7 == 6 {
        a.incident_id = None;
    }
    a.mitre_techniques = TECHNIQUES[(n + round) % TECHNIQUES.len()]
        .iter()
        .map(|t| t.to_string())
        .collect();
    a.last_update_at = Some(at(1, round as i64));
    a
}

/// The same escape as the store's, written again so a slip there shows.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Filters beside text and MITRE: one severity, one tenant.
#[derive(Clone, Copy, Debug)]
struct Also {
    severity: Option<&'static str>,
    tenant: Option<&'static str>,
}

const ALSO: [Also; 3] = [
    Also {
        severity: None,
        tenant: None,
    },
    Also {
        severity: Some("high"),
        tenant: None,
    },
    Also {
        severity: Some("low"),
        tenant: Some("t1"),
    },
];

/// `tenant/id` of every row the plain scans match, newest first.
fn scanned(db: &Connection, text: Option<&str>, mitre: &[&str], also: Also) -> Vec<String> {
    let mut sql = String::from(
        "SELECT i.tenant_id || '/' || i.id FROM incidents i JOIN tenants t ON t.id = i.tenant_id \
         WHERE t.present = 1",
    );
    if let Some(severity) = also.severity {
        sql.push_str(&format!(" AND i.severity = '{severity}'"));
    }
    if let Some(tenant) = also.tenant {
        sql.push_str(&format!(" AND i.tenant_id = '{tenant}'"));
    }
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
        let p = format!("'{}'", like_pattern(text).replace('\'', "''"));
        sql.push_str(&format!(
            " AND (i.display_name LIKE {p} ESCAPE '\\' OR i.assigned_to LIKE {p} ESCAPE '\\' \
             OR t.display_name LIKE {p} ESCAPE '\\')"
        ));
    }
    let prefixes: Vec<String> = mitre
        .iter()
        .map(|m| m.trim().to_uppercase())
        .map(|m| format!("substr(x.technique, 1, {}) = '{m}'", m.len()))
        .collect();
    if !prefixes.is_empty() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM alerts a JOIN alert_techniques x \
             ON x.tenant_id = a.tenant_id AND x.alert_id = a.id \
             WHERE a.tenant_id = i.tenant_id AND a.incident_id = i.id AND ({}))",
            prefixes.join(" OR ")
        ));
    }
    sql.push_str(" ORDER BY i.created_at DESC, i.id DESC, i.tenant_id DESC");
    let mut stmt = db.prepare(&sql).expect("scan prepares");
    let rows = stmt.query_map([], |r| r.get(0)).expect("scan runs");
    rows.collect::<Result<_, _>>().expect("scan rows")
}

/// The portfolio's rows and total for the same filters.
fn listed(store: &Store, text: Option<&str>, mitre: &[&str], also: Also) -> (Vec<String>, u32) {
    let q = PortfolioQuery {
        text: text.map(Into::into),
        mitre: mitre.iter().map(|m| m.to_string()).collect(),
        severity: also
            .severity
            .map(Severity::from_product)
            .into_iter()
            .collect(),
        tenant: also.tenant.map(String::from).into_iter().collect(),
        limit: 10_000,
        ..PortfolioQuery::default()
    };
    let page = store.portfolio(&q).expect("portfolio query");
    let ids = page
        .items
        .iter()
        .map(|r| format!("{}/{}", r.tenant_id, r.id))
        .collect();
    (ids, page.total)
}

/// Every filter, alone and combined, agrees with the scans, and the derived
/// tables equal what they are derived from.
fn assert_same(store: &Store, db: &Connection, when: &str) {
    let mut cases: Vec<(Option<&str>, &[&str])> = vec![(None, &[])];
    cases.extend(TEXTS.iter().map(|t| (Some(*t), &[][..])));
    cases.extend(MITRE.iter().map(|m| (None, *m)));
    cases.extend([(Some("phish"), MITRE[0]), (Some("ops%"), MITRE[3])]);
    let mut matched = 0;
    for (text, mitre) in cases {
        for also in ALSO {
            let expected = scanned(db, text, mitre, also);
            let (ids, total) = listed(store, text, mitre, also);
            assert_eq!(
                ids, expected,
                "{when}: rows for {text:?} {mitre:?} {also:?}"
            );
            assert_eq!(
                total as usize,
                expected.len(),
                "{when}: total for {text:?} {mitre:?} {also:?}"
            );
            matched += usize::from(!expected.is_empty());
        }
    }
    assert!(matched > 60, "{when}: most cases match something");
    assert_derived_tables(db, when);
}

fn assert_derived_tables(db: &Connection, when: &str) {
    let rows = |sql: &str| -> Vec<String> {
        let mut stmt = db.prepare(sql).expect("prepares");
        let rows = stmt.query_map([], |r| r.get(0)).expect("runs");
        rows.collect::<Result<_, _>>().expect("rows")
    };
    let techniques = rows(
        "SELECT technique || '|' || tenant_id || '|' || incident_id || '|' || n \
         FROM incident_techniques ORDER BY 1",
    );
    let from_alerts = rows(
        "SELECT x.technique || '|' || a.tenant_id || '|' || a.incident_id || '|' || count(*) \
         FROM alert_techniques x JOIN alerts a ON a.tenant_id = x.tenant_id AND a.id = x.alert_id \
         WHERE a.incident_id IS NOT NULL GROUP BY x.technique, a.tenant_id, a.incident_id \
         ORDER BY 1",
    );
    assert_eq!(techniques, from_alerts, "{when}: incident techniques");
    // Per technique and parent technique, tenant and severity: incidents
    // that exist and have an alert with that technique or a sub-technique.
    let tally = rows(
        "SELECT key || '|' || tenant_id || '|' || severity || '|' || n FROM technique_tally \
         ORDER BY 1",
    );
    let from_incidents = rows(
        "SELECT k.key || '|' || i.tenant_id || '|' || i.severity || '|' || count(*) FROM ( \
             SELECT x.technique AS key, a.tenant_id, a.incident_id FROM alert_techniques x \
             JOIN alerts a ON a.tenant_id = x.tenant_id AND a.id = x.alert_id \
             UNION \
             SELECT substr(x.technique, 1, instr(x.technique, '.') - 1), a.tenant_id, \
                 a.incident_id FROM alert_techniques x \
             JOIN alerts a ON a.tenant_id = x.tenant_id AND a.id = x.alert_id \
             WHERE instr(x.technique, '.') > 1) k \
         JOIN incidents i ON i.tenant_id = k.tenant_id AND i.id = k.incident_id \
         GROUP BY k.key, i.tenant_id, i.severity ORDER BY 1",
    );
    assert!(!tally.is_empty(), "{when}: the technique tally has rows");
    assert_eq!(tally, from_incidents, "{when}: technique tally");
    let text = rows(
        "SELECT k.tenant_id || '/' || k.id || '|' || f.display_name || '|' || f.assigned_to \
         FROM incident_text f JOIN incident_search_keys k ON k.k = f.rowid ORDER BY 1",
    );
    let from_incidents = rows(
        "SELECT tenant_id || '/' || id || '|' || display_name || '|' || coalesce(assigned_to, '') \
         FROM incidents ORDER BY 1",
    );
    assert_eq!(text, from_incidents, "{when}: indexed text");
    db.execute(
        "INSERT INTO incident_text (incident_text) VALUES ('integrity-check')",
        [],
    )
    .expect("full-text index is consistent");
}

#[test]
fn text_and_mitre_filters_match_the_plain_scans_through_changes() -> TestResult {
    let (dir, store) = store();
    let db = Connection::open(dir.path().join("cache.sqlite"))?;
    let mut tenants = vec![
        tenant("t1", "Contoso", "contoso.com"),
        tenant("t2", r"Fab%rik_am\", "fabrikam.com"),
        tenant("t3", "Northwind", "northwind.com"),
    ];
    store.sync_tenants(&tenants)?;
    for t in ["t1", "t2", "t3"] {
        let incidents = (0..30).map(|n| item(t, n, 0)).collect();
        let alerts = (0..60).map(|n| signal(t, n, 0)).collect();
        store.apply_pull(&pull(t, true, incidents, alerts))?;
    }
    assert_same(&store, &db, "first pull");

    // Incidents whose alerts were cached before them.
    let incidents = (30..36).map(|n| item("t1", n, 0)).collect();
    store.apply_pull(&pull("t1", false, incidents, Vec::new()))?;
    assert_same(&store, &db, "incidents after their alerts");

    // Titles, owners and severities change, alerts move and change
    // techniques.
    let incidents = (0..36).map(|n| item("t1", n, 1)).collect();
    let alerts = (0..60).map(|n| signal("t1", n, 1)).collect();
    store.apply_pull(&pull("t1", false, incidents, alerts))?;
    assert_same(&store, &db, "after updates");

    // Alerts rewritten with the same techniques, some moved to another
    // incident: their technique rows stay, the tallies follow the move.
    let alerts = (0..60)
        .map(|n| {
            let mut a = signal("t1", n, 1);
            a.incident_id = signal("t1", n, 3).incident_id;
            a.last_update_at = Some(at(1, 3));
            a
        })
        .collect();
    store.apply_pull(&pull("t1", false, Vec::new(), alerts))?;
    assert_same(&store, &db, "after moves with the same techniques");

    // A full pull drops a third of t2's incidents and half its alerts.
    let incidents = (0..30)
        .filter(|n| n % 3 != 0)
        .map(|n| item("t2", n, 2))
        .collect();
    let alerts = (0..50)
        .filter(|n| n % 2 == 0)
        .map(|n| signal("t2", n, 2))
        .collect();
    store.apply_pull(&pull("t2", true, incidents, alerts))?;
    assert_same(&store, &db, "after reconcile");

    tenants.remove(2);
    store.sync_tenants(&tenants)?;
    assert_same(&store, &db, "with t3 hidden");
    Ok(())
}
