//! Fault injection switched at runtime through `/_sim/faults`.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Harness, TestResult};

#[tokio::test]
async fn injected_503_carries_retry_after_and_stops_when_switched_off() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;

    let set = h
        .control(
            "/faults",
            &json!({"rate503": 1.0, "retryAfter503Secs": 1.5}),
        )
        .await?;
    let failed = h.get(&token, "/v1.0/security/incidents").await?;
    h.control("/faults", &json!({"rate503": 0.0})).await?;
    let healthy = h.get(&token, "/v1.0/security/incidents").await?;

    assert_eq!(set.body["rate503"], 1.0);
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(failed.headers["retry-after"], "1.5");
    assert!(failed.body["error"]["code"].is_string());
    assert_eq!(healthy.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn connection_reset_and_truncated_body_fail_at_the_transport() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;
    let url = format!("{}/v1.0/security/incidents", h.sim.url());

    h.control("/faults", &json!({"rateReset": 1.0})).await?;
    let reset = h.http.get(&url).bearer_auth(&token).send().await;
    h.control("/faults", &json!({"rateReset": 0.0, "rateTruncate": 1.0}))
        .await?;
    let truncated = match h.http.get(&url).bearer_auth(&token).send().await {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    h.control("/faults", &json!({"rateTruncate": 0.0})).await?;
    let healthy = h.http.get(&url).bearer_auth(&token).send().await?;

    assert!(reset.is_err(), "reset connection gives a transport error");
    assert!(truncated.is_err(), "truncated body gives a transport error");
    assert_eq!(healthy.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn unknown_fault_fields_and_bad_rates_are_refused() -> TestResult {
    let h = Harness::small().await?;

    let typo = h.control("/faults", &json!({"rate_503": 1.0})).await?;
    let range = h.control("/faults", &json!({"rateSlow": 2.0})).await?;

    assert_eq!(typo.status, StatusCode::BAD_REQUEST);
    assert_eq!(range.status, StatusCode::BAD_REQUEST);
    Ok(())
}
