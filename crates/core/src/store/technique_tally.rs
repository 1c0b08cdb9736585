//! Severity counts for the portfolio's MITRE filter, read from a tally
//! (migration 7) instead of from every matching incident.
//!
//! A technique filter such as `T1566` matches tens of thousands of
//! incidents in a large cache (phishing is common), and counting them by
//! severity looked each one up: about 100 ms at 100k incidents. The
//! tally keeps, per tenant and severity, how many incidents have a given
//! *key* among their alerts' techniques, where an incident's keys are its
//! techniques (`T1566.002`) and their parent techniques (`T1566`, the
//! part before the first dot). One prefix that is exactly a key is then a
//! sum of at most tenants × severities rows.
//!
//! A prefix is answered here only when it is exact: no technique in the
//! cache starts with it other than the key itself or, for a parent, its
//! sub-techniques (`T15` or `T1566.0` are counted incident by incident,
//! as are several prefixes at once, whose matches overlap). The only
//! other filters allowed beside it are severity and tenant; anything else
//! falls back to counting too.

use rusqlite::Connection;

use super::portfolio::Filter;
use super::{tally, Result};
use crate::model::Severity;
use crate::views::{PortfolioQuery, SeverityCounts};

/// Sorts after every technique id (as in `portfolio`).
const PREFIX_END: char = '\u{10FFFF}';

/// Migration 7.
///
/// `technique_tally` holds, per key, tenant and severity, the number of
/// cached incidents with that key; rows that reach zero are deleted. The
/// triggers keep it exact under every change of `incident_techniques`
/// (alerts added, moved, removed) and of `incidents` (added, deleted,
/// severity changed). An incident whose alerts arrive before it counts
/// once it is written, and a deleted incident stops counting even if its
/// alerts stay, as the portfolio lists incidents only.
pub(super) const SCHEMA: &str = r#"
    CREATE TABLE technique_tally (
        key       TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        severity  TEXT NOT NULL,
        n         INTEGER NOT NULL,
        PRIMARY KEY (key, tenant_id, severity)
    ) WITHOUT ROWID;

    -- An incident's keys: each technique, and each parent of a
    -- sub-technique (a key may be listed twice).
    CREATE VIEW incident_technique_keys (tenant_id, incident_id, key) AS
        SELECT tenant_id, incident_id, technique FROM incident_techniques
        UNION ALL
        SELECT tenant_id, incident_id, substr(technique, 1, instr(technique, '.') - 1)
        FROM incident_techniques WHERE instr(technique, '.') > 1;

    INSERT INTO technique_tally
        SELECT k.key, k.tenant_id, i.severity, count(*)
        FROM (SELECT DISTINCT key, tenant_id, incident_id FROM incident_technique_keys) k
        JOIN incidents i ON i.tenant_id = k.tenant_id AND i.id = k.incident_id
        GROUP BY 1, 2, 3;

    -- A technique's keys are itself and its parent; `substr` gives ''
    -- for a technique without a dot, and '' is never a key (the store
    -- writes no empty technique). A key is new to the incident when the
    -- technique just added is the only one giving it, and gone when none
    -- is left that gives it.
    CREATE TRIGGER technique_tally_add AFTER INSERT ON incident_techniques BEGIN
        INSERT INTO technique_tally (key, tenant_id, severity, n)
            SELECT x.key, i.tenant_id, i.severity, 1
            FROM incidents i JOIN incident_technique_keys x
                ON x.tenant_id = i.tenant_id AND x.incident_id = i.id
            WHERE i.tenant_id = new.tenant_id AND i.id = new.incident_id
              AND x.key IN (new.technique,
                            substr(new.technique, 1, instr(new.technique, '.') - 1))
            GROUP BY x.key HAVING count(*) = 1
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER technique_tally_remove AFTER DELETE ON incident_techniques BEGIN
        UPDATE technique_tally SET n = n - 1
            WHERE tenant_id = old.tenant_id
              AND key IN (old.technique, substr(old.technique, 1, instr(old.technique, '.') - 1))
              AND severity = (SELECT severity FROM incidents
                              WHERE tenant_id = old.tenant_id AND id = old.incident_id)
              AND NOT EXISTS (SELECT 1 FROM incident_technique_keys x
                  WHERE x.tenant_id = old.tenant_id AND x.incident_id = old.incident_id
                    AND x.key = technique_tally.key);
        DELETE FROM technique_tally
            WHERE tenant_id = old.tenant_id AND n <= 0
              AND key IN (old.technique, substr(old.technique, 1, instr(old.technique, '.') - 1));
    END;

    CREATE TRIGGER technique_tally_incident_added AFTER INSERT ON incidents BEGIN
        INSERT INTO technique_tally (key, tenant_id, severity, n)
            SELECT DISTINCT key, new.tenant_id, new.severity, 1 FROM incident_technique_keys
            WHERE tenant_id = new.tenant_id AND incident_id = new.id
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;

    CREATE TRIGGER technique_tally_incident_gone AFTER DELETE ON incidents BEGIN
        UPDATE technique_tally SET n = n - 1
            WHERE tenant_id = old.tenant_id AND severity = old.severity
              AND key IN (SELECT key FROM incident_technique_keys
                          WHERE tenant_id = old.tenant_id AND incident_id = old.id);
        DELETE FROM technique_tally
            WHERE tenant_id = old.tenant_id AND severity = old.severity AND n <= 0
              AND key IN (SELECT key FROM incident_technique_keys
                          WHERE tenant_id = old.tenant_id AND incident_id = old.id);
    END;

    -- Upserts name every column; the WHEN clause keeps the common case (no
    -- counted value changed) to one comparison. The body is the two above
    -- in turn, taken out under the old key and put back under the new one
    -- (a trigger cannot call another).
    CREATE TRIGGER technique_tally_incident_changed
        AFTER UPDATE OF tenant_id, id, severity ON incidents
        WHEN OLD.tenant_id IS NOT NEW.tenant_id OR OLD.id IS NOT NEW.id
            OR OLD.severity IS NOT NEW.severity
    BEGIN
        UPDATE technique_tally SET n = n - 1
            WHERE tenant_id = old.tenant_id AND severity = old.severity
              AND key IN (SELECT key FROM incident_technique_keys
                          WHERE tenant_id = old.tenant_id AND incident_id = old.id);
        DELETE FROM technique_tally
            WHERE tenant_id = old.tenant_id AND severity = old.severity AND n <= 0
              AND key IN (SELECT key FROM incident_technique_keys
                          WHERE tenant_id = old.tenant_id AND incident_id = old.id);
        INSERT INTO technique_tally (key, tenant_id, severity, n)
            SELECT DISTINCT key, new.tenant_id, new.severity, 1 FROM incident_technique_keys
            WHERE tenant_id = new.tenant_id AND incident_id = new.id
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
"#;

