//! Severity counts read from the tallies of migration 3 instead of from
//! the incidents themselves.
//!
//! The portfolio shows counts per severity over every matching incident.
//! Counting 100k incidents row by row takes tens of milliseconds, so
//! triggers keep `incident_tally` (per tenant) and `incident_tally_all`
//! (every tenant) up to date with each write, keyed by the values the
//! filters test. A query whose filters are all tally columns (severity,
//! status, tenant, classification, "unassigned") sums a few hundred tally
//! rows; any other filter (owner names, MITRE, text) falls back to
//! counting incidents.

use rusqlite::{params_from_iter, Connection};

use super::portfolio::Filter;
use super::Result;
use crate::model::{Classification, Severity};
use crate::views::{PortfolioQuery, SeverityCounts};

/// Which present tenants a present-tenant filter on `c.tenant_id` keeps.
const PRESENT: &str = "c.tenant_id IN (SELECT id FROM tenants WHERE present = 1)";

/// Tenants whose incidents the cross-tenant figures leave out.
const HIDDEN: &str = "c.tenant_id IN (SELECT id FROM tenants WHERE present <> 1)";

/// The tally filter for `q`, or `None` when a filter set on `q` is not a
/// tally column.
fn build(q: &PortfolioQuery) -> Option<Filter> {
    let text_set = q.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    let mitre_set = q.mitre.iter().any(|m| !m.trim().is_empty());
    if text_set || mitre_set || !q.assigned_to.is_empty() {
        return None;
    }
    let mut f = Filter::default();
    if !q.severity.is_empty() {
        let clause = f.any_of("c.severity", q.severity.iter().map(Severity::as_str));
        f.clauses.push(clause);
    }
    if !q.status.is_empty() {
        let clause = f.any_of("c.status", q.status.iter().map(|s| s.as_str()));
        f.clauses.push(clause);
    }
    if q.unassigned_only {
        f.clauses.push("c.unassigned = 1".into());
    }
    if !q.classification.is_empty() {
        let wanted = q.classification.iter().map(|c| c.as_str());
        let listed = f.any_of("c.classification", wanted);
        // Unclassified incidents sit under '' with `classified` 0, apart
        // from any incident really classified as ''.
        let mut clause = format!("(c.classified = 1 AND {listed})");
        if q.classification.contains(&Classification::Unknown) {
            clause = format!("({clause} OR c.classified = 0)");
        }
        f.clauses.push(clause);
    }
    Some(f)
}

/// Severity counts of the incidents `q` matches, from the tallies; `None`
/// when `q` has a filter the tallies do not cover.
pub(super) fn counts(conn: &Connection, q: &PortfolioQuery) -> Result<Option<SeverityCounts>> {
    let Some(mut f) = build(q) else {
        return Ok(None);
    };
    let sql = if q.tenant.is_empty() {
        // Every tenant together, less the hidden ones (usually none).
        let shared = f
            .clauses
            .iter()
            .map(|c| format!(" AND {c}"))
            .collect::<String>();
        format!(
            "SELECT severity, sum(n) FROM ( \
                 SELECT c.severity, c.n FROM incident_tally_all c WHERE 1 {shared} \
                 UNION ALL \
                 SELECT c.severity, -c.n FROM incident_tally c WHERE {HIDDEN} {shared}) \
             GROUP BY severity"
        )
    } else {
        let tenants = f.any_of("c.tenant_id", q.tenant.iter().map(String::as_str));
        f.clauses.push(tenants);
        f.clauses.push(PRESENT.into());
        format!(
            "SELECT c.severity, sum(c.n) FROM incident_tally c WHERE {} GROUP BY c.severity",
            f.clauses.join(" AND ")
        )
    };
    Ok(Some(read(conn, &sql, &f)?))
}

/// Runs `sql`, whose rows are (severity as stored, count), with the
/// parameters of `f`, and adds them up.
pub(super) fn read(conn: &Connection, sql: &str, f: &Filter) -> Result<SeverityCounts> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(f.params.iter()))?;
    let mut counts = SeverityCounts::default();
    while let Some(row) = rows.next()? {
        let severity: String = row.get(0)?;
        add(&mut counts, &severity, row.get(1)?);
    }
    Ok(counts)
}

/// Adds `n` incidents of `severity` (as stored) to `counts`.
pub(super) fn add(counts: &mut SeverityCounts, severity: &str, n: u32) {
    match Severity::from_product(severity) {
        Severity::High => counts.high += n,
        Severity::Medium => counts.medium += n,
        Severity::Low => counts.low += n,
        Severity::Informational => counts.informational += n,
        Severity::Unknown | Severity::Other(_) => counts.unknown += n,
    }
}

#[cfg(test)]
mod tests {
    use super::super::migrations::{migrate, migrate_to};
    use super::*;

    /// Rows in `a` and not in `b`, or in `b` and not in `a`.
    fn differences(conn: &Connection, a: &str, b: &str) -> i64 {
        let sql = format!(
            "SELECT (SELECT count(*) FROM ({a} EXCEPT {b})) + (SELECT count(*) FROM ({b} EXCEPT {a}))"
        );
        conn.query_row(&sql, [], |r| r.get(0)).unwrap()
    }

