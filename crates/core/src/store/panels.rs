//! The incident page and the per-tenant panels: one incident with its
//! alerts and audit trail, the tenant list with its trends, a tenant's
//! alerts grouped by incident.
//!
//! Hidden (not present) tenants answer as if they had no data.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit::query_audit;
use super::codec::{get_bytes, get_enum, get_json, get_opt_enum, get_ts};
use super::derived::filter_to_domains;
use super::rows::{
    alert, alert_order, incident, incident_row, ALERT_COLUMNS, ALERT_HEAD_COLUMNS, ALERT_ORDER,
    INCIDENT_COLUMNS, ROW_COLUMNS,
};
use super::tenants::skipped_tenant;
use super::{score, Result, Store};
use crate::model::{Alert, Capability, Evidence, Incident, SkipReason};
use crate::views::{IncidentAlerts, IncidentDetail, IncidentRow, TenantAlerts, TenantSummary};

/// Days in a tenant summary's incidents-per-day series.
const TREND_DAYS: u64 = 14;

/// Audit entries shown on an incident page.
const DETAIL_AUDIT: u32 = 500;

fn find_incident(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<Incident>> {
    let sql = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents i \
         JOIN tenants t ON t.id = i.tenant_id AND t.present = 1 \
         WHERE i.tenant_id = ?1 AND i.id = ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([tenant_id, id], incident)
        .optional()?)
}

fn find_row(conn: &Connection, tenant_id: &str, id: &str) -> Result<Option<IncidentRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM incidents i \
         JOIN tenants t ON t.id = i.tenant_id AND t.present = 1 \
         WHERE i.tenant_id = ?1 AND i.id = ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([tenant_id, id], incident_row)
        .optional()?)
}

fn incident_alerts(conn: &Connection, tenant_id: &str, id: &str) -> Result<Vec<Alert>> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts a \
         WHERE a.tenant_id = ?1 AND a.incident_id = ?2 ORDER BY {ALERT_ORDER}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([tenant_id, id], alert)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// UPNs seen in the tenant's evidence and as owners of its incidents and
/// alerts, kept to the tenant's own domains.
fn known_upns(conn: &Connection, tenant_id: &str, domains: &[String]) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT upn FROM known_upns WHERE tenant_id = ?1 \
         UNION SELECT assigned_to FROM incidents WHERE tenant_id = ?1 AND assigned_to <> '' \
         UNION SELECT assigned_to FROM alerts WHERE tenant_id = ?1 AND assigned_to <> ''",
    )?;
    let upns = stmt
        .query_map([tenant_id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(filter_to_domains(upns, domains))
}

impl Store {
    /// One cached incident.
    pub fn incident(&self, tenant_id: &str, id: &str) -> Result<Option<Incident>> {
        self.read(|conn| find_incident(conn, tenant_id, id))
    }

    /// Everything the incident page shows, read in one snapshot.
    pub fn incident_detail(&self, tenant_id: &str, id: &str) -> Result<Option<IncidentDetail>> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let (Some(row), Some(incident)) = (
                find_row(&tx, tenant_id, id)?,
                find_incident(&tx, tenant_id, id)?,
            ) else {
                return Ok(None);
            };
            let (domains, capability): (Vec<String>, Capability) = tx
                .prepare_cached("SELECT domains, capability FROM tenants WHERE id = ?1")?
                .query_row([tenant_id], |r| {
                    Ok((get_json(r, 0)?, get_enum(r, 1, Capability::from_product)?))
                })?;

            Ok(Some(IncidentDetail {
                row,
                incident,
                alerts: incident_alerts(&tx, tenant_id, id)?,
                known_upns: known_upns(&tx, tenant_id, &domains)?,
                tenant_domains: domains,
                capability,
                audit: query_audit(&tx, Some(tenant_id), Some(id), DETAIL_AUDIT)?,
            }))
        })
    }

    /// Every present tenant with its open incidents, incidents created per
    /// day over the last 14 UTC days (oldest first, ending today) and its
    /// Secure Score trend over the 14 days up to its newest snapshot, by
    /// name. "Open" means neither resolved nor redirected (a redirected
    /// incident lives on in the one it merged into).
    pub fn tenant_summaries(&self) -> Result<Vec<TenantSummary>> {
        let today = Utc::now().date_naive();
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let mut summaries = summary_rows(&tx)?;
            let by_id = ById::new(&summaries);
            add_incidents_per_day(&tx, today, &mut summaries, &by_id)?;
            score::add_trends(&tx, &mut summaries, &by_id)?;
            Ok(summaries)
        })
    }

    /// A tenant's alerts: standalone ones newest first, and the rest under
    /// their incident, newest incident first, each incident's alerts oldest
    /// activity first. `mitre` keeps only alerts with a technique starting
    /// with it (case-insensitive), dropping incidents left empty.
    ///
    /// The alerts come without their evidence (`evidence` is empty):
    /// a tenant has hundreds of alerts and each one's evidence is a few
    /// KB, read and sent for nothing unless the alert is opened.
    /// [`Store::alert_evidence`] reads one alert's.
    pub fn tenant_alerts(&self, tenant_id: &str, mitre: Option<&str>) -> Result<TenantAlerts> {
        let prefix = mitre
            .map(|m| m.trim().to_uppercase())
            .filter(|m| !m.is_empty());
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let alerts = tenant_alert_rows(&tx, tenant_id, prefix.as_deref())?;
            let incidents = incident_heads(&tx, tenant_id)?;
            Ok(group_alerts(alerts, &incidents))
        })
    }

    /// One cached alert's evidence, `None` when the alert is not cached
    /// (or its tenant is not present).
    pub fn alert_evidence(&self, tenant_id: &str, alert_id: &str) -> Result<Option<Vec<Evidence>>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.evidence FROM alerts a \
                 JOIN tenants t ON t.id = a.tenant_id AND t.present = 1 \
                 WHERE a.tenant_id = ?1 AND a.id = ?2",
            )?;
            Ok(stmt
                .query_row([tenant_id, alert_id], |r| get_json(r, 0))
                .optional()?)
        })
    }
}

