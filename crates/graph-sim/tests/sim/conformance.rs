//! Schema conformance: every body the simulator serves on the documented
//! paths validates against the shared v1.0 schema subset, and the
//! validator itself fails on wrong names, types and enum members.

use std::collections::BTreeSet;

use graph_sim::SimConfig;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{small_config, Harness, TestResult};
use crate::schema::Schema;

const INCIDENT: &str = "microsoft.graph.security.incident";
const ALERT: &str = "microsoft.graph.security.alert";
const ERROR: &str = "microsoft.graph.publicErrorResponse";
const PREFER: (&str, &str) = ("Prefer", "include-unknown-enum-members");

/// Evidence subtypes the generator produces; all must be seen and valid.
const EVIDENCE: &[&str] = &[
    "userEvidence",
    "deviceEvidence",
    "ipEvidence",
    "fileEvidence",
    "processEvidence",
    "mailboxEvidence",
    "analyzedMessageEvidence",
    "urlEvidence",
    "registryKeyEvidence",
    "registryValueEvidence",
    "cloudApplicationEvidence",
    "oauthApplicationEvidence",
    "mailClusterEvidence",
    "securityGroupEvidence",
    "cloudLogonSessionEvidence",
    "fileHashEvidence",
];

fn assert_valid(errors: Vec<String>, what: &str) {
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{}",
        errors.join("\n")
    );
}