    /// Fails unless every tally equals a count of the incidents as they are.
    fn assert_exact(conn: &Connection, after: &str) {
        let key = "severity, status, coalesce(classification, ''), classification IS NOT NULL, \
                   coalesce(assigned_to, '') = ''";
        let checks = [
            (
                format!(
                    "SELECT tenant_id, {key}, count(*) FROM incidents GROUP BY tenant_id, {key}"
                ),
                "SELECT * FROM incident_tally",
            ),
            (
                format!("SELECT {key}, count(*) FROM incidents GROUP BY {key}"),
                "SELECT * FROM incident_tally_all",
            ),
            (
                "SELECT substr(created_at, 1, 10), tenant_id, count(*) FROM incidents \
                 GROUP BY 1, 2"
                    .to_string(),
                "SELECT * FROM incident_days",
            ),
            (
                "SELECT tenant_id, sum(status NOT IN ('resolved', 'redirected')), \
                     sum(status NOT IN ('resolved', 'redirected') AND severity = 'high') \
                 FROM incidents GROUP BY tenant_id"
                    .to_string(),
                // Tenants whose incidents are all gone keep a row of zeros.
                "SELECT * FROM incident_open WHERE tenant_id IN (SELECT tenant_id FROM incidents)",
            ),
        ];
        for (counted, kept) in checks {
            assert_eq!(differences(conn, &counted, kept), 0, "{kept} after {after}");
        }
    }

    fn insert(conn: &Connection, row: (&str, &str, &str, &str, Option<&str>, Option<&str>, &str)) {
        let (tenant, id, severity, status, classification, owner, created) = row;
        conn.execute(
            "INSERT INTO incidents (tenant_id, id, display_name, severity, status, \
                 classification, assigned_to, created_at, last_update_at) \
             VALUES (?1, ?2, 'x', ?3, ?4, ?5, ?6, ?7, ?7)",
            rusqlite::params![tenant, id, severity, status, classification, owner, created],
        )
        .unwrap();
    }

    #[test]
    fn tallies_stay_exact_through_backfill_inserts_updates_and_deletes() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, display_name, capability) VALUES \
                 ('t1', 'Contoso', 'manage'), ('t2', 'Fabrikam', 'manage');",
        )
        .unwrap();
        insert(
            &conn,
            (
                "t1",
                "1",
                "high",
                "active",
                None,
                None,
                "2024-05-01T01:00:00Z",
            ),
        );
        insert(
            &conn,
            (
                "t1",
                "2",
                "high",
                "resolved",
                Some("true_positive"),
                Some(""),
                "2024-05-01T02:00:00Z",
            ),
        );
        insert(
            &conn,
            (
                "t2",
                "1",
                "low",
                "active",
                Some(""),
                Some("a@x.com"),
                "2024-05-02T01:00:00Z",
            ),
        );

        migrate(&mut conn).unwrap();
        assert_exact(&conn, "the backfill");

        insert(
            &conn,
            (
                "t2",
                "2",
                "medium",
                "in_progress",
                None,
                Some("b@x.com"),
                "2024-05-02T03:00:00Z",
            ),
        );
        assert_exact(&conn, "an insert");

        // The upsert the store runs names every column, changed or not.
        let upsert = "INSERT INTO incidents (tenant_id, id, display_name, severity, status, \
                 classification, assigned_to, created_at, last_update_at) \
             VALUES (?1, ?2, 'x', ?3, ?4, ?5, ?6, ?7, ?7) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET severity = excluded.severity, \
                 status = excluded.status, classification = excluded.classification, \
                 assigned_to = excluded.assigned_to, created_at = excluded.created_at";
        let changes: [[Option<&str>; 7]; 4] = [
            [
                Some("t1"),
                Some("1"),
                Some("high"),
                Some("active"),
                None,
                None,
                Some("2024-05-01T01:00:00Z"),
            ],
            [
                Some("t1"),
                Some("1"),
                Some("low"),
                Some("resolved"),
                Some("unknown"),
                Some("c@x.com"),
                Some("2024-05-03T00:00:00Z"),
            ],
            [
                Some("t2"),
                Some("1"),
                Some("low"),
                Some("active"),
                None,
                None,
                Some("2024-05-02T01:00:00Z"),
            ],
            [
                Some("t1"),
                Some("2"),
                Some("high"),
                Some("redirected"),
                Some("true_positive"),
                None,
                Some("2024-05-01T02:00:00Z"),
            ],
        ];
        for change in changes {
            conn.execute(upsert, rusqlite::params_from_iter(change))
                .unwrap();
            assert_exact(&conn, &format!("the upsert {change:?}"));
        }
        conn.execute(
            "UPDATE incidents SET tenant_id = 't2', id = '9' WHERE tenant_id = 't1' AND id = '2'",
            [],
        )
        .unwrap();
        assert_exact(&conn, "a move to another tenant");

        conn.execute(
            "DELETE FROM incidents WHERE tenant_id = 't2' AND id = '1'",
            [],
        )
        .unwrap();
        assert_exact(&conn, "a delete");
        conn.execute("DELETE FROM tenants WHERE id = 't2'", [])
            .unwrap();
        assert_exact(&conn, "a cascade from the tenant");
    }
}
