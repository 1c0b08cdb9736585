//! The tenant list as GDAP last reported it, each tenant's skip state and
//! its last sync attempt.
//!
//! Tenants are never deleted: one that disappears from GDAP is marked not
//! present, which hides it and its data from every query while keeping
//! the data should the relationship come back.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{get_enum, get_json, get_opt_enum, to_json, Ts};
use super::{Result, Store};
use crate::model::{Capability, SkipReason, Tenant};
use crate::views::SkippedTenant;

/// The result of one attempt to sync a tenant, for Health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantOutcome {
    /// When the attempt ended.
    pub at: DateTime<Utc>,
    /// True when the tenant's data was pulled and written.
    pub ok: bool,
    /// What went wrong, for a person; ignored when `ok`.
    pub error: Option<String>,
}

const TENANT_COLUMNS: &str = "id, display_name, domains, capability, skip_reason";

fn tenant_from(row: &Row<'_>) -> rusqlite::Result<Tenant> {
    Ok(Tenant {
        id: row.get(0)?,
        display_name: row.get(1)?,
        domains: get_json(row, 2)?,
        capability: get_enum(row, 3, Capability::from_product)?,
        skip_reason: get_opt_enum(row, 4, SkipReason::from_product)?,
    })
}

/// Builds the skip badge for a tenant with a reason.
pub(super) fn skipped_tenant(id: String, name: String, reason: SkipReason) -> SkippedTenant {
    SkippedTenant {
        tenant_id: id,
        tenant_name: name,
        label: reason.label().to_string(),
        fix: reason.fix().to_string(),
        reason,
    }
}

/// Every present tenant with a skip reason, by name.
pub(super) fn query_skipped(conn: &Connection) -> Result<Vec<SkippedTenant>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, display_name, skip_reason FROM tenants \
         WHERE present = 1 AND skip_reason IS NOT NULL \
         ORDER BY display_name COLLATE NOCASE, id",
    )?;
    let rows = stmt.query_map([], |row| {
        let reason: String = row.get(2)?;
        Ok(skipped_tenant(
            row.get(0)?,
            row.get(1)?,
            SkipReason::from_product(&reason),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Replaces the tenant list with `tenants`: each is inserted or updated
    /// (name, domains, capability, skip reason) and marked present; cached
    /// tenants not in the list are marked not present, hiding them and
    /// their data from every query without deleting anything.
    pub fn sync_tenants(&self, tenants: &[Tenant]) -> Result<()> {
        self.write(|conn| {
            let tx = conn.transaction()?;
            tx.execute("UPDATE tenants SET present = 0", [])?;
            {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO tenants (id, display_name, domains, capability, skip_reason, \
                         present) VALUES (?1, ?2, ?3, ?4, ?5, 1) \
                     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, \
                         domains = excluded.domains, capability = excluded.capability, \
                         skip_reason = excluded.skip_reason, present = 1",
                )?;
                for tenant in tenants {
                    upsert.execute(params![
                        tenant.id,
                        tenant.display_name,
                        to_json(&tenant.domains)?,
                        tenant.capability.as_str(),
                        tenant.skip_reason.as_ref().map(|r| r.as_str()),
                    ])?;
                }
            }
            tx.commit()?;
            tracing::debug!(tenants = tenants.len(), "tenant list stored");
            Ok(())
        })
    }

    /// Present tenants, by name.
    pub fn tenants(&self) -> Result<Vec<Tenant>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {TENANT_COLUMNS} FROM tenants WHERE present = 1 \
                 ORDER BY display_name COLLATE NOCASE, id"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([], tenant_from)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// One present tenant.
    pub fn tenant(&self, id: &str) -> Result<Option<Tenant>> {
        self.read(|conn| {
            let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = ?1 AND present = 1");
            let mut stmt = conn.prepare_cached(&sql)?;
            Ok(stmt.query_row([id], tenant_from).optional()?)
        })
    }

    /// Replaces a tenant's verified domains, e.g. after sync read them
    /// from Graph. Unknown tenants are ignored.
    pub fn set_domains(&self, tenant_id: &str, domains: &[String]) -> Result<()> {
        let domains = to_json(domains)?;
        self.write_grouped(|conn| {
            let mut stmt = conn.prepare_cached("UPDATE tenants SET domains = ?2 WHERE id = ?1")?;
            stmt.execute(params![tenant_id, domains])?;
            Ok(())
        })
    }

    /// Sets or clears a tenant's skip reason, e.g. after Graph answered 403
    /// during a pull. Unknown tenants are ignored.
    pub fn set_skip(&self, tenant_id: &str, reason: Option<&SkipReason>) -> Result<()> {
        self.write_grouped(|conn| {
            let mut stmt =
                conn.prepare_cached("UPDATE tenants SET skip_reason = ?2 WHERE id = ?1")?;
            stmt.execute(params![tenant_id, reason.map(|r| r.as_str())])?;
            Ok(())
        })
    }

    /// Records a sync attempt: the attempt time always, the success time
    /// when it worked (which also clears the last error), else the error.
    pub fn record_attempt(&self, tenant_id: &str, outcome: &TenantOutcome) -> Result<()> {
        self.write_grouped(|conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE tenants SET last_attempt_at = ?2, \
                     last_success_at = CASE WHEN ?3 THEN ?2 ELSE last_success_at END, \
                     last_error = CASE WHEN ?3 THEN NULL ELSE ?4 END \
                 WHERE id = ?1",
            )?;
            stmt.execute(params![
                tenant_id,
                Ts(outcome.at),
                outcome.ok,
                outcome.error
            ])?;
            Ok(())
        })
    }

    /// Present tenants that are skipped, with the badge text and the fix,
    /// by name.
    pub fn skipped(&self) -> Result<Vec<SkippedTenant>> {
        self.read(query_skipped)
    }
}