/// Migration 9: the triggers that follow one technique row of an incident
/// look its keys up by index range instead of grouping the incident's
/// keys.
///
/// Migration 7's versions grouped `incident_technique_keys` (a UNION ALL
/// view) per row added or removed. In the `sqlite3` shell, removing and
/// adding back a 60-tenant cache's 2,368 technique rows took ~0.10 s each
/// way with them and ~0.022 s with these. The rule is the same. A technique `t`
/// gives the keys `t` and, when it has a dot after its first character,
/// its parent `p` (the part before the first dot, itself never dotted).
/// Another technique of the incident gives `t` only if `t` is undotted
/// and the other starts with `t.`; it gives `p` if it is `p` or starts
/// with `p.`. Strings that start with `x.` are those from `x.` up to,
/// not including, `x/` (`/` follows `.`), a range of the index on
/// (tenant, incident, technique). A key is counted when the row added is
/// the only one that gives it, and uncounted when the row removed was.
pub(super) const RANGE_TRIGGERS: &str = r#"
    DROP TRIGGER technique_tally_add;
    DROP TRIGGER technique_tally_remove;

    CREATE TRIGGER technique_tally_add AFTER INSERT ON incident_techniques BEGIN
        INSERT INTO technique_tally (key, tenant_id, severity, n)
            SELECT new.technique, i.tenant_id, i.severity, 1 FROM incidents i
            WHERE i.tenant_id = new.tenant_id AND i.id = new.incident_id
              AND NOT (instr(new.technique, '.') = 0 AND EXISTS (
                  SELECT 1 FROM incident_techniques x
                  WHERE x.tenant_id = new.tenant_id AND x.incident_id = new.incident_id
                    AND x.technique >= new.technique || '.'
                    AND x.technique < new.technique || '/'))
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO technique_tally (key, tenant_id, severity, n)
            SELECT substr(new.technique, 1, instr(new.technique, '.') - 1), i.tenant_id,
                i.severity, 1
            FROM incidents i
            WHERE instr(new.technique, '.') > 1
              AND i.tenant_id = new.tenant_id AND i.id = new.incident_id
              AND NOT EXISTS (
                  SELECT 1 FROM incident_techniques x
                  WHERE x.tenant_id = new.tenant_id AND x.incident_id = new.incident_id
                    AND x.technique <> new.technique
                    AND x.technique >= substr(new.technique, 1, instr(new.technique, '.') - 1)
                    AND x.technique < substr(new.technique, 1, instr(new.technique, '.') - 1) || '/'
                    AND (x.technique = substr(new.technique, 1, instr(new.technique, '.') - 1)
                         OR x.technique >= substr(new.technique, 1, instr(new.technique, '.'))))
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;

    CREATE TRIGGER technique_tally_remove AFTER DELETE ON incident_techniques BEGIN
        UPDATE technique_tally SET n = n - 1
            WHERE key = old.technique AND tenant_id = old.tenant_id
              AND severity = (SELECT severity FROM incidents
                              WHERE tenant_id = old.tenant_id AND id = old.incident_id)
              AND NOT (instr(old.technique, '.') = 0 AND EXISTS (
                  SELECT 1 FROM incident_techniques x
                  WHERE x.tenant_id = old.tenant_id AND x.incident_id = old.incident_id
                    AND x.technique >= old.technique || '.'
                    AND x.technique < old.technique || '/'));
        UPDATE technique_tally SET n = n - 1
            WHERE instr(old.technique, '.') > 1
              AND key = substr(old.technique, 1, instr(old.technique, '.') - 1)
              AND tenant_id = old.tenant_id
              AND severity = (SELECT severity FROM incidents
                              WHERE tenant_id = old.tenant_id AND id = old.incident_id)
              AND NOT EXISTS (
                  SELECT 1 FROM incident_techniques x
                  WHERE x.tenant_id = old.tenant_id AND x.incident_id = old.incident_id
                    AND x.technique >= substr(old.technique, 1, instr(old.technique, '.') - 1)
                    AND x.technique < substr(old.technique, 1, instr(old.technique, '.') - 1) || '/'
                    AND (x.technique = substr(old.technique, 1, instr(old.technique, '.') - 1)
                         OR x.technique >= substr(old.technique, 1, instr(old.technique, '.'))));
        DELETE FROM technique_tally
            WHERE key IN (old.technique, substr(old.technique, 1, instr(old.technique, '.') - 1))
              AND tenant_id = old.tenant_id AND n <= 0;
    END;
