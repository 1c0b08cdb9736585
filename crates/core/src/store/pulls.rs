//! Writing what sync pulled: each tenant pull all or nothing (in a commit
//! it may share with the pulls queued beside it, see `group`), so a
//! failure or a killed process leaves the tenant's previous data intact.
//!
//! A pull upserts incidents and alerts by (tenant, id), refreshes the
//! figures of every incident it touched, raises re-open alerts, and on a
//! full pull deletes what Graph no longer has. Rows older than the cached
//! copy (by `last_update_at`) are not written, so a pull that started
//! before an analyst's update cannot undo the update's read-back.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::codec::{get_opt_ts, opt_ts, to_json};
use super::derived::{refresh_incident, Fresh};
use super::local_alerts::{raise, Raise};
use super::upserts::{write_alert, write_incident, AlertRow};
use super::{score, Error, Result, Store};
use crate::model::{Alert, Incident, IncidentStatus, Recommendation, ScoreSnapshot, Severity};
use crate::views::LocalAlert;

/// Everything one pull of one tenant brought back.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantPull {
    /// The tenant; every incident, alert and Secure Score row must carry
    /// this id. It must already be known through `sync_tenants`.
    pub tenant_id: String,
    /// True for a full reconcile: the pull holds every incident and every
    /// alert (nested and standalone) the tenant has, and cached ones not
    /// in it are deleted.
    pub full: bool,
    /// When the pull ran; used as the time of any re-open alert and of the
    /// full reconcile.
    pub pulled_at: DateTime<Utc>,
    /// Incidents, new or changed.
    pub incidents: Vec<Incident>,
    /// Alerts, nested ones (with `incident_id`) and standalone ones.
    pub alerts: Vec<Alert>,
    /// Secure Score snapshots and recommendations, when pulled this time.
    /// The recommendations replace the cached ones; snapshots are merged.
    pub secure_score: Option<(Vec<ScoreSnapshot>, Vec<Recommendation>)>,
    /// The highest `lastUpdateDateTime` seen, for the next incremental
    /// pull. Never moves the stored watermark backwards.
    pub watermark: Option<DateTime<Utc>>,
}

/// What a pull changed.
#[derive(Debug, Clone, PartialEq)]
pub struct PullOutcome {
    /// Incidents inserted or updated (stale copies are not counted).
    pub incidents_written: u32,
    /// Alerts inserted or updated.
    pub alerts_written: u32,
    /// Incidents that went from resolved back to active or in progress.
    pub reopened: Vec<Reopen>,
}

/// An incident re-open detected during a pull.
#[derive(Debug, Clone, PartialEq)]
pub struct Reopen {
    /// The local alert raised, or the open one that was bumped.
    pub alert: LocalAlert,
    /// The incident's title.
    pub incident_title: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// False when an unacknowledged alert with the same key already
    /// existed and only its occurrence count went up: the shell should
    /// not notify again.
    pub newly_raised: bool,
}

/// Where incremental sync resumes for a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermark {
    /// The highest incident `lastUpdateDateTime` stored.
    pub last_update: DateTime<Utc>,
    /// When the last full reconcile ran.
    pub last_full_at: DateTime<Utc>,
}

impl Store {
    /// Writes one tenant pull, all or nothing: it commits with the pulls
    /// queued beside it (see `group`) and returns once that commit has
    /// ended. On any error nothing of the pull is kept and the previous
    /// data stays as it was.
    pub fn apply_pull(&self, pull: &TenantPull) -> Result<PullOutcome> {
        check_pull(pull)?;
        let alerts = AlertRow::all(&pull.alerts)?;
        let started = std::time::Instant::now();
        let outcome = self.write_grouped(|conn| write_pull(conn, pull, &alerts))?;
        tracing::debug!(
            tenant_id = %pull.tenant_id,
            full = pull.full,
            incidents = outcome.incidents_written,
            alerts = outcome.alerts_written,
            reopened = outcome.reopened.len(),
            write_ms = started.elapsed().as_millis() as u64,
            "pull stored"
        );
        Ok(outcome)
    }

