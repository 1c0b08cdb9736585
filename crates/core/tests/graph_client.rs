//! The Graph client against the Graph simulator over loopback: paging,
//! filters, retries, error classification, writes and sign-in, checked
//! against the simulator's own truth (`/_sim/state`) and request log.

use std::time::Duration;

use graph_sim::{FaultConfig, RunningSim, SimConfig};
use manage365_core::auth::{start_device_sign_in, Credential, Secret};
use manage365_core::gdap;
use manage365_core::graph::{Cloud, Error, GraphClient, GraphConfig};
use manage365_core::model::{
    Capability, Classification, Determination, IncidentStatus, IncidentUpdate, SkipReason,
};
use manage365_core::ErrorCode;
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn start(config: SimConfig) -> Result<RunningSim, Box<dyn std::error::Error>> {
    Ok(graph_sim::start(config, "127.0.0.1:0".parse()?).await?)
}

fn config_for(sim: &RunningSim) -> GraphConfig {
    let mut config = GraphConfig::for_cloud(Cloud::Custom {
        graph_url: sim.url(),
        login_url: sim.url(),
    });
    config.client_id = sim.client_id();
    config.partner_tenant = sim.partner_tenant();
    config.request_timeout = Duration::from_secs(10);
    config.backoff_base = Duration::from_millis(10);
    // Let the simulator's page size decide, so small worlds still page.
    config.page_size = None;
    config
}

fn client_for(sim: &RunningSim) -> GraphClient {
    let secret = Credential::ClientSecret(Secret::new(sim.client_secret()));
    GraphClient::new(config_for(sim), secret).expect("valid config")
}

async fn control(
    sim: &RunningSim,
    method: &str,
    path: &str,
    body: Value,
) -> Result<Value, reqwest::Error> {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", sim.url());
    let request = match method {
        "POST" => http.post(url).json(&body),
        "DELETE" => http.delete(url),
        _ => http.get(url),
    };
    let response = request.send().await?.error_for_status()?;
    Ok(response.json::<Value>().await.unwrap_or(Value::Null))
}

/// Tenants from the simulator's truth with the given security access
/// (`none`, `read`, `write`).
async fn tenants_with(sim: &RunningSim, access: &str) -> Result<Vec<Value>, reqwest::Error> {
    let state = control(sim, "GET", "/_sim/state", Value::Null).await?;
    let tenants = state["tenants"].as_array().cloned().unwrap_or_default();
    Ok(tenants
        .into_iter()
        .filter(|t| t["securityAccess"] == access)
        .collect())
}

async fn logged(
    sim: &RunningSim,
    method: &str,
    path_part: &str,
) -> Result<Vec<Value>, reqwest::Error> {
    let log = control(sim, "GET", "/_sim/requests", Value::Null).await?;
    let entries = log["value"].as_array().cloned().unwrap_or_default();
    Ok(entries
        .into_iter()
        .filter(|e| e["method"] == method && e["path"].as_str().unwrap_or("").contains(path_part))
        .collect())
}

fn id(tenant: &Value) -> String {
    tenant["tenantId"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn customers_carry_the_roles_that_decide_capability() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);

    let customers = client.customers().await?;

    let state = control(&sim, "GET", "/_sim/state", Value::Null).await?;
    for truth in state["tenants"].as_array().unwrap() {
        let customer = customers
            .iter()
            .find(|c| c.tenant_id == id(truth))
            .expect("listed");
        let expected = match truth["securityAccess"].as_str() {
            Some("write") => Capability::Manage,
            Some("read") => Capability::Read,
            _ => Capability::None,
        };
        assert_eq!(
            gdap::capability(&customer.roles),
            expected,
            "{}",
            customer.display_name
        );
    }
    Ok(())
}

