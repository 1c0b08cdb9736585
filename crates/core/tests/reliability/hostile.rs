//! Suite 4, hostile content (engine side): graph-sim puts the shared
//! payload corpus (`tests/hostile/payloads.json`) into every text field
//! the UI shows; after a sync every such field must come back from the
//! services byte for byte as Graph sent it, and every payload must be
//! seen verbatim somewhere. The desktop part (rendering in the webview,
//! IPC) reuses the same corpus later.

use std::collections::BTreeSet;
use std::path::PathBuf;

use graph_sim::SimConfig;
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use manage365_core::views::PortfolioQuery;
use serde_json::Value;

use crate::support;

/// The shared corpus at the repository root.
pub fn corpus() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile/payloads.json");
    graph_sim::hostile::load(&path).expect("the payload corpus loads")
}

/// Compares shown fields and remembers which payloads came back.
#[derive(Default)]
struct Tally {
    fields: usize,
    mangled: Vec<String>,
    seen: BTreeSet<String>,
}

impl Tally {
    fn check(&mut self, what: &str, shown: Option<&str>, sent: &Value) {
        let Some(sent) = sent.as_str() else { return };
        self.fields += 1;
        match shown {
            Some(shown) if shown == sent => {
                self.seen.insert(shown.to_string());
            }
            other => self
                .mangled
                .push(format!("{what}: sent {sent:?}, shown {other:?}")),
        }
    }
}

async fn check_incident(desk: &Desk, tenant: &str, truth: &Value, tally: &mut Tally) {
    let id = truth["id"].as_str().unwrap();
    let detail = desk
        .incident_detail(tenant, id)
        .await
        .expect("incident is cached");
    let i = &detail.incident;
    tally.check(
        "incident title",
        Some(&i.display_name),
        &truth["displayName"],
    );
    tally.check(
        "incident description",
        i.description.as_deref(),
        &truth["description"],
    );
    tally.check(
        "incident owner",
        i.assigned_to.as_deref(),
        &truth["assignedTo"],
    );
    tally.check(
        "incident link",
        i.web_url.as_deref(),
        &truth["incidentWebUrl"],
    );
    tally.check(
        "portfolio title",
        Some(&detail.row.display_name),
        &truth["displayName"],
    );
    for (n, tag) in truth["customTags"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        tally.check(
            "incident tag",
            i.custom_tags.get(n).map(String::as_str),
            tag,
        );
    }
    for (n, comment) in truth["comments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let shown = i.comments.get(n);
        tally.check(
            "comment",
            shown.map(|c| c.comment.as_str()),
            &comment["comment"],
        );
        let by = shown.and_then(|c| c.created_by.as_deref());
        tally.check("comment author", by, &comment["createdByDisplayName"]);
    }
    for alert in truth["alerts"].as_array().into_iter().flatten() {
        let shown = detail.alerts.iter().find(|a| alert["id"] == a.id.as_str());
        let Some(a) = shown else {
            tally.mangled.push(format!("alert {} missing", alert["id"]));
            continue;
        };
        tally.check("alert title", Some(&a.title), &alert["title"]);
        tally.check(
            "alert description",
            a.description.as_deref(),
            &alert["description"],
        );
        tally.check("alert category", a.category.as_deref(), &alert["category"]);
        tally.check(
            "alert owner",
            a.assigned_to.as_deref(),
            &alert["assignedTo"],
        );
        tally.check(
            "alert advice",
            a.recommended_actions.as_deref(),
            &alert["recommendedActions"],
        );
        tally.check("alert link", a.web_url.as_deref(), &alert["alertWebUrl"]);
        check_evidence(a, alert, tally);
    }
}

