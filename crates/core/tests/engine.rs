//! The engine end to end against the Graph simulator over loopback: sync,
//! skips, re-opens, incremental pulls, updates, refusals and offline use.
//! Each test gets its own simulator on an ephemeral port and its own
//! SQLite file in a temporary folder.

use std::path::Path;

use graph_sim::{RunningSim, SimConfig};
use manage365_core::auth::{Credential, Secret};
use manage365_core::graph::{GraphClient, GraphConfig};
use manage365_core::model::{
    Capability, Classification, Determination, IncidentStatus, IncidentUpdate,
};
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use manage365_core::views::{IncidentRow, PortfolioQuery};
use manage365_core::ErrorCode;
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn simulator(tenants: usize, without_roles: usize) -> RunningSim {
    let config = SimConfig {
        tenants,
        without_security_roles: without_roles,
        seed: 11,
        ..SimConfig::default()
    };
    graph_sim::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator starts")
}

fn desk_for(sim: &RunningSim, dir: &Path) -> Desk {
    let desk = Desk::open(dir, "test").expect("cache opens");
    let config = GraphConfig {
        graph_url: sim.url(),
        login_url: sim.url(),
        client_id: sim.client_id(),
        partner_tenant: sim.partner_tenant(),
        ..GraphConfig::default()
    };
    let credential = Credential::ClientSecret(Secret::new(sim.client_secret()));
    desk.connect(Some(
        GraphClient::new(config, credential).expect("client builds"),
    ));
    desk
}

