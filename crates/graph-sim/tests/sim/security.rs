//! Security paths: paging, filters, expand, PATCH, comments, roles,
//! throttling, the Prefer header and Graph's response headers.

use graph_sim::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{small_config, Harness, TestResult};

const PREFER: (&str, &str) = ("Prefer", "include-unknown-enum-members");

#[tokio::test]
async fn incidents_page_by_next_link_with_top_skip_and_count() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;

    let first = h
        .get(&token, "/v1.0/security/incidents?$top=4&$count=true")
        .await?;
    let all = h
        .all_pages(&token, "/v1.0/security/incidents?$top=4", &[PREFER])
        .await?;
    let skipped = h
        .get(&token, "/v1.0/security/incidents?$top=3&$skip=2")
        .await?;
    let default_page = h.get(&token, "/v1.0/security/incidents").await?;

    assert_eq!(first.body["@odata.count"], 12);
    assert_eq!(first.body["value"].as_array().map(Vec::len), Some(4));
    let next = first.body["@odata.nextLink"].as_str().ok_or("nextLink")?;
    assert!(
        next.starts_with(&format!("{}/v1.0/security/incidents?", h.sim.url())),
        "absolute nextLink on this server: {next}"
    );
    assert_eq!(all.len(), 12);
    let ids: Vec<&Value> = all.iter().map(|i| &i["id"]).collect();
    assert_eq!(
        skipped.body["value"][0]["id"], *ids[2],
        "$skip=2 starts at the third incident"
    );
    assert_eq!(
        default_page.body["value"].as_array().map(Vec::len),
        Some(5),
        "page size knob applies without $top"
    );
    let created: Vec<&str> = all
        .iter()
        .filter_map(|i| i["createdDateTime"].as_str())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    Ok(())
}

#[tokio::test]
async fn last_update_filter_returns_only_incidents_updated_since() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;
    let all = h.all_pages(&token, "/v1.0/security/incidents", &[]).await?;
    let mut stamps: Vec<&str> = all
        .iter()
        .filter_map(|i| i["lastUpdateDateTime"].as_str())
        .collect();
    stamps.sort();
    let cut = stamps[stamps.len() / 2];
    let cut_second = &cut[..19];

    let path = format!("/v1.0/security/incidents?$filter=lastUpdateDateTime ge {cut_second}Z");
    let filtered = h.all_pages(&token, &path, &[]).await?;
    let combined = h
        .all_pages(
            &token,
            &format!("{path} and severity eq 'high' and status eq 'active'"),
            &[],
        )
        .await?;
    let quoted = h
        .get(
            &token,
            &format!("/v1.0/security/incidents?$filter=lastUpdateDateTime ge '{cut_second}Z'"),
        )
        .await?;

    let expected = stamps.iter().filter(|s| &s[..19] >= cut_second).count();
    assert_eq!(filtered.len(), expected);
    assert!(filtered.iter().all(|i| i["lastUpdateDateTime"]
        .as_str()
        .is_some_and(|s| &s[..19] >= cut_second)));
    assert!(combined
        .iter()
        .all(|i| i["severity"] == "high" && i["status"] == "active"));
    assert_eq!(
        quoted.status,
        StatusCode::BAD_REQUEST,
        "a quoted timestamp is a string, not a DateTimeOffset"
    );
    assert_eq!(quoted.body["error"]["code"], "BadRequest");
    Ok(())
}

#[tokio::test]
async fn expand_alerts_attaches_the_incidents_alerts() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token) = h.managed().await?;

    let list = h
        .get(&token, "/v1.0/security/incidents?$expand=alerts&$top=3")
        .await?;
    let plain = h.get(&token, "/v1.0/security/incidents?$top=3").await?;
    let id = list.body["value"][0]["id"].as_str().ok_or("id")?;
    let one = h
        .get(
            &token,
            &format!("/v1.0/security/incidents/{id}?$expand=alerts"),
        )
        .await?;
    let truth = h.truth().await?;

    assert!(plain.body["value"][0].get("alerts").is_none());
    for incident in list.body["value"].as_array().ok_or("value")? {
        let alerts = incident["alerts"].as_array().ok_or("alerts expanded")?;
        assert!(!alerts.is_empty());
        assert!(alerts.iter().all(|a| a["incidentId"] == incident["id"]));
    }
    assert_eq!(one.body["alerts"], list.body["value"][0]["alerts"]);
    let t = truth["tenants"]
        .as_array()
        .ok_or("tenants")?
        .iter()
        .find(|t| t["tenantId"] == tenant.as_str())
        .ok_or("tenant")?;
    assert!(
        t["standaloneAlerts"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "some alerts have no incident"
    );
    Ok(())
}

