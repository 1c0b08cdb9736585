//! Figures an incident row shows that Graph does not send on the incident
//! itself: alert count, affected entities and first/last activity. They
//! are computed from the incident's cached alerts whenever those change,
//! so the portfolio reads them without touching the alerts table.
//!
//! Also here: the customer UPNs seen in evidence, remembered per tenant
//! for assigned-to suggestions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::Deserialize;

use super::codec::{get_json, get_opt_ts, opt_ts, to_json};
use super::Result;
use crate::model::{Alert, Evidence};
use crate::raw_json::text_at;

/// Evidence kinds that name an affected entity, in the order rows list
/// them (users, then devices, then mailboxes).
const ENTITY_KINDS: [&str; 3] = ["user", "device", "mailbox"];

/// The part of a piece of evidence an incident row shows. Reading only
/// these two fields from the stored evidence skips building each raw
/// Graph object, which was most of the cost of refreshing an incident.
#[derive(Debug, Deserialize)]
pub(super) struct EntityLabel {
    pub kind: String,
    pub label: String,
}

impl EntityLabel {
    fn of(evidence: &Evidence) -> EntityLabel {
        EntityLabel {
            kind: evidence.kind.clone(),
            label: evidence.label.clone(),
        }
    }
}

/// One alert's contribution to its incident.
pub(super) struct AlertFacts {
    pub evidence: Vec<EntityLabel>,
    pub first_activity_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// What an incident row shows about its alerts.
#[derive(Debug, PartialEq)]
pub(super) struct Derived {
    pub alert_count: u32,
    pub affected_entities: Vec<String>,
    pub first_activity_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Folds an incident's alerts (in display order) into its row figures.
/// Entities are distinct case-insensitively; the first spelling wins.
pub(super) fn derive(alerts: &[AlertFacts]) -> Derived {
    let mut seen = HashSet::new();
    let mut affected_entities = Vec::new();
    for kind in ENTITY_KINDS {
        let labels = alerts
            .iter()
            .flat_map(|a| &a.evidence)
            .filter(|e| e.kind == kind);
        for evidence in labels {
            let label = evidence.label.trim();
            if !label.is_empty() && seen.insert(label.to_lowercase()) {
                affected_entities.push(label.to_string());
            }
        }
    }

    Derived {
        alert_count: alerts.len() as u32,
        affected_entities,
        first_activity_at: alerts.iter().filter_map(|a| a.first_activity_at).min(),
        last_activity_at: alerts.iter().filter_map(|a| a.last_activity_at).max(),
    }
}

/// Alerts written in the current transaction, by id: their evidence is in
/// memory, so refreshing their incidents need not read it back.
pub(super) type Fresh<'a> = HashMap<&'a str, &'a Alert>;

/// Recomputes one incident's figures from its cached alerts. An incident
/// not in the cache (an alert named it before it was pulled) is skipped.
/// Alerts in `fresh` are taken as written; only others' evidence is read.
pub(super) fn refresh_incident(
    conn: &Connection,
    tenant_id: &str,
    incident_id: &str,
    fresh: &Fresh<'_>,
) -> Result<()> {
    let mut select = conn.prepare_cached(
        "SELECT id, first_activity_at, last_activity_at FROM alerts a \
         WHERE a.tenant_id = ?1 AND a.incident_id = ?2 \
         ORDER BY a.first_activity_at IS NULL, a.first_activity_at, a.created_at, a.id",
    )?;
    let rows = select
        .query_map([tenant_id, incident_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                get_opt_ts(row, 1)?,
                get_opt_ts(row, 2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut facts = Vec::with_capacity(rows.len());
    for (id, first_activity_at, last_activity_at) in rows {
        let evidence = match fresh.get(id.as_str()) {
            Some(alert) => alert.evidence.iter().map(EntityLabel::of).collect(),
            None => stored_labels(conn, tenant_id, &id)?,
        };
        facts.push(AlertFacts {
            evidence,
            first_activity_at,
            last_activity_at,
        });
    }
    let derived = derive(&facts);

    let mut update = conn.prepare_cached(
        "UPDATE incidents SET alert_count = ?3, affected_entities = ?4, \
             first_activity_at = ?5, last_activity_at = ?6 \
         WHERE tenant_id = ?1 AND id = ?2",
    )?;
    update.execute(params![
        tenant_id,
        incident_id,
        derived.alert_count,
        to_json(&derived.affected_entities)?,
        opt_ts(derived.first_activity_at),
        opt_ts(derived.last_activity_at),
    ])?;
    Ok(())
}

/// The entity labels of a cached alert's evidence.
fn stored_labels(conn: &Connection, tenant_id: &str, alert_id: &str) -> Result<Vec<EntityLabel>> {
    let mut select =
        conn.prepare_cached("SELECT evidence FROM alerts WHERE tenant_id = ?1 AND id = ?2")?;
    Ok(select.query_row([tenant_id, alert_id], |row| get_json(row, 0))?)
}

/// User principal names in a piece of evidence: the label of user
/// evidence when it looks like a UPN, and `userAccount.userPrincipalName`
/// from the raw object, which Graph fills even when the label is a name.
pub(super) fn evidence_upns(evidence: &Evidence) -> Vec<String> {
    if evidence.kind != "user" {
        return Vec::new();
    }
    let from_raw = text_at(&evidence.raw, "userAccount/userPrincipalName");
    let candidates = [Some(evidence.label.as_str()), from_raw.as_deref()];
    let mut upns: Vec<String> = candidates
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|upn| is_upn_like(upn))
        .map(str::to_string)
        .collect();
    upns.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    upns
}

fn is_upn_like(text: &str) -> bool {
    matches!(text.split_once('@'), Some((user, domain)) if !user.is_empty() && domain.contains('.'))
}

/// Remembers the UPNs in an alert's evidence for its tenant.
pub(super) fn remember_upns(
    conn: &Connection,
    tenant_id: &str,
    evidence: &[Evidence],
) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO known_upns (tenant_id, upn_key, upn) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO NOTHING",
    )?;
    for upn in evidence.iter().flat_map(evidence_upns) {
        insert.execute(params![tenant_id, upn.to_lowercase(), upn])?;
    }
    Ok(())
}

/// Keeps the UPNs that end in one of `domains` (case-insensitive),
/// distinct and sorted, for assigned-to suggestions.
pub(super) fn filter_to_domains(upns: Vec<String>, domains: &[String]) -> Vec<String> {
    let suffixes: Vec<String> = domains
        .iter()
        .map(|d| format!("@{}", d.to_lowercase()))
        .collect();
    let mut seen = HashSet::new();
    let mut kept: Vec<String> = upns
        .into_iter()
        .filter(|upn| {
            let lower = upn.to_lowercase();
            suffixes.iter().any(|s| lower.ends_with(s)) && seen.insert(lower)
        })
        .collect();
    kept.sort_by_key(|upn| upn.to_lowercase());
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;
    use serde_json::value::RawValue;

    fn evidence(kind: &str, label: &str) -> EntityLabel {
        EntityLabel {
            kind: kind.into(),
            label: label.into(),
        }
    }

    fn at(hour: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2024, 5, 1, hour, 0, 0).unwrap())
    }

