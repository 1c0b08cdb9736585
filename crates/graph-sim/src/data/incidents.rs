//! Incidents with their correlated alerts, and standalone alerts, for one
//! generated tenant. Incidents are returned without the `alerts`
//! navigation property; alerts carry `incidentId` and are stored apart.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::alerts::{self, Placement, Template, TEMPLATES};
use super::names::{COMMENTS, CUSTOM_TAGS};
use super::org::Org;
use super::rng::Gen;
use crate::clock::format_time;

/// Incidents and alerts of one tenant.
pub struct Security {
    /// Incident bodies, newest first.
    pub incidents: Vec<Value>,
    /// Every alert, with or without an incident.
    pub alerts: Vec<Value>,
}

/// Severity order used to give an incident its highest alert severity.
const SEVERITIES: &[&str] = &["unknown", "informational", "low", "medium", "high"];

/// One incident's lifecycle decided up front.
struct Outcome {
    status: &'static str,
    classification: &'static str,
    determination: &'static str,
}

/// Generates `count` incidents and `standalone` standalone alerts.
pub fn generate(
    gen: &mut Gen,
    org: &Org,
    now: DateTime<Utc>,
    count: usize,
    alert_range: (usize, usize),
    standalone: usize,
) -> Security {
    let mut created: Vec<DateTime<Utc>> = (0..count)
        .map(|_| gen.before(now, 600, 86_400 * 30))
        .collect();
    created.sort();
    let mut next_id = gen.range(10_000, 90_000);
    let mut out = Security {
        incidents: Vec::new(),
        alerts: Vec::new(),
    };
    for at in created {
        next_id += gen.range(1, 40);
        let n = gen.range(
            alert_range.0 as u64,
            alert_range.1.max(alert_range.0) as u64,
        ) as usize;
        let (incident, alerts) = incident(gen, org, now, &next_id.to_string(), at, n.max(1));
        out.incidents.push(incident);
        out.alerts.extend(alerts);
    }
    for _ in 0..standalone {
        let at = gen.before(now, 300, 86_400 * 20);
        out.alerts.push(standalone_alert(gen, org, now, at));
    }
    out.incidents.reverse();

    out
}

/// A new incident correlated from `alert_count` fresh alerts (control API).
pub fn incident(
    gen: &mut Gen,
    org: &Org,
    now: DateTime<Utc>,
    id: &str,
    created: DateTime<Utc>,
    alert_count: usize,
) -> (Value, Vec<Value>) {
    let outcome = outcome(gen);
    let updated = gen.after(created, 60, 86_400 * 3).min(now);
    let assignee = (outcome.status != "active" || gen.chance(0.4))
        .then(|| gen.pick(org.assignees()).upn.clone());
    let alert_status = match outcome.status {
        "resolved" => "resolved",
        "active" => "new",
        _ => "inProgress",
    };
    let picks: Vec<&Template> = (0..alert_count).map(|_| gen.pick(TEMPLATES)).collect();
    let mut alerts = Vec::new();
    for (i, template) in picks.iter().enumerate() {
        let at = gen.after(created, 0, 60 * (i as i64 + 1) * 10).min(updated);
        let place = Placement {
            incident_id: Some(id),
            created: at,
            status: alert_status,
            classification: Some(outcome.classification),
            determination: Some(outcome.determination),
            assigned_to: assignee.as_deref(),
            updated,
        };
        alerts.push(alerts::build(gen, org, template, &place));
    }

    let severity = picks
        .iter()
        .map(|t| t.severity)
        .max_by_key(|s| SEVERITIES.iter().position(|x| x == s))
        .unwrap_or("medium");
    let body = json!({
        "@odata.type": "#microsoft.graph.security.incident",
        "id": id,
        "incidentWebUrl": format!("https://security.microsoft.com/incidents/{id}?tid={}", org.tenant_id),
        "redirectIncidentId": null,
        "displayName": display_name(&picks),
        "tenantId": org.tenant_id,
        "createdDateTime": format_time(created),
        "lastUpdateDateTime": format_time(updated),
        "assignedTo": assignee,
        "classification": outcome.classification,
        "determination": outcome.determination,
        "status": outcome.status,
        "severity": severity,
        "customTags": tags(gen),
        "systemTags": if gen.chance(0.1) { json!(["Defender Experts"]) } else { json!([]) },
        "comments": comments(gen, org, created, updated),
        "description": null,
        "summary": null,
        "lastModifiedBy": assignee.clone().unwrap_or_else(|| "Automation".into()),
        "priorityScore": gen.range(5, 95),
        "resolvingComment": (outcome.status == "resolved").then_some("Resolved by analyst after review."),
    });

    (body, alerts)
}

