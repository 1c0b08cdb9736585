//! The cross-tenant portfolio: every cached incident of every present
//! tenant, newest first, with filters, paging and counts per severity.
//!
//! The SQL is assembled from the filters that are set, so each filter
//! shape is its own cached statement and SQLite can pick the matching
//! index (see the migration's `incidents_*` indexes).

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

use super::codec::{get_opt_ts, like_escape};
use super::rows::{incident_row, ROW_COLUMNS};
use super::tenants::query_skipped;
use super::{tally, technique_tally, Result, Store};
use crate::model::{Classification, Severity};
use crate::views::{IncidentRow, PortfolioPage, PortfolioQuery, SeverityCounts};

/// Rows per page when the query leaves `limit` at 0.
const DEFAULT_PAGE: u32 = 200;

/// Sorts after every technique id, to turn a prefix into a range that the
/// technique index can answer.
const PREFIX_END: char = '\u{10FFFF}';

/// Text in at least this many incidents is matched by scanning. Measured
/// at 100k incidents: each candidate costs about 12 µs to look up (page
/// and counts), the scan about 270 ms in all, so the two meet near 20k;
/// this stays well below that.
const NARROW_LIMIT: i64 = 10_000;

/// A WHERE clause over `incidents i JOIN tenants t` and its parameters.
#[derive(Debug, Default)]
pub(super) struct Filter {
    pub(super) clauses: Vec<String>,
    pub(super) params: Vec<Value>,
    /// The MITRE filter, written two ways over the same parameters.
    mitre: Option<Mitre>,
    /// A query listing `(tenant_id, id)` of a superset of the matches,
    /// once each: when set, the rows are looked up from it instead of
    /// found by walking an index of every incident.
    candidates: Option<String>,
}

/// One MITRE filter in the form each query runs fastest with.
#[derive(Debug)]
struct Mitre {
    /// Per incident, any alert with a matching technique: lets the newest
    /// page stop after its rows instead of listing every match first.
    exists: String,
    /// Every matching incident listed once from the technique index: the
    /// cheaper way to count all of them.
    listed: String,
}

impl Filter {
    /// Adds a parameter and returns its placeholder.
    pub(super) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.params.push(value.into());
        format!("?{}", self.params.len())
    }

    /// `expr IN (?, ?, ...)` over `values`.
    pub(super) fn any_of<'a>(
        &mut self,
        expr: &str,
        values: impl Iterator<Item = &'a str>,
    ) -> String {
        let slots: Vec<String> = values.map(|v| self.bind(v.to_string())).collect();
        format!("{expr} IN ({})", slots.join(", "))
    }

    /// The FROM and WHERE of a page (`for_page`) or of a count.
    fn sql(&self, for_page: bool) -> String {
        let mut sql = String::from("FROM ");
        if let Some(candidates) = &self.candidates {
            // CROSS JOIN keeps the candidates first: the planner would
            // otherwise walk the newest-first index of every incident to
            // save the sort, testing each against the list.
            sql.push_str(&format!(
                "({candidates}) c CROSS JOIN incidents i \
                 ON i.tenant_id = c.tenant_id AND i.id = c.id "
            ));
        } else {
            sql.push_str("incidents i ");
        }
        sql.push_str("JOIN tenants t ON t.id = i.tenant_id WHERE t.present = 1");
        let mitre = self
            .mitre
            .as_ref()
            .map(|m| if for_page { &m.exists } else { &m.listed });
        for clause in self.clauses.iter().chain(mitre) {
            sql.push_str(" AND ");
            sql.push_str(clause);
        }
        sql
    }
}

/// Turns the query's filters into SQL. Lists are OR within, AND across;
/// `assigned_to` and `unassigned_only` are one owner filter, so both set
/// means "one of these owners, or nobody". `narrow` lets the text filter
/// list its candidates from the trigram index (see [`text_narrows`]).
fn build(q: &PortfolioQuery, narrow: bool) -> Filter {
    let mut f = Filter::default();
    if !q.severity.is_empty() {
        let clause = f.any_of("i.severity", q.severity.iter().map(Severity::as_str));
        f.clauses.push(clause);
    }
    if !q.status.is_empty() {
        let clause = f.any_of("i.status", q.status.iter().map(|s| s.as_str()));
        f.clauses.push(clause);
    }
    if !q.tenant.is_empty() {
        let clause = f.any_of("i.tenant_id", q.tenant.iter().map(String::as_str));
        f.clauses.push(clause);
    }
    owner_filter(&mut f, q);
    classification_filter(&mut f, &q.classification);
    mitre_filter(&mut f, &q.mitre);
    if let Some(text) = query_text(q) {
        text_filter(&mut f, text, narrow);
    }
    f
}

