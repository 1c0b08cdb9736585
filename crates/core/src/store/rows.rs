//! Column lists and row mappers shared by the queries: one place that
//! knows which column holds which field of an incident, alert or queue row.

use std::cmp::Ordering;

use rusqlite::Row;

use super::codec::{get_enum, get_json, get_opt_enum, get_opt_ts, get_ts};
use crate::model::{
    Alert, AlertStatus, Classification, Determination, Incident, IncidentStatus, Severity,
};
use crate::views::IncidentRow;

/// Columns of [`incident`], from `incidents i`.
pub(super) const INCIDENT_COLUMNS: &str = "i.tenant_id, i.id, i.display_name, i.description, \
     i.severity, i.status, i.classification, i.determination, i.assigned_to, i.created_at, \
     i.last_update_at, i.web_url, i.redirect_incident_id, i.custom_tags, i.system_tags, \
     i.comments";

/// Maps a row selected with [`INCIDENT_COLUMNS`].
pub(super) fn incident(row: &Row<'_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        tenant_id: row.get(0)?,
        id: row.get(1)?,
        display_name: row.get(2)?,
        description: row.get(3)?,
        severity: get_enum(row, 4, Severity::from_product)?,
        status: get_enum(row, 5, IncidentStatus::from_product)?,
        classification: get_opt_enum(row, 6, Classification::from_product)?,
        determination: get_opt_enum(row, 7, Determination::from_product)?,
        assigned_to: row.get(8)?,
        created_at: get_ts(row, 9)?,
        last_update_at: get_ts(row, 10)?,
        web_url: row.get(11)?,
        redirect_incident_id: row.get(12)?,
        custom_tags: get_json(row, 13)?,
        system_tags: get_json(row, 14)?,
        comments: get_json(row, 15)?,
    })
}

/// Columns of [`incident_row`], from `incidents i JOIN tenants t`.
pub(super) const ROW_COLUMNS: &str = "i.tenant_id, t.display_name, i.id, i.display_name, \
     i.severity, i.status, i.classification, i.determination, i.assigned_to, i.alert_count, \
     i.affected_entities, i.first_activity_at, i.last_activity_at, i.created_at, \
     i.last_update_at, i.web_url";

/// Maps a row selected with [`ROW_COLUMNS`].
pub(super) fn incident_row(row: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        tenant_id: row.get(0)?,
        tenant_name: row.get(1)?,
        id: row.get(2)?,
        display_name: row.get(3)?,
        severity: get_enum(row, 4, Severity::from_product)?,
        status: get_enum(row, 5, IncidentStatus::from_product)?,
        classification: get_opt_enum(row, 6, Classification::from_product)?,
        determination: get_opt_enum(row, 7, Determination::from_product)?,
        assigned_to: row.get(8)?,
        alert_count: row.get(9)?,
        affected_entities: get_json(row, 10)?,
        first_activity_at: get_opt_ts(row, 11)?,
        last_activity_at: get_opt_ts(row, 12)?,
        created_at: get_ts(row, 13)?,
        last_update_at: get_ts(row, 14)?,
        web_url: row.get(15)?,
    })
}

/// Columns of [`alert`], from `alerts a`.
pub(super) const ALERT_COLUMNS: &str = "a.tenant_id, a.id, a.incident_id, a.title, \
     a.description, a.category, a.severity, a.status, a.classification, a.determination, \
     a.assigned_to, a.mitre_techniques, a.recommended_actions, a.service_source, \
     a.detection_source, a.created_at, a.last_update_at, a.first_activity_at, \
     a.last_activity_at, a.web_url, a.evidence";

/// [`ALERT_COLUMNS`] with `'[]'` in place of the evidence, for lists that
/// leave it out: evidence is a few KB an alert, and reading it means
/// reading the row's overflow pages.
pub(super) const ALERT_HEAD_COLUMNS: &str = "a.tenant_id, a.id, a.incident_id, a.title, \
     a.description, a.category, a.severity, a.status, a.classification, a.determination, \
     a.assigned_to, a.mitre_techniques, a.recommended_actions, a.service_source, \
     a.detection_source, a.created_at, a.last_update_at, a.first_activity_at, \
     a.last_activity_at, a.web_url, '[]'";

/// Alerts within one incident: oldest activity first, unknown times last.
pub(super) const ALERT_ORDER: &str = "a.first_activity_at IS NULL, a.first_activity_at, \
     a.created_at, a.id";

/// [`ALERT_ORDER`] for alerts already read: a tenant's few hundred alerts
/// sort faster here than in SQLite's sorter, which copies every column of
/// every row. Times compare as their fixed-width text does in SQL; an
/// unknown creation time sorts first in both, an unknown first activity
/// last in both.
pub(super) fn alert_order(a: &Alert, b: &Alert) -> Ordering {
    (
        a.first_activity_at.is_none(),
        a.first_activity_at,
        a.created_at,
    )
        .cmp(&(
            b.first_activity_at.is_none(),
            b.first_activity_at,
            b.created_at,
        ))
        .then_with(|| a.id.cmp(&b.id))
}

/// Maps a row selected with [`ALERT_COLUMNS`].
pub(super) fn alert(row: &Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        tenant_id: row.get(0)?,
        id: row.get(1)?,
        incident_id: row.get(2)?,
        title: row.get(3)?,
        description: row.get(4)?,
        category: row.get(5)?,
        severity: get_enum(row, 6, Severity::from_product)?,
        status: get_enum(row, 7, AlertStatus::from_product)?,
        classification: get_opt_enum(row, 8, Classification::from_product)?,
        determination: get_opt_enum(row, 9, Determination::from_product)?,
        assigned_to: row.get(10)?,
        mitre_techniques: get_json(row, 11)?,
        recommended_actions: row.get(12)?,
        service_source: row.get(13)?,
        detection_source: row.get(14)?,
        created_at: get_opt_ts(row, 15)?,
        last_update_at: get_opt_ts(row, 16)?,
        first_activity_at: get_opt_ts(row, 17)?,
        last_activity_at: get_opt_ts(row, 18)?,
        web_url: row.get(19)?,
        evidence: get_json(row, 20)?,
    })
}