#[tokio::test]
async fn incidents_are_read_across_every_page() -> TestResult {
    let sim = start(SimConfig {
        page_size: 5,
        incidents_per_tenant: 12,
        ..Default::default()
    })
    .await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "write").await?[0]);

    let incidents = client.list_incidents(&tenant, None).await?;

    assert_eq!(incidents.len(), 12, "all pages followed");
    assert!(incidents.iter().all(|i| i.incident.tenant_id == tenant));
    assert!(
        incidents.iter().any(|i| !i.alerts.is_empty()),
        "alerts expanded"
    );
    let pages = logged(&sim, "GET", "/v1.0/security/incidents").await?;
    assert!(
        pages.len() >= 3,
        "12 incidents in pages of 5 take 3 requests, saw {}",
        pages.len()
    );
    Ok(())
}

#[tokio::test]
async fn since_filter_is_sent_as_an_unquoted_utc_literal() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "read").await?[0]);
    let future = chrono::Utc::now() + chrono::Duration::days(365);

    let incidents = client.list_incidents(&tenant, Some(future)).await?;
    let alerts = client.list_alerts(&tenant, Some(future)).await?;

    assert!(
        incidents.is_empty() && alerts.is_empty(),
        "nothing updated in the future"
    );
    let sent = logged(&sim, "GET", "/v1.0/security/alerts_v2").await?;
    let query = sent[0]["query"].as_str().unwrap_or_default();
    assert!(query.contains("lastUpdateDateTime%20ge%20"), "{query}");
    assert!(
        query.ends_with('Z') || query.contains("Z&"),
        "UTC literal: {query}"
    );
    Ok(())
}

#[tokio::test]
async fn alerts_and_domains_match_the_simulator() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let truth = tenants_with(&sim, "read").await?.remove(0);

    let alerts = client.list_alerts(&id(&truth), None).await?;
    let domains = client.verified_domains(&id(&truth)).await?;

    let expected: usize = truth["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["alerts"].as_array().map_or(0, Vec::len))
        .sum::<usize>()
        + truth["standaloneAlerts"].as_array().map_or(0, Vec::len);
    assert_eq!(alerts.len(), expected);
    assert_eq!(json!(domains), truth["domains"]);
    Ok(())
}

#[tokio::test]
async fn secure_score_comes_newest_first_with_portal_links() -> TestResult {
    let sim = start(SimConfig {
        secure_score_days: 7,
        ..Default::default()
    })
    .await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "read").await?[0]);

    let score = client.recommendations(&tenant).await?;

    assert_eq!(score.snapshots.len(), 7);
    assert!(score
        .snapshots
        .windows(2)
        .all(|w| w[0].created_at >= w[1].created_at));
    assert!(!score.recommendations.is_empty());
    assert!(
        score
            .recommendations
            .iter()
            .any(|r| r.current_score.is_some()),
        "joined"
    );
    assert!(score.recommendations.iter().all(|r| r
        .portal_url
        .starts_with("https://security.microsoft.com/securescore?")));
    Ok(())
}

#[tokio::test]
async fn missing_security_roles_skip_the_tenant_until_granted() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "none").await?[0]);

    let refused = client.list_incidents(&tenant, None).await.unwrap_err();
    control(
        &sim,
        "POST",
        &format!("/_sim/tenants/{tenant}/grant-security-roles"),
        json!({}),
    )
    .await?;
    let granted = client.list_incidents(&tenant, None).await;

    assert_eq!(
        refused.skip_reason(),
        Some(SkipReason::MissingSecurityRoles),
        "{refused}"
    );
    assert!(granted.is_ok(), "after the grant: {granted:?}");
    Ok(())
}