/// The text filter, trimmed, when set.
fn query_text(q: &PortfolioQuery) -> Option<&str> {
    q.text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The text as one FTS5 phrase: every character literal, quotes doubled.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Whether the trigram index should list the text filter's candidates:
/// the text has a trigram (three characters or more) and few incidents
/// contain it. Text found in many incidents is answered faster by the
/// scan, whose newest page stops early, than by looking each one up.
fn text_narrows(conn: &Connection, q: &PortfolioQuery) -> Result<bool> {
    let Some(text) = query_text(q).filter(|t| t.chars().count() >= 3) else {
        return Ok(false);
    };
    // Incidents of a tenant whose name matches are candidates too, all of
    // them: counted from the per-tenant tally.
    let found: i64 = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM incident_text \
             WHERE incident_text MATCH ?1 LIMIT ?2)) \
             + (SELECT count(*) FROM incident_text_stale) \
             + (SELECT coalesce(sum(n), 0) FROM incident_tally WHERE tenant_id IN \
                (SELECT id FROM tenants WHERE display_name LIKE ?3 ESCAPE '\\'))",
        )?
        .query_row(
            params![
                phrase(text),
                NARROW_LIMIT,
                format!("%{}%", like_escape(text))
            ],
            |r| r.get(0),
        )?;
    Ok(found < NARROW_LIMIT)
}

/// Case-insensitive (ASCII) substring match over title, owner and tenant
/// name. With `narrow`, the query starts from a list of candidates: the
/// incidents the trigram index finds (a superset: it folds case beyond
/// ASCII), those written since the index's last flush, and every incident
/// of a tenant whose name matches; LIKE stays the final check, so the rows
/// are exactly those of the plain scan.
fn text_filter(f: &mut Filter, text: &str, narrow: bool) {
    let p = f.bind(format!("%{}%", like_escape(text)));
    // The tenant name is matched once per query, not once per row.
    let tenants = format!("SELECT id FROM tenants WHERE display_name LIKE {p} ESCAPE '\\'");
    if narrow {
        let m = f.bind(phrase(text));
        // CROSS JOIN reads the (usually empty) stale list first; left to
        // itself SQLite may walk every search key to join it.
        f.candidates = Some(format!(
            "SELECT k.tenant_id, k.id FROM incident_text \
             JOIN incident_search_keys k ON k.k = incident_text.rowid \
             WHERE incident_text MATCH {m} \
             UNION SELECT k.tenant_id, k.id FROM incident_text_stale s \
             CROSS JOIN incident_search_keys k ON k.k = s.k \
             UNION SELECT x.tenant_id, x.id FROM incidents x WHERE x.tenant_id IN ({tenants})"
        ));
    }
    f.clauses.push(format!(
        "(i.display_name LIKE {p} ESCAPE '\\' OR i.assigned_to LIKE {p} ESCAPE '\\' \
         OR i.tenant_id IN ({tenants}))"
    ));
}

fn owner_filter(f: &mut Filter, q: &PortfolioQuery) {
    let mut alternatives = Vec::new();
    if !q.assigned_to.is_empty() {
        let owners = q.assigned_to.iter().map(String::as_str);
        alternatives.push(f.any_of("i.assigned_to COLLATE NOCASE", owners));
    }
    if q.unassigned_only {
        // One expression, not `IS NULL OR = ''`: SQLite would answer that OR
        // from an owner index and sort every unassigned incident by date.
        alternatives.push("coalesce(i.assigned_to, '') = ''".to_string());
    }
    if !alternatives.is_empty() {
        f.clauses.push(format!("({})", alternatives.join(" OR ")));
    }
}