    /// Writes an incident and its alerts as read back after an update. No
    /// re-open detection: the analyst made the change.
    pub fn upsert_incident(&self, incident: &Incident, alerts: &[Alert]) -> Result<()> {
        if let Some(other) = alerts.iter().find(|a| a.tenant_id != incident.tenant_id) {
            return Err(mismatch(&incident.tenant_id, &other.tenant_id));
        }
        let rows = AlertRow::all(alerts)?;
        self.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut touched = BTreeSet::from([incident.id.clone()]);
            let mut fresh = Fresh::new();
            write_incident(&tx, incident)?;
            for row in &rows {
                if write_alert(&tx, row, &mut touched)? {
                    fresh.insert(&row.alert().id, row.alert());
                }
            }
            for id in &touched {
                refresh_incident(&tx, &incident.tenant_id, id, &fresh)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Where incremental sync resumes. `None` until a full pull and a
    /// watermark have both been stored: the caller should pull in full.
    pub fn watermark(&self, tenant_id: &str) -> Result<Option<Watermark>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT last_update, last_full_at FROM watermarks WHERE tenant_id = ?1",
            )?;
            let row = stmt
                .query_row([tenant_id], |row| {
                    Ok((get_opt_ts(row, 0)?, get_opt_ts(row, 1)?))
                })
                .optional()?;
            Ok(match row {
                Some((Some(last_update), Some(last_full_at))) => Some(Watermark {
                    last_update,
                    last_full_at,
                }),
                _ => None,
            })
        })
    }
}

fn mismatch(expected: &str, found: &str) -> Error {
    Error::Invalid(format!(
        "rows of tenant {found} in a write for tenant {expected}"
    ))
}

/// Refuses a pull whose rows belong to another tenant, before writing.
fn check_pull(pull: &TenantPull) -> Result<()> {
    let tenant = pull.tenant_id.as_str();
    let incident_tenants = pull.incidents.iter().map(|i| &i.tenant_id);
    let alert_tenants = pull.alerts.iter().map(|a| &a.tenant_id);
    let (snapshots, recommendations) = match &pull.secure_score {
        Some((s, r)) => (s.as_slice(), r.as_slice()),
        None => (&[][..], &[][..]),
    };
    let score_tenants = snapshots.iter().map(|s| &s.tenant_id);
    let rec_tenants = recommendations.iter().map(|r| &r.tenant_id);

    let mut all = incident_tenants
        .chain(alert_tenants)
        .chain(score_tenants)
        .chain(rec_tenants);
    match all.find(|t| t.as_str() != tenant) {
        Some(other) => Err(mismatch(tenant, other)),
        None => Ok(()),
    }
}

