//! Alerts the app raises itself (today: an incident re-opened), with
//! dedupe keys: while an alert with a key is unacknowledged, raising the
//! same key again bumps that row's occurrence count instead of adding a
//! second one. Once acknowledged, the next raise starts a new row.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{get_enum, get_opt_ts, get_ts, Ts};
use super::{Result, Store};
use crate::model::Severity;
use crate::views::LocalAlert;

/// A local alert about to be raised.
pub(super) struct Raise<'a> {
    pub dedupe_key: &'a str,
    pub severity: Severity,
    pub title: &'a str,
    pub message: &'a str,
    pub tenant_id: &'a str,
    pub incident_id: Option<&'a str>,
    pub at: DateTime<Utc>,
}

const COLUMNS: &str = "l.id, l.dedupe_key, l.severity, l.title, l.message, l.tenant_id, \
     l.incident_id, l.raised_at, l.acknowledged_at";

fn local_alert(row: &Row<'_>) -> rusqlite::Result<LocalAlert> {
    Ok(LocalAlert {
        id: row.get(0)?,
        dedupe_key: row.get(1)?,
        severity: get_enum(row, 2, Severity::from_product)?,
        title: row.get(3)?,
        message: row.get(4)?,
        tenant_id: row.get(5)?,
        incident_id: row.get(6)?,
        raised_at: get_ts(row, 7)?,
        acknowledged_at: get_opt_ts(row, 8)?,
    })
}

/// Raises an alert, or bumps the open one with the same key. Returns the
/// stored alert and whether a new row was created.
pub(super) fn raise(conn: &Connection, raise: &Raise<'_>) -> Result<(LocalAlert, bool)> {
    let mut bump = conn.prepare_cached(
        "UPDATE local_alerts SET occurrences = occurrences + 1, last_raised_at = ?2 \
         WHERE dedupe_key = ?1 AND acknowledged_at IS NULL RETURNING id",
    )?;
    let bumped: Option<i64> = bump
        .query_row(params![raise.dedupe_key, Ts(raise.at)], |r| r.get(0))
        .optional()?;

    let (id, newly_raised) = match bumped {
        Some(id) => (id, false),
        None => {
            let mut insert = conn.prepare_cached(
                "INSERT INTO local_alerts (dedupe_key, severity, title, message, tenant_id, \
                     incident_id, raised_at, last_raised_at, occurrences) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1)",
            )?;
            insert.execute(params![
                raise.dedupe_key,
                raise.severity.as_str(),
                raise.title,
                raise.message,
                raise.tenant_id,
                raise.incident_id,
                Ts(raise.at),
            ])?;
            (conn.last_insert_rowid(), true)
        }
    };

    let sql = format!("SELECT {COLUMNS} FROM local_alerts l WHERE l.id = ?1");
    let alert = conn.prepare_cached(&sql)?.query_row([id], local_alert)?;
    Ok((alert, newly_raised))
}

impl Store {
    /// Local alerts, most recently raised first (a repeat of an open alert
    /// counts as raised again). Alerts about hidden tenants are left out.
    pub fn local_alerts(&self, include_acknowledged: bool) -> Result<Vec<LocalAlert>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM local_alerts l \
                 WHERE (?1 OR l.acknowledged_at IS NULL) \
                   AND NOT EXISTS (SELECT 1 FROM tenants t \
                                   WHERE t.id = l.tenant_id AND t.present = 0) \
                 ORDER BY l.last_raised_at DESC, l.id DESC"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([include_acknowledged], local_alert)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Acknowledges an open local alert. False when there is no such alert
    /// or it was already acknowledged.
    pub fn acknowledge_local_alert(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE local_alerts SET acknowledged_at = ?2 \
                 WHERE id = ?1 AND acknowledged_at IS NULL",
            )?;
            Ok(stmt.execute(params![id, Ts(at)])? == 1)
        })
    }
}