#[tokio::test]
async fn patch_answers_200_with_the_full_incident_and_moves_last_update() -> TestResult {
    let h = Harness::small().await?;
    let (tenant, token) = h.managed().await?;
    let truth = h.truth().await?;
    let domain = truth["tenants"]
        .as_array()
        .ok_or("tenants")?
        .iter()
        .find(|t| t["tenantId"] == tenant.as_str())
        .ok_or("tenant")?["domains"][0]
        .as_str()
        .ok_or("domain")?
        .to_string();
    let before = h.get(&token, "/v1.0/security/incidents?$top=1").await?.body["value"][0].clone();
    let id = before["id"].as_str().ok_or("id")?;

    let body = json!({"assignedTo": format!("secops@{domain}"), "classification": "truePositive",
        "determination": "malware", "status": "resolved", "customTags": ["Demo"]});
    let patched = h
        .send(
            Method::PATCH,
            &token,
            &format!("/v1.0/security/incidents/{id}"),
            &body,
        )
        .await?;

    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    for (key, value) in body.as_object().ok_or("object")? {
        assert_eq!(&patched.body[key], value, "{key} updated");
    }
    assert_eq!(
        patched.body["displayName"], before["displayName"],
        "full incident returned"
    );
    assert!(patched.body["lastUpdateDateTime"].as_str() > before["lastUpdateDateTime"].as_str());
    assert!(patched.body["@odata.context"].is_string());
    Ok(())
}

#[tokio::test]
async fn patch_refuses_foreign_assignee_bad_enum_and_read_only_property() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;
    let id = h.get(&token, "/v1.0/security/incidents?$top=1").await?.body["value"][0]["id"]
        .as_str()
        .ok_or("id")?
        .to_string();
    let path = format!("/v1.0/security/incidents/{id}");

    let foreign = h
        .send(
            Method::PATCH,
            &token,
            &path,
            &json!({"assignedTo": "eve@evil.example"}),
        )
        .await?;
    let bad_enum = h
        .send(Method::PATCH, &token, &path, &json!({"status": "closed"}))
        .await?;
    let read_only = h
        .send(Method::PATCH, &token, &path, &json!({"severity": "low"}))
        .await?;

    for answer in [foreign, bad_enum, read_only] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(answer.body["error"]["code"], "BadRequest");
        assert!(answer.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    Ok(())
}

#[tokio::test]
async fn posting_a_comment_returns_the_whole_comment_collection() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;
    let incident = h.get(&token, "/v1.0/security/incidents?$top=1").await?.body["value"][0].clone();
    let id = incident["id"].as_str().ok_or("id")?;
    let before = incident["comments"].as_array().map(Vec::len).unwrap_or(0);

    let body = json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": "Isolated the device"});
    let answer = h
        .send(
            Method::POST,
            &token,
            &format!("/v1.0/security/incidents/{id}/comments"),
            &body,
        )
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    let comments = answer.body["value"].as_array().ok_or("value")?;
    assert_eq!(comments.len(), before + 1);
    assert_eq!(comments[before]["comment"], "Isolated the device");
    assert!(
        comments[before]["createdDateTime"].is_string()
            && comments[before]["createdByDisplayName"].is_string()
    );
    Ok(())
}

