//! Token grants and their AADSTS errors, and token binding on Graph calls.

use graph_sim::SimConfig;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{small_config, Harness, TestResult};

const SCOPE: &str = "https://graph.microsoft.com/.default";

#[tokio::test]
async fn client_credentials_grant_returns_a_bearer_token_without_refresh_token() -> TestResult {
    let h = Harness::small().await?;
    let tenant = h.tenants_with("write").await?[0].clone();
    let (id, secret) = (h.sim.client_id(), h.sim.client_secret());

    let answer = h
        .identity(
            &tenant,
            "token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", SCOPE),
            ],
        )
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["token_type"], "Bearer");
    assert!(
        answer.body["expires_in"].as_u64().is_some()
            && answer.body["ext_expires_in"].as_u64().is_some()
    );
    assert!(answer.body["access_token"]
        .as_str()
        .is_some_and(|t| t.len() > 20));
    assert!(
        answer.body.get("refresh_token").is_none(),
        "client credentials carry no refresh token"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_tenant_wrong_secret_and_missing_consent_get_aadsts_errors() -> TestResult {
    let h = Harness::start(SimConfig {
        not_consented: 1,
        ..small_config()
    })
    .await?;
    let truth = h.truth().await?;
    let unconsented = truth["tenants"]
        .as_array()
        .ok_or("tenants")?
        .iter()
        .find(|t| t["consented"] == false)
        .ok_or("no unconsented tenant")?["tenantId"]
        .as_str()
        .ok_or("id")?
        .to_string();
    let managed = h.tenants_with("write").await?[0].clone();
    let id = h.sim.client_id();
    let form = |secret: &'static str| {
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", id.clone()),
            ("client_secret", secret.to_string()),
            ("scope", SCOPE.to_string()),
        ]
    };

    let unknown = h
        .identity_owned("00000000-0000-0000-0000-0000000000ff", &form("s"))
        .await?;
    let wrong = h.identity_owned(&managed, &form("wrong")).await?;
    let consent = h.app_token_error(&unconsented).await?;

    assert_eq!(
        (unknown.status, unknown.body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    assert_eq!(unknown.body["error_codes"][0], 90002);
    assert!(unknown.body["error_description"]
        .as_str()
        .is_some_and(|d| d.starts_with("AADSTS90002:")));
    for key in ["trace_id", "correlation_id", "timestamp"] {
        assert!(unknown.body[key].is_string(), "{key} present");
    }
    assert_eq!(
        (wrong.status, wrong.body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    assert_eq!(wrong.body["error_codes"][0], 7000215);
    assert_eq!(
        (consent.status, consent.body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
    assert_eq!(consent.body["error_codes"][0], 700016);
    Ok(())
}

impl Harness {
    async fn identity_owned(
        &self,
        tenant: &str,
        form: &[(&'static str, String)],
    ) -> TestResult<crate::common::Answer> {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.identity(tenant, "token", &pairs).await
    }

    async fn app_token_error(&self, tenant: &str) -> TestResult<crate::common::Answer> {
        let (id, secret) = (self.sim.client_id(), self.sim.client_secret());
        self.identity(
            tenant,
            "token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", SCOPE),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn device_code_is_pending_until_approved_and_its_refresh_token_reaches_a_customer(
) -> TestResult {
    let h = Harness::small().await?;
    let partner = h.sim.partner_tenant();
    let id = h.sim.client_id();
    let code = h
        .identity(
            &partner,
            "devicecode",
            &[
                ("client_id", &id),
                (
                    "scope",
                    "https://graph.microsoft.com/.default offline_access",
                ),
            ],
        )
        .await?;
    let device_code = code.body["device_code"]
        .as_str()
        .ok_or("device_code")?
        .to_string();
    let user_code = code.body["user_code"]
        .as_str()
        .ok_or("user_code")?
        .to_string();
    let poll = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", id.as_str()),
        ("device_code", device_code.as_str()),
    ];

    let pending = h.identity(&partner, "token", &poll).await?;
    h.control(&format!("/devicecode/{user_code}/approve"), &json!({}))
        .await?;
    let approved = h.identity(&partner, "token", &poll).await?;
    let refresh = approved.body["refresh_token"]
        .as_str()
        .ok_or("refresh_token")?
        .to_string();
    let customer = h.tenants_with("write").await?[0].clone();
    let exchanged = h
        .identity(
            &customer,
            "token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("refresh_token", &refresh),
                ("scope", SCOPE),
            ],
        )
        .await?;
    let token = exchanged.body["access_token"]
        .as_str()
        .ok_or("access_token")?;
    let incidents = h.get(token, "/v1.0/security/incidents").await?;

    assert!(
        code.body["verification_uri"].is_string()
            && code.body["interval"].is_u64()
            && code.body["message"].is_string()
    );
    assert_eq!(
        (pending.status, pending.body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("authorization_pending"))
    );
    assert_eq!(approved.status, StatusCode::OK);
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.body);
    assert!(exchanged.body["refresh_token"].is_string());
    assert_eq!(incidents.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn auto_approved_device_code_succeeds_on_the_second_poll() -> TestResult {
    let h = Harness::start(SimConfig {
        auto_approve_device_code: true,
        ..small_config()
    })
    .await?;
    let id = h.sim.client_id();
    let code = h
        .identity(
            "organizations",
            "devicecode",
            &[("client_id", &id), ("scope", SCOPE)],
        )
        .await?;
    let device_code = code.body["device_code"]
        .as_str()
        .ok_or("device_code")?
        .to_string();
    let poll = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", id.as_str()),
        ("device_code", device_code.as_str()),
    ];

    let first = h.identity("organizations", "token", &poll).await?;
    let second = h.identity(&h.sim.partner_tenant(), "token", &poll).await?;

    assert_eq!(first.body["error"], "authorization_pending");
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body["refresh_token"].is_string());
    Ok(())
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_get_401_invalid_authentication_token() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;

    let missing = h.get("", "/v1.0/security/incidents").await?;
    let unknown = h.get("not-a-token", "/v1.0/security/incidents").await?;
    h.control("/tokens/expire", &json!({})).await?;
    let expired = h.get(&token, "/v1.0/security/incidents").await?;

    for answer in [missing, unknown, expired] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.body["error"]["code"], "InvalidAuthenticationToken");
        assert!(answer.body["error"]["innerError"]["request-id"].is_string());
    }
    Ok(())
}

#[tokio::test]
async fn a_token_used_on_another_tenants_incident_is_rejected_with_401() -> TestResult {
    let h = Harness::small().await?;
    let managed = h.tenants_with("write").await?;
    let token_a = h.app_token(&managed[0]).await?;
    let token_b = h.app_token(&managed[1]).await?;
    let own_b = h.get(&token_b, "/v1.0/security/incidents?$top=50").await?;
    let own_a = h.get(&token_a, "/v1.0/security/incidents?$top=50").await?;
    let ids_a: Vec<&str> = own_a.body["value"]
        .as_array()
        .ok_or("value")?
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    let foreign = own_b.body["value"]
        .as_array()
        .ok_or("value")?
        .iter()
        .filter_map(|i| i["id"].as_str())
        .find(|id| !ids_a.contains(id))
        .ok_or("no distinct id")?;

    let answer = h
        .get(&token_a, &format!("/v1.0/security/incidents/{foreign}"))
        .await?;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body["error"]["code"], "InvalidAuthenticationToken");
    Ok(())
}

#[tokio::test]
async fn token_endpoint_down_switch_answers_503_until_switched_off() -> TestResult {
    let h = Harness::small().await?;
    let tenant = h.tenants_with("write").await?[0].clone();

    h.control("/faults", &json!({"tokenEndpointDown": true}))
        .await?;
    let down = h.app_token_error(&tenant).await?;
    h.control("/faults", &json!({"tokenEndpointDown": false}))
        .await?;
    let up = h.app_token_error(&tenant).await?;

    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.body["error"], "temporarily_unavailable");
    assert_eq!(up.status, StatusCode::OK);
    Ok(())
}