/// `unknown` also matches incidents nobody classified yet.
fn classification_filter(f: &mut Filter, wanted: &[Classification]) {
    if wanted.is_empty() {
        return;
    }
    let mut clause = f.any_of("i.classification", wanted.iter().map(|c| c.as_str()));
    if wanted.contains(&Classification::Unknown) {
        clause = format!("({clause} OR i.classification IS NULL)");
    }
    f.clauses.push(clause);
}

/// Incidents with an alert whose technique starts with one of `prefixes`
/// (case-insensitive: techniques are stored upper case).
fn mitre_filter(f: &mut Filter, prefixes: &[String]) {
    let ranges: Vec<String> = prefixes
        .iter()
        .map(|p| p.trim().to_uppercase())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let low = f.bind(p.clone());
            let high = f.bind(format!("{p}{PREFIX_END}"));
            format!("(x.technique >= {low} AND x.technique < {high})")
        })
        .collect();
    if ranges.is_empty() {
        return;
    }
    let ranges = ranges.join(" OR ");
    f.mitre = Some(Mitre {
        exists: format!(
            "EXISTS (SELECT 1 FROM incident_techniques x \
             WHERE x.tenant_id = i.tenant_id AND x.incident_id = i.id AND ({ranges}))"
        ),
        listed: format!(
            "(i.tenant_id, i.id) IN (SELECT x.tenant_id, x.incident_id \
             FROM incident_techniques x WHERE {ranges})"
        ),
    });
}

fn page(conn: &Connection, f: &Filter, limit: u32, offset: u32) -> Result<Vec<IncidentRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} {} ORDER BY i.created_at DESC, i.id DESC, i.tenant_id DESC \
         LIMIT ?{} OFFSET ?{}",
        f.sql(true),
        f.params.len() + 1,
        f.params.len() + 2,
    );
    let mut params = f.params.clone();
    params.push(Value::from(i64::from(limit)));
    params.push(Value::from(i64::from(offset)));

    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), incident_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Severity counts of every row `f` matches, counted row by row: for the
/// filters the tallies do not cover.
fn counted(conn: &Connection, f: &Filter) -> Result<SeverityCounts> {
    let sql = format!(
        "SELECT i.severity, count(*) {} GROUP BY i.severity",
        f.sql(false)
    );
    tally::read(conn, &sql, f)
}

impl Store {
    /// One page of the cross-tenant portfolio.
    ///
    /// Covers every present tenant. Skip state filters nothing: incidents
    /// cached before a tenant became skipped stay visible, as of the last
    /// successful pull, and the tenant is also listed in `skipped`. Rows
    /// are newest first (created time, then id as text, then tenant);
    /// `limit` 0 means 200. `total` and `counts` cover every
    /// matching row, not just the page. Text search is case-insensitive
    /// for ASCII letters only (SQLite's LIKE).
    pub fn portfolio(&self, q: &PortfolioQuery) -> Result<PortfolioPage> {
        let limit = if q.limit == 0 { DEFAULT_PAGE } else { q.limit };
        self.read(|conn| {
            // One read transaction: the page and its counts see one state.
            let tx = conn.unchecked_transaction()?;
            let filter = build(q, text_narrows(&tx, q)?);
            let items = page(&tx, &filter, limit, q.offset)?;
            let counts = match tally::counts(&tx, q)? {
                Some(counts) => counts,
                None => match technique_tally::counts(&tx, q)? {
                    Some(counts) => counts,
                    None => counted(&tx, &filter)?,
                },
            };
            let total =
                counts.high + counts.medium + counts.low + counts.informational + counts.unknown;

            let tenant_count: u32 = tx
                .prepare_cached("SELECT count(*) FROM tenants WHERE present = 1")?
                .query_row([], |r| r.get(0))?;
            let last_synced_at = tx
                .prepare_cached(
                    "SELECT max(finished_at) FROM sync_runs WHERE outcome IN ('ok', 'partial')",
                )?
                .query_row([], |r| get_opt_ts(r, 0))?;

            Ok(PortfolioPage {
                items,
                total,
                counts,
                skipped: query_skipped(&tx)?,
                tenant_count,
                last_synced_at,
            })
        })
    }
}