async fn sim_get(sim: &RunningSim, path: &str) -> Value {
    reqwest::get(format!("{}{path}", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn sim_post(sim: &RunningSim, path: &str) -> reqwest::StatusCode {
    let client = reqwest::Client::new();
    client
        .post(format!("{}{path}", sim.url()))
        .send()
        .await
        .unwrap()
        .status()
}

/// Requests the simulator logged, optionally only one method.
async fn logged(sim: &RunningSim, method: &str) -> Vec<Value> {
    let log = sim_get(sim, "/_sim/requests").await;
    log["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["method"].as_str() == Some(method))
        .collect()
}

async fn clear_log(sim: &RunningSim) {
    let client = reqwest::Client::new();
    client
        .delete(format!("{}/_sim/requests", sim.url()))
        .send()
        .await
        .unwrap();
}

async fn all_rows(desk: &Desk) -> Vec<IncidentRow> {
    let query = PortfolioQuery {
        limit: 10_000,
        ..PortfolioQuery::default()
    };
    desk.portfolio(query).await.expect("portfolio reads").items
}

async fn first_with_status(desk: &Desk, status: IncidentStatus) -> IncidentRow {
    let query = PortfolioQuery {
        status: vec![status],
        limit: 1,
        ..PortfolioQuery::default()
    };
    desk.portfolio(query)
        .await
        .unwrap()
        .items
        .into_iter()
        .next()
        .expect("such an incident")
}

/// An active incident in a tenant whose GDAP roles allow updates.
async fn active_in_manageable_tenant(desk: &Desk) -> IncidentRow {
    let tenants = desk.tenants().await.unwrap();
    let rows = all_rows(desk).await;
    rows.into_iter()
        .find(|r| {
            r.status == IncidentStatus::Active
                && tenants
                    .iter()
                    .any(|t| t.tenant_id == r.tenant_id && t.capability == Capability::Manage)
        })
        .expect("an active incident in a manageable tenant")
}

#[tokio::test]
async fn first_sync_caches_every_incident_of_tenants_with_security_roles() -> TestResult {
    let sim = simulator(5, 2).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());

    let run = desk.sync_once(Trigger::Manual).await?;
    let page = desk
        .portfolio(PortfolioQuery {
            limit: 10_000,
            ..Default::default()
        })
        .await?;

    assert_eq!(run.tenants_ok, 3, "three tenants grant the Security roles");
    assert_eq!(
        run.tenants_skipped, 2,
        "two do not, and are skipped rather than failed"
    );
    assert_eq!(page.skipped.len(), 2);
    assert!(page
        .skipped
        .iter()
        .all(|s| s.label == "skipped: missing Security roles"));
    let state = sim_get(&sim, "/_sim/state").await;
    let expected: usize = state["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["securityAccess"] != "none" && t["consented"] == true)
        .map(|t| t["incidents"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        page.total as usize, expected,
        "every incident of the readable tenants"
    );
    let created: Vec<_> = page.items.iter().map(|r| r.created_at).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    Ok(())
}

#[tokio::test]
async fn reopen_raises_one_local_alert_across_two_syncs() -> TestResult {
    let sim = simulator(3, 0).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    let resolved = first_with_status(&desk, IncidentStatus::Resolved).await;

    let path = format!(
        "/_sim/tenants/{}/incidents/{}/reopen",
        resolved.tenant_id, resolved.id
    );
    assert!(sim_post(&sim, &path).await.is_success());
    desk.sync_once(Trigger::Manual).await?;
    desk.sync_once(Trigger::Manual).await?;

    let alerts = desk.local_alerts(true).await?;
    let key = format!("defender.incident.reopen.{}", resolved.id);
    assert_eq!(
        alerts.iter().filter(|a| a.dedupe_key == key).count(),
        1,
        "raised exactly once"
    );
    let detail = desk
        .incident_detail(&resolved.tenant_id, &resolved.id)
        .await?;
    assert_eq!(detail.incident.status, IncidentStatus::Active);
    Ok(())
}

#[tokio::test]
async fn granting_security_roles_unskips_the_tenant_on_the_next_sync() -> TestResult {
    let sim = simulator(3, 1).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    let skipped = desk.health().await?.skipped;
    assert_eq!(skipped.len(), 1);

    let grant = format!(
        "/_sim/tenants/{}/grant-security-roles",
        skipped[0].tenant_id
    );
    assert!(sim_post(&sim, &grant).await.is_success());
    let run = desk.sync_once(Trigger::Manual).await?;

    assert_eq!(run.tenants_skipped, 0);
    assert!(
        desk.health().await?.skipped.is_empty(),
        "no tenant is skipped any more"
    );
    let rows = all_rows(&desk).await;
    assert!(
        rows.iter().any(|r| r.tenant_id == skipped[0].tenant_id),
        "its incidents arrive"
    );
    Ok(())
}

#[tokio::test]
async fn second_sync_pulls_incrementally_by_last_update() -> TestResult {
    let sim = simulator(2, 0).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    clear_log(&sim).await;

    desk.sync_once(Trigger::Manual).await?;

    let incident_pulls: Vec<String> = logged(&sim, "GET")
        .await
        .into_iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/security/incidents"))
        })
        .map(|r| r["query"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(incident_pulls.len(), 2, "one incidents pull per tenant");
    for query in incident_pulls {
        let decoded = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "$filter")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        assert!(
            decoded.starts_with("lastUpdateDateTime ge "),
            "incremental filter: {decoded}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn update_patches_graph_in_camel_case_and_refreshes_the_cache() -> TestResult {
    let sim = simulator(3, 0).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    let tenant = desk
        .tenants()
        .await?
        .into_iter()
        .find(|t| t.capability == Capability::Manage)
        .expect("a tenant we may manage");
    let target = desk
        .tenant_incidents(&tenant.tenant_id, PortfolioQuery::default())
        .await?
        .items
        .into_iter()
        .find(|r| r.status == IncidentStatus::Active)
        .expect("an active incident");
    let upn = format!("sec-lead@{}", tenant.domains[0]);
    clear_log(&sim).await;

    let update = IncidentUpdate {
        status: Some(IncidentStatus::Resolved),
        classification: Some(Classification::TruePositive),
        determination: Some(Determination::Phishing),
        assigned_to: Some(upn.clone()),
        comment: None,
    };
    let detail = desk
        .update_incident(&tenant.tenant_id, &target.id, update)
        .await?;

    let patches = logged(&sim, "PATCH").await;
    assert_eq!(patches.len(), 1, "exactly one PATCH");
    let body = &patches[0]["body"];
    let body: Value = match body {
        Value::String(text) => serde_json::from_str(text)?,
        other => other.clone(),
    };
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["classification"], "truePositive");
    assert_eq!(body["determination"], "phishing");
    assert_eq!(body["assignedTo"], upn.as_str());
    assert_eq!(
        detail.incident.status,
        IncidentStatus::Resolved,
        "the cache shows it at once"
    );
    let audit = desk
        .audit(Some(tenant.tenant_id.clone()), Some(target.id.clone()), 10)
        .await?;
    let entry = audit
        .iter()
        .find(|e| e.method == "PATCH")
        .expect("the PATCH is audited");
    assert_eq!(entry.status, Some(200));
    assert!(entry.request_id.is_some(), "Microsoft's request id is kept");
    assert!(entry.response_body.is_some(), "Microsoft's answer is kept");
    Ok(())
}

#[tokio::test]
async fn refused_updates_send_nothing() -> TestResult {
    let sim = simulator(3, 0).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    let active = active_in_manageable_tenant(&desk).await;
    clear_log(&sim).await;

    let classify_active = IncidentUpdate {
        classification: Some(Classification::TruePositive),
        ..Default::default()
    };
    let foreign_owner = IncidentUpdate {
        assigned_to: Some("tech@msp.example".into()),
        ..Default::default()
    };
    let first = desk
        .update_incident(&active.tenant_id, &active.id, classify_active)
        .await;
    let second = desk
        .update_incident(&active.tenant_id, &active.id, foreign_owner)
        .await;
    let elsewhere = desk
        .update_incident(
            "00000000-0000-0000-0000-000000000000",
            &active.id,
            Default::default(),
        )
        .await;

    assert_eq!(first.unwrap_err().field(), Some("classification"));
    assert_eq!(second.unwrap_err().field(), Some("assignedTo"));
    assert_eq!(elsewhere.unwrap_err().code(), ErrorCode::NotFound);
    assert!(
        logged(&sim, "PATCH").await.is_empty(),
        "nothing reached Graph"
    );
    assert!(logged(&sim, "POST").await.iter().all(|r| {
        r["path"]
            .as_str()
            .is_some_and(|p| !p.contains("/security/"))
    }));
    Ok(())
}

#[tokio::test]
async fn a_stopped_graph_leaves_the_cache_browsable_and_reports_offline() -> TestResult {
    let sim = simulator(2, 0).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    let before = all_rows(&desk).await;

    sim.shutdown().await;
    let failed = desk.sync_once(Trigger::Manual).await;

    assert_eq!(failed.unwrap_err().code(), ErrorCode::Offline);
    assert_eq!(
        all_rows(&desk).await,
        before,
        "the cache still answers, unchanged"
    );
    assert!(desk.health().await?.scheduler.offline);
    Ok(())
}

#[tokio::test]
async fn a_steady_tick_rereads_gdap_assignments_only_where_they_can_change_access() -> TestResult {
    let sim = simulator(4, 1).await;
    let dir = tempfile::tempdir()?;
    let desk = desk_for(&sim, dir.path());
    desk.sync_once(Trigger::Manual).await?;
    let assignment_reads = |log: Vec<Value>| {
        log.iter()
            .filter(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("/accessAssignments"))
            })
            .count()
    };
    clear_log(&sim).await;

    desk.sync_once(Trigger::Manual).await?;
    let steady = assignment_reads(logged(&sim, "GET").await);
    let readable = desk
        .tenants()
        .await?
        .into_iter()
        .find(|t| t.capability.can_read())
        .unwrap();
    let revoke = format!("/_sim/tenants/{}/revoke-security-roles", readable.tenant_id);
    assert!(sim_post(&sim, &revoke).await.is_success());
    clear_log(&sim).await;
    desk.sync_once(Trigger::Manual).await?;
    let after_revoke = assignment_reads(logged(&sim, "GET").await);

    assert_eq!(
        steady, 1,
        "only the skipped tenant's assignments are read again"
    );
    assert_eq!(after_revoke, 2, "a changed relationship is read again too");
    let skipped = desk.health().await?.skipped;
    assert!(
        skipped.iter().any(|s| s.tenant_id == readable.tenant_id),
        "the revoke applies"
    );
    Ok(())
}
