//! Suite 6, boundaries: updates the analyst may not make are refused
//! locally and send nothing at all (no token request either): a tenant
//! without manage capability, an owner outside the tenant's verified
//! domains (including look-alikes), an incident named under another
//! tenant, and read-only mode.

use graph_sim::SimConfig;
use manage365_core::model::{IncidentStatus, IncidentUpdate};
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use serde_json::Value;

use crate::support::{self, Control};

fn owner(upn: &str) -> IncidentUpdate {
    IncidentUpdate {
        assigned_to: Some(upn.to_string()),
        ..Default::default()
    }
}

fn resolve() -> IncidentUpdate {
    IncidentUpdate {
        status: Some(IncidentStatus::Resolved),
        ..Default::default()
    }
}

fn first_incident(tenant: &Value) -> String {
    tenant["incidents"][0]["id"].as_str().unwrap().to_string()
}

/// Owners that are not users of the tenant, however they are dressed up.
fn foreign_owners(domain: &str) -> Vec<String> {
    vec![
        "tech@msp.example".into(),
        format!("x@{domain}.evil.example"),
        format!("x@sub.{domain}"),
        format!("x@evil.example@{domain}"),
        format!("x\u{0}@{domain}"),
        format!("x\u{202e}@{domain}"),
        format!("x@{}", domain.replacen('o', "\u{43e}", 1)),
        format!("@{domain}"),
        "no-at-sign".into(),
    ]
}

/// Every attempt: (what, tenant, incident, update).
fn attempts(truth: &Value) -> Vec<(String, String, String, IncidentUpdate)> {
    let tenants = truth["tenants"].as_array().unwrap();
    let by_access = |a: &str| tenants.iter().find(|t| t["securityAccess"] == a).unwrap();
    let (write, read, none) = (by_access("write"), by_access("read"), by_access("none"));
    let id = |t: &Value| t["tenantId"].as_str().unwrap().to_string();
    let domain = write["domains"][0].as_str().unwrap();
    let mut list = vec![
        (
            "read-only tenant".into(),
            id(read),
            first_incident(read),
            resolve(),
        ),
        (
            "tenant without roles".into(),
            id(none),
            first_incident(write),
            resolve(),
        ),
        (
            "unknown tenant".into(),
            "00000000-0000-4000-8000-000000000000".into(),
            first_incident(write),
            resolve(),
        ),
    ];
    let other = write["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .find(|i| {
            !read["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == i.as_str())
        })
        .expect("an incident id only the writable tenant has");
    list.push((
        "incident of another tenant".into(),
        id(read),
        other.clone(),
        resolve(),
    ));
    let others: Vec<&Value> = tenants
        .iter()
        .filter(|t| t["securityAccess"] == "write" && t["tenantId"] != write["tenantId"])
        .collect();
    if let Some(second) = others.first() {
        let foreign = second["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .find(|i| {
                !write["incidents"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| w["id"] == i.as_str())
            });
        if let Some(foreign) = foreign {
            list.push((
                "manageable tenant, other tenant's incident".into(),
                id(write),
                foreign,
                resolve(),
            ));
        }
    }
    for upn in foreign_owners(domain) {
        list.push((
            format!("owner {upn:?}"),
            id(write),
            first_incident(write),
            owner(&upn),
        ));
    }
    list
}

async fn refused(
    desk: &Desk,
    attempts: &[(String, String, String, IncidentUpdate)],
) -> Vec<String> {
    let mut accepted = Vec::new();
    for (what, tenant, incident, update) in attempts {
        if desk
            .update_incident(tenant, incident, update.clone())
            .await
            .is_ok()
        {
            accepted.push(what.clone());
        }
    }
    accepted
}

#[tokio::test]
async fn updates_outside_the_analysts_reach_are_refused_with_nothing_sent() {
    let config = SimConfig {
        tenants: support::size(5, 10),
        without_security_roles: 1,
        read_only: 1,
        seed: 61,
        ..SimConfig::default()
    };
    let sim = support::simulator(config).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = support::desk_for(&sim.url(), dir.path());
    let control = Control::new(&sim.url());
    desk.sync_once(Trigger::Manual).await.unwrap();
    let truth = control.state().await;
    let mut list = attempts(&truth);
    control.clear_requests().await;
    let sent_before = desk.client().unwrap().request_count();

    let mut accepted = refused(&desk, &list).await;
    let mut settings = desk.settings();
    settings.read_only = true;
    desk.save_settings(settings).await.unwrap();
    let write = support::writable(&truth);
    let read_only = (
        "read-only mode".to_string(),
        write["tenantId"].as_str().unwrap().to_string(),
        first_incident(&write),
        resolve(),
    );
    accepted.extend(refused(&desk, std::slice::from_ref(&read_only)).await);
    list.push(read_only);

    let requests = control.requests().await.len() as u64
        + (desk.client().unwrap().request_count() - sent_before);
    support::figures(
        "boundaries",
        &[
            ("attempts", list.len().to_string()),
            ("refused", (list.len() - accepted.len()).to_string()),
            ("requests", requests.to_string()),
        ],
    );
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
    assert_eq!(requests, 0, "nothing reached Graph or the token endpoint");
}