"#;

/// The one MITRE prefix of `q`, upper case, when the tally can count it:
/// it is the only MITRE prefix, severity and tenant are the only other
/// filters, and no cached technique starts with it except the key itself
/// and, for a parent technique, its sub-techniques.
fn exact_key(conn: &Connection, q: &PortfolioQuery) -> Result<Option<String>> {
    let text_set = q.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if text_set
        || !q.status.is_empty()
        || !q.classification.is_empty()
        || !q.assigned_to.is_empty()
        || q.unassigned_only
    {
        return Ok(None);
    }
    let mut prefixes = q
        .mitre
        .iter()
        .map(|m| m.trim().to_uppercase())
        .filter(|m| !m.is_empty());
    let (Some(key), None) = (prefixes.next(), prefixes.next()) else {
        return Ok(None);
    };
    if key.starts_with('.') {
        // Never a parent, and `.X` is only a key of itself: rare enough to
        // be counted incident by incident.
        return Ok(None);
    }
    let end = format!("{key}{PREFIX_END}");
    // Techniques after the key that still start with it. For a parent
    // (no dot) the sub-techniques, `key.` up to `key/`, are its own.
    let other: bool = if key.contains('.') {
        conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM incident_techniques \
             WHERE technique > ?1 AND technique < ?2)",
        )?
        .query_row([&key, &end], |r| r.get(0))?
    } else {
        conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM incident_techniques \
                 WHERE technique > ?1 AND technique < ?1 || '.') \
             OR EXISTS (SELECT 1 FROM incident_techniques \
                 WHERE technique >= ?1 || '/' AND technique < ?2)",
        )?
        .query_row([&key, &end], |r| r.get(0))?
    };
    Ok((!other).then_some(key))
}

/// Severity counts of the incidents `q` matches, from the technique
/// tally; `None` when `q` is not a filter it can count exactly.
pub(super) fn counts(conn: &Connection, q: &PortfolioQuery) -> Result<Option<SeverityCounts>> {
    let Some(key) = exact_key(conn, q)? else {
        return Ok(None);
    };
    let mut f = Filter::default();
    let key = f.bind(key);
    f.clauses.push(format!("c.key = {key}"));
    f.clauses
        .push("c.tenant_id IN (SELECT id FROM tenants WHERE present = 1)".into());
    if !q.severity.is_empty() {
        let clause = f.any_of("c.severity", q.severity.iter().map(Severity::as_str));
        f.clauses.push(clause);
    }
    if !q.tenant.is_empty() {
        let clause = f.any_of("c.tenant_id", q.tenant.iter().map(String::as_str));
        f.clauses.push(clause);
    }
    let sql = format!(
        "SELECT c.severity, sum(c.n) FROM technique_tally c WHERE {} GROUP BY c.severity",
        f.clauses.join(" AND ")
    );
    Ok(Some(tally::read(conn, &sql, &f)?))
}
