//! The consistency checker: the cache, as the services show it, against
//! the simulator's truth (`/_sim/state`), item by item. An item is an
//! incident, an alert under it, or a standalone alert; it counts as lost
//! when it is missing from the cache or differs in a field the analyst
//! decides on (status, severity, classification, owner, title, update
//! time, comments).

use chrono::{DateTime, Utc};
use manage365_core::graph::wire::WireEnum;
use manage365_core::model::{AlertStatus, Classification, IncidentStatus, Severity};
use manage365_core::service::Desk;
use manage365_core::views::PortfolioQuery;
use serde_json::Value;

use crate::support::readable;

/// What the checker found for one tenant.
#[derive(Debug)]
pub struct TenantDiff {
    /// The tenant.
    pub tenant_id: String,
    /// Items compared.
    pub items: usize,
    /// One line per lost or differing item.
    pub problems: Vec<String>,
}

/// Compares every readable tenant of `truth` with the cache.
pub async fn compare(desk: &Desk, truth: &Value) -> Vec<TenantDiff> {
    let mut diffs = Vec::new();
    for tenant in readable(truth) {
        diffs.push(compare_tenant(desk, &tenant).await);
    }
    diffs
}

/// Items lost over all tenants.
pub fn lost(diffs: &[TenantDiff]) -> usize {
    diffs.iter().map(|d| d.problems.len()).sum()
}

/// Items compared over all tenants.
pub fn items(diffs: &[TenantDiff]) -> usize {
    diffs.iter().map(|d| d.items).sum()
}

fn time(raw: &Value) -> Option<DateTime<Utc>> {
    raw.as_str()
        .and_then(manage365_core::graph::wire::parse_timestamp)
}

async fn compare_tenant(desk: &Desk, tenant: &Value) -> TenantDiff {
    let id = tenant["tenantId"].as_str().unwrap_or_default().to_string();
    let truth_incidents = tenant["incidents"].as_array().cloned().unwrap_or_default();
    let standalone = tenant["standaloneAlerts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut diff = TenantDiff {
        tenant_id: id.clone(),
        items: 0,
        problems: Vec::new(),
    };

    let query = PortfolioQuery {
        limit: 100_000,
        ..PortfolioQuery::default()
    };
    let cached: Vec<String> = match desk.tenant_incidents(&id, query).await {
        Ok(page) => page.items.into_iter().map(|r| r.id).collect(),
        Err(_) => Vec::new(),
    };
    for incident in &truth_incidents {
        compare_incident(desk, &id, incident, &cached, &mut diff).await;
    }
    for extra in cached
        .iter()
        .filter(|c| !truth_incidents.iter().any(|t| t["id"] == **c))
    {
        diff.problems
            .push(format!("incident {extra} is cached but not in Graph"));
    }

    let alerts = desk
        .tenant_alerts(&id, None)
        .await
        .map(|a| a.standalone)
        .unwrap_or_default();
    for alert in &standalone {
        diff.items += 1;
        let found = alerts.iter().find(|a| alert["id"] == a.id.as_str());
        match found {
            None => diff
                .problems
                .push(format!("standalone alert {} missing", alert["id"])),
            Some(a)
                if a.status != AlertStatus::from_wire(alert["status"].as_str().unwrap_or("")) =>
            {
                diff.problems
                    .push(format!("standalone alert {} status differs", a.id))
            }
            Some(_) => {}
        }
    }
    diff
}

async fn compare_incident(
    desk: &Desk,
    tenant: &str,
    truth: &Value,
    cached: &[String],
    diff: &mut TenantDiff,
) {
    let id = truth["id"].as_str().unwrap_or_default();
    let truth_alerts = truth["alerts"].as_array().cloned().unwrap_or_default();
    diff.items += 1 + truth_alerts.len();
    if !cached.iter().any(|c| c == id) {
        diff.problems.push(format!("incident {id} missing"));
        diff.problems.extend(
            truth_alerts
                .iter()
                .map(|a| format!("alert {} missing", a["id"])),
        );
        return;
    }
    let Ok(detail) = desk.incident_detail(tenant, id).await else {
        diff.problems
            .push(format!("incident {id} listed but its detail fails"));
        return;
    };
    let incident = &detail.incident;
    let text = |k: &str| truth[k].as_str().unwrap_or_default().to_string();
    let checks = [
        (
            "status",
            incident.status == IncidentStatus::from_wire(&text("status")),
        ),
        (
            "severity",
            incident.severity == Severity::from_wire(&text("severity")),
        ),
        (
            "classification",
            incident.classification.as_ref()
                == truth["classification"]
                    .as_str()
                    .map(Classification::from_wire)
                    .as_ref(),
        ),
        (
            "assignedTo",
            incident.assigned_to.as_deref() == truth["assignedTo"].as_str(),
        ),
        ("displayName", incident.display_name == text("displayName")),
        (
            "lastUpdateDateTime",
            Some(incident.last_update_at) == time(&truth["lastUpdateDateTime"]),
        ),
        (
            "comments",
            incident.comments.len() == truth["comments"].as_array().map_or(0, Vec::len),
        ),
    ];
    for (field, same) in checks {
        if !same {
            diff.problems.push(format!("incident {id} {field} differs"));
        }
    }
    for alert in &truth_alerts {
        let found = detail.alerts.iter().find(|a| alert["id"] == a.id.as_str());
        let status = AlertStatus::from_wire(alert["status"].as_str().unwrap_or(""));
        match found {
            None => diff
                .problems
                .push(format!("alert {} of incident {id} missing", alert["id"])),
            Some(a) if a.status != status => {
                diff.problems.push(format!("alert {} status differs", a.id))
            }
            Some(_) => {}
        }
    }
}