fn summary_rows(conn: &Connection) -> Result<Vec<TenantSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.display_name, t.domains, t.capability, t.skip_reason, \
             coalesce(o.open, 0), coalesce(o.high, 0) \
         FROM tenants t LEFT JOIN incident_open o ON o.tenant_id = t.id \
         WHERE t.present = 1 ORDER BY t.display_name COLLATE NOCASE, t.id",
    )?;
    let rows = stmt.query_map([], |row| {
        let id: String = row.get(0)?;
        let name: String = row.get(1)?;
        let skip = get_opt_enum(row, 4, SkipReason::from_product)?;
        Ok(TenantSummary {
            skipped: skip.map(|reason| skipped_tenant(id.clone(), name.clone(), reason)),
            tenant_id: id,
            tenant_name: name,
            domains: get_json(row, 2)?,
            capability: get_enum(row, 3, Capability::from_product)?,
            open_incidents: row.get(5)?,
            open_high: row.get(6)?,
            incidents_per_day: vec![0; TREND_DAYS as usize],
            score_trend: Vec::new(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The tenant list's positions in tenant id order: the byte order that
/// SQLite's keys sort in. The per-tenant tables (days, Secure Score) are
/// read in that order and merged into the list by walking both, instead
/// of looking each of their thousands of rows up by tenant id.
pub(super) struct ById(Vec<usize>);

impl ById {
    fn new(summaries: &[TenantSummary]) -> ById {
        let mut order: Vec<usize> = (0..summaries.len()).collect();
        order.sort_unstable_by(|&a, &b| summaries[a].tenant_id.cmp(&summaries[b].tenant_id));
        ById(order)
    }

    /// From `cursor` on (keys seen so far are smaller), the position in
    /// `summaries` of `tenant_id`, or `None` when it is not listed (a
    /// hidden tenant). Moves `cursor` past the smaller ids.
    pub(super) fn seek(
        &self,
        summaries: &[TenantSummary],
        cursor: &mut usize,
        tenant_id: &[u8],
    ) -> Option<usize> {
        while let Some(&at) = self.0.get(*cursor) {
            match summaries[at].tenant_id.as_bytes().cmp(tenant_id) {
                std::cmp::Ordering::Less => *cursor += 1,
                std::cmp::Ordering::Equal => return Some(at),
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }
}

/// Adds to each summary its incidents created per UTC day over the days
/// ending `today`.
fn add_incidents_per_day(
    conn: &Connection,
    today: NaiveDate,
    summaries: &mut [TenantSummary],
    by_id: &ById,
) -> Result<()> {
    let first = today - Days::new(TREND_DAYS - 1);
    // Days as incident_days spells them: the first 10 characters of
    // created_at, so comparing the start's own 10 keeps the same days.
    let days: Vec<String> = (0..TREND_DAYS)
        .map(|n| (first + Days::new(n)).format("%Y-%m-%d").to_string())
        .collect();
    // The key's order: no sort, and each day's tenants come in id order.
    let mut stmt = conn.prepare_cached(
        "SELECT day, tenant_id, n FROM incident_days WHERE day >= ?1 ORDER BY day, tenant_id",
    )?;
    let mut rows = stmt.query(params![days[0]])?;

    let mut day: Option<usize> = None;
    let mut day_text: Vec<u8> = Vec::new();
    let mut cursor = 0;
    while let Some(row) = rows.next()? {
        let text = get_bytes(row, 0)?;
        if text != day_text.as_slice() {
            day_text = text.to_vec();
            day = days.iter().position(|d| d.as_bytes() == text);
            cursor = 0;
        }
        // A day after today (a clock ahead of ours) is not drawn.
        let Some(index) = day else {
            continue;
        };
        if let Some(at) = by_id.seek(summaries, &mut cursor, get_bytes(row, 1)?) {
            summaries[at].incidents_per_day[index] += row.get::<_, u32>(2)?;
        }
    }
    Ok(())
}

fn tenant_alert_rows(
    conn: &Connection,
    tenant_id: &str,
    prefix: Option<&str>,
) -> Result<Vec<Alert>> {
    let technique = "AND EXISTS (SELECT 1 FROM alert_techniques x \
         WHERE x.tenant_id = a.tenant_id AND x.alert_id = a.id \
         AND x.technique >= ?2 AND x.technique < ?3)";
    let sql = format!(
        "SELECT {ALERT_HEAD_COLUMNS} FROM alerts a \
         JOIN tenants t ON t.id = a.tenant_id AND t.present = 1 \
         WHERE a.tenant_id = ?1 {}",
        if prefix.is_some() { technique } else { "" }
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = match prefix {
        Some(p) => stmt.query_map(params![tenant_id, p, format!("{p}\u{10FFFF}")], alert)?,
        None => stmt.query_map(params![tenant_id], alert)?,
    };
    let mut alerts: Vec<Alert> = rows.collect::<rusqlite::Result<_>>()?;
    alerts.sort_unstable_by(alert_order);
    Ok(alerts)
}

/// Title and creation time of each cached incident of a tenant.
fn incident_heads(
    conn: &Connection,
    tenant_id: &str,
) -> Result<HashMap<String, (String, DateTime<Utc>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, display_name, created_at FROM incidents WHERE tenant_id = ?1",
    )?;
    let rows = stmt.query_map([tenant_id], |r| Ok((r.get(0)?, (r.get(1)?, get_ts(r, 2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Splits alerts (already in display order) into standalone ones and
/// per-incident groups. An alert may name an incident not pulled yet; its
/// group is titled by id and sorts after the cached incidents.
fn group_alerts(
    alerts: Vec<Alert>,
    incidents: &HashMap<String, (String, DateTime<Utc>)>,
) -> TenantAlerts {
    let mut standalone = Vec::new();
    let mut groups: Vec<IncidentAlerts> = Vec::new();
    let mut slot: HashMap<String, usize> = HashMap::new();
    for alert in alerts {
        let Some(incident_id) = alert.incident_id.clone() else {
            standalone.push(alert);
            continue;
        };
        let index = *slot.entry(incident_id.clone()).or_insert_with(|| {
            let display_name = incidents
                .get(&incident_id)
                .map(|(title, _)| title.clone())
                .unwrap_or_else(|| format!("Incident {incident_id}"));
            groups.push(IncidentAlerts {
                incident_id,
                display_name,
                alerts: Vec::new(),
            });
            groups.len() - 1
        });
        groups[index].alerts.push(alert);
    }

    // Newest first; `None` (not cached) sorts last, ids break ties.
    let created = |g: &IncidentAlerts| incidents.get(&g.incident_id).map(|(_, at)| *at);
    groups.sort_by(|a, b| {
        created(b)
            .cmp(&created(a))
            .then_with(|| b.incident_id.cmp(&a.incident_id))
    });
    standalone.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.id.cmp(&a.id))
    });

    TenantAlerts {
        standalone,
        by_incident: groups,
    }
}