#[tokio::test]
async fn an_unconsented_tenant_is_skipped_as_not_consented() -> TestResult {
    let sim = start(SimConfig {
        not_consented: 1,
        ..Default::default()
    })
    .await?;
    let client = client_for(&sim);
    let state = control(&sim, "GET", "/_sim/state", Value::Null).await?;
    let truth = state["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["consented"] == false);
    let tenant = id(truth.expect("one unconsented tenant"));

    let error = client.list_alerts(&tenant, None).await.unwrap_err();

    assert_eq!(
        error.skip_reason(),
        Some(SkipReason::NotConsented),
        "{error}"
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_client_secret_means_sign_in_again() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = GraphClient::new(
        config_for(&sim),
        Credential::ClientSecret(Secret::new("not-the-secret")),
    )?;

    let error = client.customers().await.unwrap_err();

    assert_eq!(error.code(), ErrorCode::AuthExpired, "{error}");
    assert!(!error.to_string().contains("not-the-secret"));
    Ok(())
}

#[tokio::test]
async fn update_sends_only_changed_fields_in_camel_case() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let truth = tenants_with(&sim, "write").await?.remove(0);
    let tenant = id(&truth);
    let incident_id = truth["incidents"][0]["id"].as_str().unwrap().to_string();
    let owner = format!("analyst@{}", truth["domains"][0].as_str().unwrap());
    let update = IncidentUpdate {
        status: Some(IncidentStatus::InProgress),
        classification: Some(Classification::TruePositive),
        determination: Some(Determination::Malware),
        assigned_to: Some(owner.clone()),
        comment: Some("kept out of the PATCH".into()),
    };

    let (exchange, result) = client.update_incident(&tenant, &incident_id, &update).await;

    let incident = result?;
    assert_eq!(incident.status, IncidentStatus::InProgress);
    assert_eq!(incident.assigned_to.as_deref(), Some(owner.as_str()));
    let expected = json!({"status": "inProgress", "classification": "truePositive",
                          "determination": "malware", "assignedTo": owner});
    let sent = logged(&sim, "PATCH", "/v1.0/security/incidents/").await?;
    assert_eq!(sent[0]["body"], expected);
    assert_eq!(exchange.request_body, Some(expected));
    assert_eq!(
        exchange.path,
        format!("/v1.0/security/incidents/{incident_id}")
    );
    assert_eq!(exchange.status, Some(200));
    assert!(exchange.request_id.is_some());
    Ok(())
}

#[tokio::test]
async fn a_comment_returns_the_whole_comment_list() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let truth = tenants_with(&sim, "write").await?.remove(0);
    let incident_id = truth["incidents"][0]["id"].as_str().unwrap().to_string();

    let (exchange, comments) = client
        .add_comment(&id(&truth), &incident_id, "checked")
        .await;

    assert!(comments?.iter().any(|c| c.comment == "checked"));
    assert_eq!(exchange.method, "POST");
    assert_eq!(exchange.request_body.unwrap()["comment"], "checked");
    Ok(())
}

#[tokio::test]
async fn a_refused_write_keeps_graphs_answer_for_the_audit() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "write").await?[0]);
    let update = IncidentUpdate {
        assigned_to: Some("x@elsewhere.example".into()),
        ..Default::default()
    };

    let incident_id = tenants_with(&sim, "write").await?[0]["incidents"][0]["id"].clone();
    let (exchange, result) = client
        .update_incident(&tenant, incident_id.as_str().unwrap(), &update)
        .await;

    let error = result.unwrap_err();
    assert!(matches!(error, Error::Api { status: 400, .. }), "{error}");
    assert_eq!(exchange.status, Some(400));
    assert!(exchange.response_body.unwrap()["error"]["code"].is_string());
    Ok(())
}