    #[test]
    fn entities_are_distinct_users_devices_then_mailboxes() {
        let alerts = [
            AlertFacts {
                evidence: vec![
                    evidence("device", "WS-0042"),
                    evidence("ip", "10.0.0.1"),
                    evidence("user", "alex@contoso.com"),
                ],
                first_activity_at: at(9),
                last_activity_at: at(10),
            },
            AlertFacts {
                evidence: vec![
                    evidence("mailbox", "Alex@Contoso.com"),
                    evidence("user", ""),
                ],
                first_activity_at: at(8),
                last_activity_at: None,
            },
        ];

        let derived = derive(&alerts);

        assert_eq!(derived.alert_count, 2);
        assert_eq!(derived.affected_entities, ["alex@contoso.com", "WS-0042"]);
        assert_eq!(derived.first_activity_at, at(8));
        assert_eq!(derived.last_activity_at, at(10));
    }

    #[test]
    fn upns_come_from_user_labels_and_raw_accounts() {
        let full = |kind: &str, label: &str, raw: String| Evidence {
            kind: kind.into(),
            label: label.into(),
            verdict: None,
            remediation_status: None,
            roles: vec![],
            raw: RawValue::from_string(raw).unwrap(),
        };
        let named = full(
            "user",
            "Alex Wilber",
            json!({"userAccount": {"userPrincipalName": "alexw@contoso.com"}}).to_string(),
        );

        assert_eq!(evidence_upns(&named), ["alexw@contoso.com"]);
        let mailbox = full("mailbox", "a@contoso.com", json!({}).to_string());
        assert!(evidence_upns(&mailbox).is_empty());
    }

    #[test]
    fn suggestions_keep_only_the_tenants_domains() {
        let upns = vec![
            "b@Contoso.com".into(),
            "tech@msp.example".into(),
            "a@contoso.com".into(),
        ];

        let kept = filter_to_domains(upns, &["contoso.com".into()]);

        assert_eq!(kept, ["a@contoso.com", "b@Contoso.com"]);
    }
}