/// Evidence keeps its raw JSON exactly, and its label is one of the raw
/// strings (or the registry `hive\key` pair), never an altered copy.
fn check_evidence(alert: &manage365_core::model::Alert, truth: &Value, tally: &mut Tally) {
    let sent = truth["evidence"].as_array().cloned().unwrap_or_default();
    for (n, raw) in sent.iter().enumerate() {
        tally.fields += 1;
        let Some(shown) = alert.evidence.get(n) else {
            tally
                .mangled
                .push(format!("evidence {n} of alert {} missing", alert.id));
            continue;
        };
        if serde_json::from_str::<Value>(shown.raw.get()).ok().as_ref() != Some(raw) {
            tally
                .mangled
                .push(format!("evidence {n} of alert {} raw differs", alert.id));
        }
        let mut strings = Vec::new();
        collect_strings(raw, &mut strings);
        if !shown.label.is_empty() && !strings.contains(&shown.label) && !shown.label.contains('\\')
        {
            tally.mangled.push(format!(
                "evidence label {:?} is not a sent value",
                shown.label
            ));
        } else if strings.contains(&shown.label) {
            tally.seen.insert(shown.label.clone());
        }
        tally.seen.extend(strings);
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

async fn check_tenant(desk: &Desk, truth: &Value, tally: &mut Tally) {
    let id = truth["tenantId"].as_str().unwrap();
    let tenants = desk.tenants().await.unwrap();
    let summary = tenants
        .iter()
        .find(|t| t.tenant_id == id)
        .map(|t| t.tenant_name.as_str());
    tally.check("tenant name", summary, &truth["displayName"]);
    let query = PortfolioQuery {
        limit: 100_000,
        ..PortfolioQuery::default()
    };
    let rows = desk.tenant_incidents(id, query).await.unwrap().items;
    for row in &rows {
        tally.check(
            "portfolio tenant name",
            Some(&row.tenant_name),
            &truth["displayName"],
        );
    }
    for incident in truth["incidents"].as_array().into_iter().flatten() {
        check_incident(desk, id, incident, tally).await;
    }
    let recommendations = desk.tenant_recommendations(id).await.unwrap().items;
    for profile in truth["recommendations"].as_array().into_iter().flatten() {
        let shown = recommendations
            .iter()
            .find(|r| profile["id"] == r.id.as_str());
        tally.check(
            "recommendation title",
            shown.map(|r| r.title.as_str()),
            &profile["title"],
        );
        let remediation = shown.and_then(|r| r.remediation.as_deref());
        tally.check("recommendation text", remediation, &profile["remediation"]);
        let link = shown.and_then(|r| r.action_url.as_deref());
        tally.check("recommendation link", link, &profile["actionUrl"]);
    }
}

#[tokio::test]
async fn every_hostile_payload_is_stored_and_returned_byte_for_byte() {
    let payloads = corpus();
    let config = SimConfig {
        tenants: support::size(3, 8),
        without_security_roles: 0,
        hostile_payloads: payloads.clone(),
        seed: 41,
        ..SimConfig::default()
    };
    let sim = support::simulator(config).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = support::desk_for(&sim.url(), dir.path());
    let control = support::Control::new(&sim.url());

    let run = desk
        .sync_once(Trigger::Manual)
        .await
        .expect("sync with hostile text works");
    assert_eq!(run.tenants_failed, 0, "{run:?}");
    let mut tally = Tally::default();
    for tenant in support::readable(&control.state().await) {
        check_tenant(&desk, &tenant, &mut tally).await;
    }

    let missing: Vec<&String> = payloads
        .iter()
        .filter(|p| !tally.seen.contains(*p))
        .collect();
    support::figures(
        "hostile",
        &[
            ("payloads", payloads.len().to_string()),
            ("fields", tally.fields.to_string()),
            ("verbatim", (tally.fields - tally.mangled.len()).to_string()),
            ("mangled", tally.mangled.len().to_string()),
            ("unseen", missing.len().to_string()),
        ],
    );
    assert!(
        tally.mangled.is_empty(),
        "mangled: {:?}",
        &tally.mangled[..tally.mangled.len().min(5)]
    );
    assert!(missing.is_empty(), "payloads never shown: {missing:?}");
}