#[tokio::test]
async fn injected_503s_resets_and_truncations_are_retried() -> TestResult {
    let faults = FaultConfig {
        rate_503: 0.2,
        retry_after_503_secs: 0.05,
        rate_reset: 0.15,
        rate_truncate: 0.15,
        ..Default::default()
    };
    let sim = start(SimConfig {
        page_size: 4,
        faults,
        ..Default::default()
    })
    .await?;
    let mut config = config_for(&sim);
    config.max_retries = 10;
    let client = GraphClient::new(
        config,
        Credential::ClientSecret(Secret::new(sim.client_secret())),
    )?;
    let tenant = id(&tenants_with(&sim, "write").await?[0]);

    let incidents = client.list_incidents(&tenant, None).await?;

    assert_eq!(incidents.len(), SimConfig::default().incidents_per_tenant);
    let log = control(&sim, "GET", "/_sim/requests", Value::Null).await?;
    let statuses: Vec<u64> = log["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["status"].as_u64())
        .collect();
    assert!(
        statuses.contains(&503),
        "a 503 was injected and survived: {statuses:?}"
    );
    assert!(client.graph_requests() > 3, "retries were sent");
    Ok(())
}

#[tokio::test]
async fn an_exhausted_budget_is_reported_as_throttled_with_its_wait() -> TestResult {
    let sim = start(SimConfig {
        budget_per_minute: 1,
        ..Default::default()
    })
    .await?;
    let mut config = config_for(&sim);
    config.max_retries = 0;
    config.requests_per_minute = 0; // no pacing: provoke Graph's own limit
    let client = GraphClient::new(
        config,
        Credential::ClientSecret(Secret::new(sim.client_secret())),
    )?;
    let tenant = id(&tenants_with(&sim, "write").await?[0]);

    client.list_alerts(&tenant, None).await?;
    let error = client.list_alerts(&tenant, None).await.unwrap_err();

    match error {
        Error::Throttled {
            retry_after: Some(wait),
        } => {
            assert!(
                wait > Duration::from_secs(30),
                "Retry-After honoured: {wait:?}"
            )
        }
        other => panic!("expected throttled, got {other}"),
    }
    Ok(())
}

#[tokio::test]
async fn expired_tokens_are_replaced_without_the_caller_noticing() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "read").await?[0]);
    client.list_alerts(&tenant, None).await?;
    let tokens_before = client.token_requests();

    control(&sim, "POST", "/_sim/tokens/expire", json!({})).await?;
    client.list_alerts(&tenant, None).await?;

    assert_eq!(
        client.token_requests(),
        tokens_before + 1,
        "one new token after the 401"
    );
    Ok(())
}

#[tokio::test]
async fn tokens_are_cached_per_tenant() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "read").await?[0]);

    client.list_alerts(&tenant, None).await?;
    client.list_incidents(&tenant, None).await?;
    client.verified_domains(&tenant).await?;

    assert_eq!(client.token_requests(), 1);
    assert_eq!(client.request_count(), client.graph_requests() + 1);
    Ok(())
}

#[tokio::test]
async fn a_stopped_graph_is_reported_offline() -> TestResult {
    let sim = start(SimConfig::default()).await?;
    let client = client_for(&sim);
    let tenant = id(&tenants_with(&sim, "read").await?[0]);
    client.list_alerts(&tenant, None).await?;

    sim.shutdown().await;
    let error = client.list_alerts(&tenant, None).await.unwrap_err();

    assert_eq!(error.code(), ErrorCode::Offline, "{error}");
    Ok(())
}

#[tokio::test]
async fn device_sign_in_gives_a_refresh_token_that_works_per_tenant() -> TestResult {
    let sim = start(SimConfig {
        auto_approve_device_code: true,
        device_code_interval_secs: 1,
        ..Default::default()
    })
    .await?;
    let config = config_for(&sim);

    let pending = start_device_sign_in(&config).await?;
    assert!(!pending.user_code().is_empty());
    let refresh = pending.finish().await?;
    let client = GraphClient::new(config, Credential::RefreshToken(refresh))?;
    let customers = client.customers().await?;

    assert!(!customers.is_empty());
    let readable = customers
        .iter()
        .find(|c| gdap::capability(&c.roles).can_read())
        .unwrap();
    client.list_incidents(&readable.tenant_id, None).await?;
    Ok(())
}