fn outcome(gen: &mut Gen) -> Outcome {
    let roll = gen.unit();
    if roll < 0.45 {
        return Outcome {
            status: "active",
            classification: "unknown",
            determination: "unknown",
        };
    }
    if roll < 0.62 {
        return Outcome {
            status: "inProgress",
            classification: "unknown",
            determination: "unknown",
        };
    }
    // awaitingAction is evolvable: clients only see it with the Prefer header.
    if roll < 0.67 {
        return Outcome {
            status: "awaitingAction",
            classification: "unknown",
            determination: "unknown",
        };
    }
    let (classification, determination) = *gen.pick(&[
        ("truePositive", "malware"),
        ("truePositive", "phishing"),
        ("truePositive", "compromisedAccount"),
        ("truePositive", "multiStagedAttack"),
        ("falsePositive", "notMalicious"),
        ("informationalExpectedActivity", "securityTesting"),
        ("informationalExpectedActivity", "lineOfBusinessApplication"),
    ]);
    Outcome {
        status: "resolved",
        classification,
        determination,
    }
}

fn display_name(picks: &[&Template]) -> String {
    if let [only] = picks {
        let scope = if only.service == "microsoftDefenderForEndpoint" {
            "on one endpoint"
        } else {
            "involving one user"
        };
        return format!("{} {scope}", only.title);
    }
    let mut tactics: Vec<&str> = picks.iter().map(|t| t.category).collect();
    tactics.dedup();
    if tactics.len() == 1 {
        return format!("{} incident involving multiple users", picks[0].title);
    }
    let words: Vec<String> = tactics.iter().take(3).map(|t| split_camel(t)).collect();
    format!("Multi-stage incident involving {}", words.join(" & "))
}

fn split_camel(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn tags(gen: &mut Gen) -> Value {
    let n = gen.range(0, 2) as usize;
    let mut tags: Vec<&str> = (0..n).map(|_| *gen.pick(CUSTOM_TAGS)).collect();
    tags.dedup();
    json!(tags)
}

fn comments(gen: &mut Gen, org: &Org, created: DateTime<Utc>, updated: DateTime<Utc>) -> Value {
    let n = gen.range(0, 2);
    let mut out: Vec<(DateTime<Utc>, Value)> = Vec::new();
    for _ in 0..n {
        let at = gen.after(created, 60, 3_600 * 6).min(updated);
        let by = gen.pick(org.assignees()).upn.clone();
        out.push((
            at,
            json!({
                "comment": *gen.pick(COMMENTS),
                "createdByDisplayName": by,
                "createdDateTime": format_time(at),
            }),
        ));
    }
    out.sort_by_key(|(at, _)| *at);
    Value::Array(out.into_iter().map(|(_, c)| c).collect())
}

fn standalone_alert(gen: &mut Gen, org: &Org, now: DateTime<Utc>, at: DateTime<Utc>) -> Value {
    let template = gen.pick(TEMPLATES);
    let updated = gen.after(at, 0, 86_400).min(now);
    let status = *gen.pick(&["new", "inProgress", "resolved"]);
    let place = Placement {
        incident_id: None,
        created: at,
        status,
        classification: Some("unknown"),
        determination: Some("unknown"),
        assigned_to: None,
        updated,
    };
    alerts::build(gen, org, template, &place)
}