#[tokio::test]
async fn tenant_without_security_roles_gets_403_until_roles_are_granted() -> TestResult {
    let h = Harness::small().await?;
    let tenant = h.tenants_with("none").await?[0].clone();
    let token = h.app_token(&tenant).await?;

    let denied = h.get(&token, "/v1.0/security/incidents").await?;
    h.control(
        &format!("/tenants/{tenant}/grant-security-roles"),
        &json!({}),
    )
    .await?;
    let granted = h.get(&token, "/v1.0/security/incidents").await?;
    h.control(
        &format!("/tenants/{tenant}/revoke-security-roles"),
        &json!({}),
    )
    .await?;
    let revoked = h.get(&token, "/v1.0/security/secureScores").await?;

    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.body["error"]["code"], "Forbidden");
    assert!(denied.body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Missing application roles")));
    assert!(denied.body["error"]["innerError"]["date"].is_string());
    assert_eq!(granted.status, StatusCode::OK);
    assert_eq!(revoked.status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn gdap_roles_follow_grant_and_revoke() -> TestResult {
    let h = Harness::small().await?;
    let tenant = h.tenants_with("none").await?[0].clone();
    let partner = h.app_token(&h.sim.partner_tenant()).await?;
    let roles_of = |body: &Value| -> Vec<String> {
        body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["customer"]["tenantId"] == tenant.as_str())
            .flat_map(|r| {
                r["accessDetails"]["unifiedRoles"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|r| r["roleDefinitionId"].as_str().map(String::from))
            .collect()
    };
    let path =
        "/v1.0/tenantRelationships/delegatedAdminRelationships?$filter=status eq 'active'&$top=300";

    let before = h.get(&partner, path).await?;
    h.control(
        &format!("/tenants/{tenant}/grant-security-roles"),
        &json!({}),
    )
    .await?;
    let after = h.get(&partner, path).await?;

    assert!(!roles_of(&before.body).contains(&graph_sim::SECURITY_OPERATOR.to_string()));
    assert!(roles_of(&after.body).contains(&graph_sim::SECURITY_OPERATOR.to_string()));
    assert!(after.body["value"]
        .as_array()
        .ok_or("value")?
        .iter()
        .all(|r| r["status"] == "active"));
    Ok(())
}

#[tokio::test]
async fn read_only_tenant_reads_but_cannot_patch_or_comment() -> TestResult {
    let h = Harness::small().await?;
    let tenant = h.tenants_with("read").await?[0].clone();
    let token = h.app_token(&tenant).await?;

    let list = h.get(&token, "/v1.0/security/incidents?$top=1").await?;
    let id = list.body["value"][0]["id"].as_str().ok_or("id")?;
    let patch = h
        .send(
            Method::PATCH,
            &token,
            &format!("/v1.0/security/incidents/{id}"),
            &json!({"status": "active"}),
        )
        .await?;
    let comment = h
        .send(
            Method::POST,
            &token,
            &format!("/v1.0/security/incidents/{id}/comments"),
            &json!({"comment": "x"}),
        )
        .await?;

    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    assert_eq!(comment.status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn spent_budget_answers_429_with_fractional_retry_after() -> TestResult {
    let h = Harness::start(SimConfig {
        budget_per_minute: 3,
        ..small_config()
    })
    .await?;
    let (_, token) = h.managed().await?;

    for _ in 0..3 {
        assert_eq!(
            h.get(&token, "/v1.0/security/alerts_v2?$top=1")
                .await?
                .status,
            StatusCode::OK
        );
    }
    let throttled = h.get(&token, "/v1.0/security/incidents").await?;

    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let retry = throttled
        .headers
        .get("retry-after")
        .ok_or("Retry-After")?
        .to_str()?;
    let seconds: f64 = retry.parse()?;
    assert!(seconds > 0.0 && seconds <= 60.0, "retry after {retry}");
    assert_eq!(throttled.body["error"]["code"], "TooManyRequests");
    assert_eq!(throttled.body["error"]["innerError"]["code"], "429");
    Ok(())
}

#[tokio::test]
async fn evolvable_enum_members_are_sent_only_with_the_prefer_header() -> TestResult {
    let h = Harness::start(SimConfig {
        incidents_per_tenant: 60,
        ..small_config()
    })
    .await?;
    let (_, token) = h.managed().await?;
    let path = "/v1.0/security/incidents?$expand=alerts&$top=60";

    let plain = h.get(&token, path).await?.body.to_string();
    let preferred = h.get_with(&token, path, &[PREFER]).await?.body.to_string();

    assert!(
        preferred.contains("\"awaitingAction\"")
            || preferred.contains("\"microsoftSentinel\"")
            || preferred.contains("\"pendingApproval\"")
    );
    for member in [
        "\"awaitingAction\"",
        "\"microsoftSentinel\"",
        "\"microsoftDefenderForCloud\"",
        "\"scheduledAlerts\"",
        "\"pendingApproval\"",
    ] {
        assert!(!plain.contains(member), "{member} hidden without Prefer");
    }
    assert!(plain.contains("unknownFutureValue"));
    Ok(())
}

#[tokio::test]
async fn responses_carry_request_ids_and_graphs_content_type() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;

    let echoed = h
        .get_with(
            &token,
            "/v1.0/security/secureScores?$top=1",
            &[("client-request-id", "abc-123")],
        )
        .await?;
    let error = h.get(&token, "/v1.0/security/nope").await?;

    assert_eq!(echoed.headers["client-request-id"], "abc-123");
    assert!(echoed.headers.contains_key("request-id"));
    assert_eq!(echoed.headers["content-type"], "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8");
    assert_eq!(echoed.body["value"].as_array().map(Vec::len), Some(1));
    assert!(echoed.body["@odata.context"].is_string());
    assert!(error.status.is_client_error());
    assert_eq!(
        error.body["error"]["innerError"]["request-id"],
        error.headers["request-id"].to_str()?
    );
    Ok(())
}

#[tokio::test]
async fn alerts_v2_filter_and_get_by_id_agree() -> TestResult {
    let h = Harness::small().await?;
    let (_, token) = h.managed().await?;

    let new_alerts = h
        .all_pages(
            &token,
            "/v1.0/security/alerts_v2?$filter=status eq 'new'&$top=7",
            &[],
        )
        .await?;
    let all = h.all_pages(&token, "/v1.0/security/alerts_v2", &[]).await?;
    let id = all[0]["id"].as_str().ok_or("id")?;
    let one = h
        .get(&token, &format!("/v1.0/security/alerts_v2/{id}"))
        .await?;

    assert!(new_alerts.iter().all(|a| a["status"] == "new"));
    assert_eq!(
        new_alerts.len(),
        all.iter().filter(|a| a["status"] == "new").count()
    );
    assert_eq!(one.body["title"], all[0]["title"]);
    assert!(
        all.iter().any(|a| a["incidentId"].is_null()),
        "standalone alerts are listed"
    );
    Ok(())
}
