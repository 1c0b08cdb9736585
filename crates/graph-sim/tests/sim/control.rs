//! The `/_sim/` control API: re-open, new incidents, touch, request log,
//! state, and shutdown.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Harness, TestResult};

#[tokio::test]
async fn reopen_turns_a_resolved_incident_active_with_a_new_alert() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token) = h.managed().await?;
    let resolved = h
        .all_pages(
            &token,
            "/v1.0/security/incidents?$filter=status eq 'resolved'&$expand=alerts",
            &[],
        )
        .await?;
    let incident = resolved.first().ok_or("a resolved incident")?;
    let id = incident["id"].as_str().ok_or("id")?;
    let alerts_before = incident["alerts"].as_array().map(Vec::len).unwrap_or(0);

    let reopened = h
        .control(
            &format!("/tenants/{tenant}/incidents/{id}/reopen"),
            &json!({}),
        )
        .await?;
    let after = h
        .get(
            &token,
            &format!("/v1.0/security/incidents/{id}?$expand=alerts"),
        )
        .await?;
    let since = incident["lastUpdateDateTime"].as_str().ok_or("stamp")?;
    let changed = h
        .all_pages(
            &token,
            &format!("/v1.0/security/incidents?$filter=lastUpdateDateTime ge {since}"),
            &[],
        )
        .await?;

    assert_eq!(reopened.status, StatusCode::OK);
    assert_eq!(after.body["status"], "active");
    assert_eq!(
        after.body["alerts"].as_array().map(Vec::len),
        Some(alerts_before + 1)
    );
    assert!(after.body["lastUpdateDateTime"].as_str() > incident["lastUpdateDateTime"].as_str());
    assert!(
        changed.iter().any(|i| i["id"] == id),
        "an incremental pull sees the re-opened incident"
    );
    Ok(())
}

#[tokio::test]
async fn a_new_incident_arrives_at_the_top_of_the_list() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token) = h.managed().await?;

    let created = h
        .control(
            &format!("/tenants/{tenant}/incidents"),
            &json!({"severity": "high", "title": "Sim arrival"}),
        )
        .await?;
    let top = h.get(&token, "/v1.0/security/incidents?$top=1").await?;

    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["severity"], "high");
    assert_eq!(top.body["value"][0]["id"], created.body["id"]);
    assert_eq!(top.body["value"][0]["displayName"], "Sim arrival");
    assert_eq!(top.body["value"][0]["status"], "active");
    Ok(())
}

#[tokio::test]
async fn touch_changes_the_requested_fraction_of_incidents() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, _) = h.managed().await?;

    let touched = h
        .control(
            &format!("/tenants/{tenant}/touch"),
            &json!({"fraction": 0.25}),
        )
        .await?;
    let everywhere = h.control("/touch", &json!({"fraction": 0.1})).await?;

    assert_eq!(touched.body["touched"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        everywhere.body["touched"].as_object().map(|m| m.len()),
        Some(4)
    );
    Ok(())
}

#[tokio::test]
async fn request_log_records_requests_with_masked_secrets_and_can_be_cleared() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token) = h.managed().await?;
    h.get(&token, "/v1.0/security/incidents?$top=2").await?;
    let url = format!("{}/_sim/requests", h.sim.url());

    let log: Value = h.http.get(&url).send().await?.json().await?;
    let cleared = h.http.delete(&url).send().await?.status();
    let after: Value = h.http.get(&url).send().await?.json().await?;

    let entries = log["value"].as_array().ok_or("value")?;
    let token_request = entries
        .iter()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with("/token")))
        .ok_or("token entry")?;
    assert_eq!(token_request["body"]["client_secret"], "***");
    let list = entries
        .iter()
        .find(|e| e["path"] == "/v1.0/security/incidents")
        .ok_or("list entry")?;
    assert_eq!(
        (list["method"].as_str(), list["query"].as_str()),
        (Some("GET"), Some("$top=2"))
    );
    assert_eq!(list["tenant"], tenant.as_str());
    assert_eq!(list["status"], 200);
    assert!(list["time"].is_string());
    assert_eq!(cleared, StatusCode::NO_CONTENT);
    assert_eq!(after["value"].as_array().map(Vec::len), Some(0));
    Ok(())
}

#[tokio::test]
async fn state_reports_roles_domains_and_recommendations() -> TestResult {
    let h = Harness::small().await?;

    let truth = h.truth().await?;

    let tenants = truth["tenants"].as_array().ok_or("tenants")?;
    assert_eq!(tenants.len(), 4);
    let first = &tenants[0];
    assert_eq!(first["displayName"], "Contoso Health");
    assert_eq!(first["domains"][0], "contosohealth.com.au");
    assert!(first["domains"].as_array().is_some_and(|d| d
        .iter()
        .any(|x| x.as_str().is_some_and(|s| s.ends_with(".onmicrosoft.com")))));
    assert!(first["recommendations"]
        .as_array()
        .is_some_and(|r| r.len() > 10));
    assert_eq!(
        tenants
            .iter()
            .filter(|t| t["securityAccess"] == "none")
            .count(),
        1
    );
    Ok(())
}

#[tokio::test]
async fn shutdown_closes_the_port() -> TestResult {
    let h = Harness::small().await?;
    let addr = h.sim.addr();

    h.sim.shutdown().await;

    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "port closed after shutdown"
    );
    Ok(())
}
