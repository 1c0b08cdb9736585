//! Tenants loaded from a fixtures directory are served as written.

use graph_sim::SimConfig;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{small_config, Harness, TestResult};

const TENANT: &str = "4fdbff88-9d6b-42e0-9713-45c922ba8001";

fn write_fixtures() -> TestResult<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("graph-sim-fixtures-{}", std::process::id()));
    let tenant = dir.join(TENANT);
    std::fs::create_dir_all(&tenant)?;
    let settings = json!({"displayName": "Contoso Inc", "domains": ["contoso.com", "contoso.onmicrosoft.com"]});
    let alert = json!({"@odata.type": "#microsoft.graph.security.alert", "id": "da637578995287051192_756343937",
        "incidentId": "2972395", "status": "new", "severity": "low", "serviceSource": "microsoftDefenderForEndpoint",
        "title": "Suspicious execution of hidden file", "lastUpdateDateTime": "2021-05-02T14:19:01.3266667Z",
        "createdDateTime": "2021-04-27T12:19:27.7211305Z", "evidence": []});
    let incident = json!({"@odata.type": "#microsoft.graph.security.incident", "id": "2972395",
        "displayName": "Multi-stage incident", "tenantId": TENANT, "status": "awaitingAction", "severity": "medium",
        "createdDateTime": "2021-08-13T08:43:35.5533333Z", "lastUpdateDateTime": "2021-09-30T09:35:45.1133333Z",
        "customTags": ["Demo"], "comments": [], "alerts": [alert]});
    std::fs::write(tenant.join("tenant.json"), settings.to_string())?;
    std::fs::write(
        tenant.join("incidents.json"),
        json!({"value": [incident]}).to_string(),
    )?;
    Ok(dir)
}

#[tokio::test]
async fn fixture_tenant_bodies_are_served_as_written() -> TestResult {
    let dir = write_fixtures()?;
    let h = Harness::start(SimConfig {
        tenants: 1,
        without_security_roles: 0,
        read_only: 0,
        fixtures: Some(dir.clone()),
        ..small_config()
    })
    .await?;
    let token = h.app_token(TENANT).await?;

    let list = h
        .get_with(
            &token,
            "/v1.0/security/incidents?$expand=alerts",
            &[("Prefer", "include-unknown-enum-members")],
        )
        .await?;
    let plain = h.get(&token, "/v1.0/security/incidents/2972395").await?;
    let alerts = h.get(&token, "/v1.0/security/alerts_v2").await?;
    let by_domain = h.app_token("contoso.onmicrosoft.com").await;
    std::fs::remove_dir_all(&dir)?;

    assert_eq!(list.status, StatusCode::OK);
    let incident = &list.body["value"][0];
    assert_eq!(incident["displayName"], "Multi-stage incident");
    assert_eq!(incident["status"], "awaitingAction");
    assert_eq!(
        incident["alerts"][0]["id"],
        "da637578995287051192_756343937"
    );
    assert_eq!(
        plain.body["status"], "unknownFutureValue",
        "evolvable member hidden without Prefer"
    );
    assert_eq!(alerts.body["value"].as_array().map(Vec::len), Some(1));
    assert!(
        by_domain.is_ok(),
        "a verified domain names the tenant on the token endpoint"
    );
    Ok(())
}
