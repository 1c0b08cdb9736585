//! Row writers for incidents and alerts, shared by pulls and by the
//! read-back after an update.
//!
//! Each upsert is guarded by `last_update_at`: a copy older than the one
//! cached is not written, so a pull that fetched an incident before an
//! analyst changed it cannot undo the change's read-back.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::codec::{opt_ts, to_json, Ts};
use super::derived::remember_upns;
use super::Result;
use crate::model::{Alert, Incident};

/// Upserts an incident's own fields (the derived ones are refreshed
/// separately). Returns false when the cached copy is newer.
pub(super) fn write_incident(tx: &Connection, incident: &Incident) -> Result<bool> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO incidents (tenant_id, id, display_name, description, severity, status, \
             classification, determination, assigned_to, created_at, last_update_at, web_url, \
             redirect_incident_id, custom_tags, system_tags, comments) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET display_name = excluded.display_name, \
             description = excluded.description, severity = excluded.severity, \
             status = excluded.status, classification = excluded.classification, \
             determination = excluded.determination, assigned_to = excluded.assigned_to, \
             created_at = excluded.created_at, last_update_at = excluded.last_update_at, \
             web_url = excluded.web_url, redirect_incident_id = excluded.redirect_incident_id, \
             custom_tags = excluded.custom_tags, system_tags = excluded.system_tags, \
             comments = excluded.comments \
         WHERE excluded.last_update_at >= incidents.last_update_at",
    )?;
    let changed = stmt.execute(params![
        incident.tenant_id,
        incident.id,
        incident.display_name,
        incident.description,
        incident.severity.as_str(),
        incident.status.as_str(),
        incident.classification.as_ref().map(|c| c.as_str()),
        incident.determination.as_ref().map(|d| d.as_str()),
        incident.assigned_to,
        Ts(incident.created_at),
        Ts(incident.last_update_at),
        incident.web_url,
        incident.redirect_incident_id,
        to_json(&incident.custom_tags)?,
        to_json(&incident.system_tags)?,
        to_json(&incident.comments)?,
    ])?;
    Ok(changed == 1)
}

/// An alert with its JSON columns already written out, so that the text
/// (evidence is a few KB an alert) is built before the writer's lock is
/// taken rather than while every other tenant waits on it.
pub(super) struct AlertRow<'a> {
    alert: &'a Alert,
    techniques: String,
    evidence: String,
}

impl<'a> AlertRow<'a> {
    /// Serializes `alert`'s JSON columns.
    pub(super) fn new(alert: &'a Alert) -> Result<AlertRow<'a>> {
        Ok(AlertRow {
            alert,
            techniques: to_json(&alert.mitre_techniques)?,
            evidence: to_json(&alert.evidence)?,
        })
    }

    /// Rows for every alert of `alerts`.
    pub(super) fn all(alerts: &'a [Alert]) -> Result<Vec<AlertRow<'a>>> {
        alerts.iter().map(AlertRow::new).collect()
    }

    /// The alert.
    pub(super) fn alert(&self) -> &'a Alert {
        self.alert
    }
}

/// Upserts an alert with its techniques and UPNs, adding to `touched` the
/// incident it belongs to and the one it left, if it moved. Returns false
/// when the cached copy is newer.
pub(super) fn write_alert(
    tx: &Connection,
    row: &AlertRow<'_>,
    touched: &mut BTreeSet<String>,
) -> Result<bool> {
    let alert = row.alert;
    let mut previous = tx.prepare_cached(
        "SELECT incident_id, mitre_techniques FROM alerts WHERE tenant_id = ?1 AND id = ?2",
    )?;
    let cached: Option<(Option<String>, String)> = previous
        .query_row([&alert.tenant_id, &alert.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;

    if !upsert_alert_row(tx, row)? {
        return Ok(false);
    }
    let (left, techniques) = cached.unzip();
    touched.extend(left.flatten());
    touched.extend(alert.incident_id.clone());
    // The technique rows follow from the techniques alone (a move between
    // incidents is the triggers' part): most rewrites of an alert, as in
    // every hourly reconcile, leave them as they are, and rewriting them
    // fires the tally triggers twice per technique for nothing.
    if techniques.as_deref() != Some(row.techniques.as_str()) {
        write_techniques(tx, alert)?;
    }
    remember_upns(tx, &alert.tenant_id, &alert.evidence)?;
    Ok(true)
}

fn upsert_alert_row(tx: &Connection, row: &AlertRow<'_>) -> Result<bool> {
    let alert = row.alert;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO alerts (tenant_id, id, incident_id, title, description, category, \
             severity, status, classification, determination, assigned_to, mitre_techniques, \
             recommended_actions, service_source, detection_source, created_at, \
             last_update_at, first_activity_at, last_activity_at, web_url, evidence) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
             ?18, ?19, ?20, ?21) \
         ON CONFLICT (tenant_id, id) DO UPDATE SET incident_id = excluded.incident_id, \
             title = excluded.title, description = excluded.description, \
             category = excluded.category, severity = excluded.severity, \
             status = excluded.status, classification = excluded.classification, \
             determination = excluded.determination, assigned_to = excluded.assigned_to, \
             mitre_techniques = excluded.mitre_techniques, \
             recommended_actions = excluded.recommended_actions, \
             service_source = excluded.service_source, \
             detection_source = excluded.detection_source, created_at = excluded.created_at, \
             last_update_at = excluded.last_update_at, \
             first_activity_at = excluded.first_activity_at, \
             last_activity_at = excluded.last_activity_at, web_url = excluded.web_url, \
             evidence = excluded.evidence \
         WHERE excluded.last_update_at IS NULL OR alerts.last_update_at IS NULL \
             OR excluded.last_update_at >= alerts.last_update_at",
    )?;
    let changed = stmt.execute(params![
        alert.tenant_id,
        alert.id,
        alert.incident_id,
        alert.title,
        alert.description,
        alert.category,
        alert.severity.as_str(),
        alert.status.as_str(),
        alert.classification.as_ref().map(|c| c.as_str()),
        alert.determination.as_ref().map(|d| d.as_str()),
        alert.assigned_to,
        row.techniques,
        alert.recommended_actions,
        alert.service_source,
        alert.detection_source,
        opt_ts(alert.created_at),
        opt_ts(alert.last_update_at),
        opt_ts(alert.first_activity_at),
        opt_ts(alert.last_activity_at),
        alert.web_url,
        row.evidence,
    ])?;
    Ok(changed == 1)
}

/// Replaces an alert's rows in the technique table, upper-cased so that
/// prefix filters need not care about case.
fn write_techniques(tx: &Connection, alert: &Alert) -> Result<()> {
    let mut clear =
        tx.prepare_cached("DELETE FROM alert_techniques WHERE tenant_id = ?1 AND alert_id = ?2")?;
    clear.execute([&alert.tenant_id, &alert.id])?;

    let mut insert = tx.prepare_cached(
        "INSERT INTO alert_techniques (tenant_id, alert_id, technique) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO NOTHING",
    )?;
    for technique in &alert.mitre_techniques {
        let technique = technique.trim().to_uppercase();
        if !technique.is_empty() {
            insert.execute(params![alert.tenant_id, alert.id, technique])?;
        }
    }
    Ok(())
}
