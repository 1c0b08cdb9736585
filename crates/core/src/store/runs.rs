//! Sync runs and per-tenant health, for the Health page.
//!
//! A run is inserted as `running` when it starts and updated when it
//! finishes. A process killed mid-run leaves it `running`; at the next
//! start [`Store::close_interrupted_runs`] marks such runs `interrupted`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Row};

use super::codec::{get_enum, get_opt_enum, get_opt_ts, get_ts, Ts};
use super::{Result, Store};
use crate::model::{Capability, SkipReason};
use crate::views::{SyncRunSummary, TenantHealth};

/// How a sync run ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTotals {
    /// `ok`, `partial` (some tenants failed), `offline` or `failed`.
    pub outcome: String,
    /// Tenants synced.
    pub tenants_ok: u32,
    /// Tenants skipped.
    pub tenants_skipped: u32,
    /// Tenants that failed.
    pub tenants_failed: u32,
    /// Incidents written.
    pub incidents: u32,
    /// Alerts written.
    pub alerts: u32,
    /// Requests sent to Graph.
    pub requests: u32,
}

fn run_summary(row: &Row<'_>) -> rusqlite::Result<SyncRunSummary> {
    Ok(SyncRunSummary {
        id: row.get(0)?,
        trigger: row.get(1)?,
        started_at: get_ts(row, 2)?,
        finished_at: get_opt_ts(row, 3)?,
        outcome: row.get(4)?,
        tenants_ok: row.get(5)?,
        tenants_skipped: row.get(6)?,
        tenants_failed: row.get(7)?,
        incidents: row.get(8)?,
        alerts: row.get(9)?,
        requests: row.get(10)?,
    })
}

fn tenant_health(row: &Row<'_>) -> rusqlite::Result<TenantHealth> {
    Ok(TenantHealth {
        tenant_id: row.get(0)?,
        tenant_name: row.get(1)?,
        capability: get_enum(row, 2, Capability::from_product)?,
        skip_reason: get_opt_enum(row, 3, SkipReason::from_product)?,
        last_attempt_at: get_opt_ts(row, 4)?,
        last_success_at: get_opt_ts(row, 5)?,
        last_error: row.get(6)?,
        incidents: row.get(7)?,
        alerts: row.get(8)?,
        recommendations: row.get(9)?,
    })
}

impl Store {
    /// Records the start of a run (`scheduled`, `manual`, `startup`) and
    /// returns its id.
    pub fn begin_run(&self, trigger: &str, at: DateTime<Utc>) -> Result<i64> {
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO sync_runs (trigger, started_at, outcome) VALUES (?1, ?2, 'running')",
            )?;
            stmt.execute(params![trigger, Ts(at)])?;
            Ok(conn.last_insert_rowid())
        })
    }

    /// Records how a run ended.
    pub fn finish_run(&self, run_id: i64, totals: &RunTotals, at: DateTime<Utc>) -> Result<()> {
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE sync_runs SET finished_at = ?2, outcome = ?3, tenants_ok = ?4, \
                     tenants_skipped = ?5, tenants_failed = ?6, incidents = ?7, alerts = ?8, \
                     requests = ?9 \
                 WHERE id = ?1",
            )?;
            stmt.execute(params![
                run_id,
                Ts(at),
                totals.outcome,
                totals.tenants_ok,
                totals.tenants_skipped,
                totals.tenants_failed,
                totals.incidents,
                totals.alerts,
                totals.requests,
            ])?;
            Ok(())
        })
    }

    /// The latest runs, newest first.
    pub fn recent_runs(&self, limit: u32) -> Result<Vec<SyncRunSummary>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, trigger, started_at, finished_at, outcome, tenants_ok, \
                     tenants_skipped, tenants_failed, incidents, alerts, requests \
                 FROM sync_runs ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], run_summary)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Marks runs still `running` as `interrupted` and returns how many.
    /// Call once at startup, before any run begins: a run of this process
    /// that is really under way would be marked too. Their finish time
    /// stays empty, since nobody saw them end.
    pub fn close_interrupted_runs(&self) -> Result<u32> {
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE sync_runs SET outcome = 'interrupted' WHERE outcome = 'running'",
            )?;
            let closed = stmt.execute([])? as u32;
            if closed > 0 {
                tracing::warn!(
                    runs = closed,
                    "sync runs left running were marked interrupted"
                );
            }
            Ok(closed)
        })
    }

    /// Every present tenant's last attempt, last success, last error and
    /// cached row counts, by name.
    pub fn tenant_health(&self) -> Result<Vec<TenantHealth>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT t.id, t.display_name, t.capability, t.skip_reason, t.last_attempt_at, \
                     t.last_success_at, t.last_error, \
                     (SELECT count(*) FROM incidents i WHERE i.tenant_id = t.id), \
                     (SELECT count(*) FROM alerts a WHERE a.tenant_id = t.id), \
                     (SELECT count(*) FROM recommendations r WHERE r.tenant_id = t.id) \
                 FROM tenants t WHERE t.present = 1 \
                 ORDER BY t.display_name COLLATE NOCASE, t.id",
            )?;
            let rows = stmt.query_map([], tenant_health)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