fn write_pull(tx: &Connection, pull: &TenantPull, alerts: &[AlertRow<'_>]) -> Result<PullOutcome> {
    let tenant_name = tenant_name(tx, &pull.tenant_id)?;
    let mut touched = BTreeSet::new();
    let mut outcome = PullOutcome {
        incidents_written: 0,
        alerts_written: 0,
        reopened: Vec::new(),
    };

    for incident in &pull.incidents {
        // Touched even when stale: a full pull may delete some of its alerts.
        touched.insert(incident.id.clone());
        let previous = cached_status(tx, incident)?;
        if !write_incident(tx, incident)? {
            continue;
        }
        outcome.incidents_written += 1;
        if is_reopen(previous.as_ref(), &incident.status) {
            let reopen = raise_reopen(tx, incident, &tenant_name, pull.pulled_at)?;
            outcome.reopened.push(reopen);
        }
    }
    let mut fresh = Fresh::new();
    for row in alerts {
        if write_alert(tx, row, &mut touched)? {
            outcome.alerts_written += 1;
            fresh.insert(&row.alert().id, row.alert());
        }
    }

    if pull.full {
        // Every incident left after this is in the pull, hence touched.
        reconcile(tx, pull)?;
    }
    for id in &touched {
        refresh_incident(tx, &pull.tenant_id, id, &fresh)?;
    }
    if let Some((snapshots, recommendations)) = &pull.secure_score {
        score::write(tx, &pull.tenant_id, snapshots, recommendations)?;
    }
    store_watermark(tx, pull)?;
    Ok(outcome)
}

fn tenant_name(tx: &Connection, tenant_id: &str) -> Result<String> {
    let mut stmt = tx.prepare_cached("SELECT display_name FROM tenants WHERE id = ?1")?;
    let name: Option<String> = stmt.query_row([tenant_id], |r| r.get(0)).optional()?;
    // An unknown tenant fails on its first insert (foreign key); the id
    // stands in for the name until then.
    Ok(name.unwrap_or_else(|| tenant_id.to_string()))
}

fn cached_status(tx: &Connection, incident: &Incident) -> Result<Option<IncidentStatus>> {
    let mut stmt =
        tx.prepare_cached("SELECT status FROM incidents WHERE tenant_id = ?1 AND id = ?2")?;
    let status: Option<String> = stmt
        .query_row([&incident.tenant_id, &incident.id], |r| r.get(0))
        .optional()?;
    Ok(status.map(|s| IncidentStatus::from_product(&s)))
}

/// Resolved in the cache and active again now. An incident first seen
/// active has no cached status and is not a re-open; once the active copy
/// is stored, later pulls see it active and raise nothing.
fn is_reopen(previous: Option<&IncidentStatus>, now: &IncidentStatus) -> bool {
    matches!(previous, Some(IncidentStatus::Resolved))
        && matches!(now, IncidentStatus::Active | IncidentStatus::InProgress)
}

fn raise_reopen(
    tx: &Connection,
    incident: &Incident,
    tenant_name: &str,
    at: DateTime<Utc>,
) -> Result<Reopen> {
    let key = format!("defender.incident.reopen.{}", incident.id);
    let message = format!(
        "Incident re-opened: {} — {}",
        incident.display_name, tenant_name
    );
    let (alert, newly_raised) = raise(
        tx,
        &Raise {
            dedupe_key: &key,
            severity: Severity::Medium,
            title: "Incident re-opened",
            message: &message,
            tenant_id: &incident.tenant_id,
            incident_id: Some(&incident.id),
            at,
        },
    )?;
    tracing::info!(
        tenant_id = %incident.tenant_id,
        incident_id = %incident.id,
        newly_raised,
        "incident re-opened"
    );

    Ok(Reopen {
        alert,
        incident_title: incident.display_name.clone(),
        tenant_name: tenant_name.to_string(),
        newly_raised,
    })
}

/// Deletes the tenant's incidents and alerts that a full pull did not
/// bring back. Techniques go with their alerts (foreign key cascade).
fn reconcile(tx: &Connection, pull: &TenantPull) -> Result<()> {
    let incident_ids: Vec<&str> = pull.incidents.iter().map(|i| i.id.as_str()).collect();
    let alert_ids: Vec<&str> = pull.alerts.iter().map(|a| a.id.as_str()).collect();

    let mut incidents = tx.prepare_cached(
        "DELETE FROM incidents WHERE tenant_id = ?1 \
         AND id NOT IN (SELECT value FROM json_each(?2))",
    )?;
    let gone_incidents = incidents.execute(params![pull.tenant_id, to_json(&incident_ids)?])?;
    let mut alerts = tx.prepare_cached(
        "DELETE FROM alerts WHERE tenant_id = ?1 \
         AND id NOT IN (SELECT value FROM json_each(?2))",
    )?;
    let gone_alerts = alerts.execute(params![pull.tenant_id, to_json(&alert_ids)?])?;

    tracing::debug!(
        tenant_id = %pull.tenant_id,
        gone_incidents,
        gone_alerts,
        "full pull reconciled"
    );
    Ok(())
}

/// Stores the watermark (forward only) and, for a full pull, its time.
fn store_watermark(tx: &Connection, pull: &TenantPull) -> Result<()> {
    let full_at = pull.full.then_some(pull.pulled_at);
    if pull.watermark.is_none() && full_at.is_none() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO watermarks (tenant_id, last_update, last_full_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (tenant_id) DO UPDATE SET \
             last_update = CASE \
                 WHEN watermarks.last_update IS NULL THEN excluded.last_update \
                 WHEN excluded.last_update > watermarks.last_update THEN excluded.last_update \
                 ELSE watermarks.last_update END, \
             last_full_at = coalesce(excluded.last_full_at, watermarks.last_full_at)",
    )?;
    stmt.execute(params![
        pull.tenant_id,
        opt_ts(pull.watermark),
        opt_ts(full_at)
    ])?;
    Ok(())
}