fn evidence_types(incidents: &[Value]) -> BTreeSet<String> {
    incidents
        .iter()
        .flat_map(|i| i["alerts"].as_array().cloned().unwrap_or_default())
        .flat_map(|a| a["evidence"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| {
            e["@odata.type"].as_str().map(|t| {
                t.trim_start_matches("#microsoft.graph.security.")
                    .to_string()
            })
        })
        .collect()
}

#[tokio::test]
async fn security_bodies_match_the_schema_with_and_without_prefer() -> TestResult {
    let Some(schema) = Schema::load() else {
        return Ok(());
    };
    let h = Harness::start(SimConfig {
        incidents_per_tenant: 40,
        alerts_per_incident: (1, 5),
        ..small_config()
    })
    .await?;
    let (_, token) = h.managed().await?;

    for (headers, evolvable) in [(vec![], false), (vec![PREFER], true)] {
        let pages = h
            .all_pages(
                &token,
                "/v1.0/security/incidents?$expand=alerts&$top=7&$count=true",
                &headers,
            )
            .await?;
        let first = h
            .get_with(
                &token,
                "/v1.0/security/incidents?$expand=alerts&$count=true",
                &headers,
            )
            .await?;
        assert_valid(
            schema.check_list(&first.body, INCIDENT, evolvable),
            "incident list page",
        );
        for incident in &pages {
            assert_valid(
                schema.check(incident, INCIDENT, evolvable),
                "expanded incident",
            );
        }
        let seen = evidence_types(&pages);
        for kind in EVIDENCE {
            assert!(
                seen.contains(*kind),
                "{kind} generated and validated (seen {seen:?})"
            );
        }
        let id = pages[0]["id"].as_str().ok_or("id")?;
        let one = h
            .get_with(
                &token,
                &format!("/v1.0/security/incidents/{id}?$expand=alerts"),
                &headers,
            )
            .await?;
        assert_valid(schema.check(&one.body, INCIDENT, evolvable), "incident get");

        let alerts = h
            .get_with(&token, "/v1.0/security/alerts_v2?$top=500", &headers)
            .await?;
        assert_valid(
            schema.check_list(&alerts.body, ALERT, evolvable),
            "alerts_v2 list",
        );
        let alert_id = alerts.body["value"][0]["id"].as_str().ok_or("alert id")?;
        let alert = h
            .get_with(
                &token,
                &format!("/v1.0/security/alerts_v2/{alert_id}"),
                &headers,
            )
            .await?;
        assert_valid(schema.check(&alert.body, ALERT, evolvable), "alert get");
    }
    Ok(())
}

#[tokio::test]
async fn scores_gdap_organization_and_write_bodies_match_the_schema() -> TestResult {
    let Some(schema) = Schema::load() else {
        return Ok(());
    };
    let h = Harness::small().await?;
    let (tenant, token) = h.managed().await?;
    let partner = h.app_token(&h.sim.partner_tenant()).await?;
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

    let lists = [
        (
            &token,
            "/v1.0/security/secureScores",
            "microsoft.graph.secureScore",
        ),
        (
            &token,
            "/v1.0/security/secureScoreControlProfiles",
            "microsoft.graph.secureScoreControlProfile",
        ),
        (&token, "/v1.0/organization", "microsoft.graph.organization"),
        (
            &partner,
            "/v1.0/organization",
            "microsoft.graph.organization",
        ),
        (
            &partner,
            "/v1.0/tenantRelationships/delegatedAdminCustomers",
            "microsoft.graph.delegatedAdminCustomer",
        ),
        (
            &partner,
            "/v1.0/tenantRelationships/delegatedAdminRelationships",
            "microsoft.graph.delegatedAdminRelationship",
        ),
    ];
    for (tok, path, ty) in lists {
        let answer = h.get(tok, path).await?;
        assert_valid(schema.check_list(&answer.body, ty, false), path);
    }
    let relationships = h
        .all_pages(
            &partner,
            "/v1.0/tenantRelationships/delegatedAdminRelationships",
            &[],
        )
        .await?;
    for r in &relationships {
        let id = r["id"].as_str().ok_or("id")?;
        let answer = h
            .get(
                &partner,
                &format!(
                    "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments"
                ),
            )
            .await?;
        assert_valid(
            schema.check_list(
                &answer.body,
                "microsoft.graph.delegatedAdminAccessAssignment",
                false,
            ),
            "accessAssignments",
        );
    }

    let id = h.get(&token, "/v1.0/security/incidents?$top=1").await?.body["value"][0]["id"]
        .as_str()
        .ok_or("id")?
        .to_string();
    let patch = json!({"assignedTo": format!("soc@{domain}"), "status": "inProgress", "classification": "truePositive", "determination": "phishing"});
    let patched = h
        .send(
            Method::PATCH,
            &token,
            &format!("/v1.0/security/incidents/{id}"),
            &patch,
        )
        .await?;
    assert_valid(
        schema.check(&patched.body, INCIDENT, false),
        "PATCH response",
    );
    let comment =
        json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": "checked"});
    let comments = h
        .send(
            Method::POST,
            &token,
            &format!("/v1.0/security/incidents/{id}/comments"),
            &comment,
        )
        .await?;
    assert_valid(
        schema.check_list(
            &comments.body,
            "microsoft.graph.security.alertComment",
            false,
        ),
        "comments response",
    );
    Ok(())
}

#[tokio::test]
async fn error_bodies_match_the_public_error_response() -> TestResult {
    let Some(schema) = Schema::load() else {
        return Ok(());
    };
    let h = Harness::start(SimConfig {
        budget_per_minute: 1,
        ..small_config()
    })
    .await?;
    let (_, token) = h.managed().await?;
    let no_roles = h.app_token(&h.tenants_with("none").await?[0]).await?;

    let mut errors = vec![
        h.get("bogus", "/v1.0/security/incidents").await?,
        h.get(&no_roles, "/v1.0/security/incidents").await?,
        h.get(&token, "/v1.0/security/incidents/999999999").await?,
        h.get(&token, "/v1.0/security/incidents?$filter=title eq 'x'")
            .await?,
    ];
    h.get(&token, "/v1.0/security/alerts_v2?$top=1").await?;
    errors.push(h.get(&token, "/v1.0/security/alerts_v2?$top=1").await?);

    let statuses: Vec<u16> = errors.iter().map(|e| e.status.as_u16()).collect();
    assert_eq!(statuses, vec![401, 403, 404, 400, 429]);
    for answer in errors {
        assert_valid(schema.check(&answer.body, ERROR, false), "error body");
    }
    Ok(())
}

#[test]
fn the_validator_fails_on_wrong_names_types_members_and_evolvable_values() {
    let Some(schema) = Schema::load() else { return };
    let good = json!({
        "@odata.type": "#microsoft.graph.security.incident", "id": "1",
        "createdDateTime": "2025-01-01T00:00:00.1234567Z", "lastUpdateDateTime": "2025-01-01T00:00:00Z",
        "severity": "high", "status": "active", "customTags": [], "comments": [],
    });
    assert!(
        schema.check(&good, INCIDENT, false).is_empty(),
        "{:?}",
        schema.check(&good, INCIDENT, false)
    );

    let mutate = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        schema.check(&body, INCIDENT, false)
    };
    assert!(
        !mutate("assignedto", json!("a@b.c")).is_empty(),
        "wrong property name"
    );
    assert!(
        !mutate("severity", json!(3)).is_empty(),
        "number for an enum"
    );
    assert!(
        !mutate("priorityScore", json!("high")).is_empty(),
        "string for Edm.Int32"
    );
    assert!(
        !mutate("status", json!("Active")).is_empty(),
        "PascalCase member"
    );
    assert!(
        !mutate("status", json!("awaitingAction")).is_empty(),
        "evolvable member without Prefer"
    );
    assert!(
        !mutate("createdDateTime", Value::Null).is_empty(),
        "null for a non-nullable property"
    );
    assert!(
        !mutate("customTags", Value::Null).is_empty(),
        "null collection"
    );
    assert!(
        !mutate("@odata.type", json!("#microsoft.graph.incident")).is_empty(),
        "wrong @odata.type"
    );
    let mut with_prefer = good.clone();
    with_prefer["status"] = json!("awaitingAction");
    assert!(
        schema.check(&with_prefer, INCIDENT, true).is_empty(),
        "evolvable member allowed with Prefer"
    );
}
