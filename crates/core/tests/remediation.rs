//! The compromised-user playbook end to end against the simulator over
//! loopback: each step, "already so", partial failure and missing
//! permissions, local refusals that send nothing, the audit trail, the
//! flow from an incident to its resolution, and the temporary password
//! never reaching the cache files, the audit log or the logs.

#[path = "common/logs.rs"]
mod captured;

use std::path::Path;

use graph_sim::{RunningSim, SimConfig};
use manage365_core::auth::{Credential, Secret};
use manage365_core::graph::{GraphClient, GraphConfig};
use manage365_core::model::{
    Capability, Classification, Determination, IncidentStatus, IncidentUpdate, RemediationStep,
};
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use manage365_core::views::{PortfolioQuery, RemediationReport, StepResult};
use manage365_core::ErrorCode;
use serde_json::{json, Value};

use captured::logs;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A simulator (two managed tenants, one read-only) and a synced desk.
struct World {
    sim: RunningSim,
    desk: Desk,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl World {
    async fn start() -> World {
        logs();
        let config = SimConfig {
            tenants: 3,
            without_security_roles: 0,
            read_only: 1,
            incidents_per_tenant: 6,
            seed: 5,
            ..SimConfig::default()
        };
        let sim = graph_sim::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("simulator starts");
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path(), "test").expect("cache opens");
        let config = GraphConfig {
            graph_url: sim.url(),
            login_url: sim.url(),
            client_id: sim.client_id(),
            partner_tenant: sim.partner_tenant(),
            ..GraphConfig::default()
        };
        let credential = Credential::ClientSecret(Secret::new(sim.client_secret()));
        desk.connect(Some(GraphClient::new(config, credential).unwrap()));
        desk.sync_once(Trigger::Manual).await.expect("first sync");
        World {
            sim,
            desk,
            dir,
            http: reqwest::Client::new(),
        }
    }

    /// The first tenant the MSP may manage, as the cache has it.
    async fn managed(&self) -> String {
        let tenants = self.desk.tenants().await.unwrap();
        let tenant = tenants
            .iter()
            .find(|t| t.capability == Capability::Manage)
            .expect("a managed tenant");
        tenant.tenant_id.clone()
    }

    /// A user of `tenant` in the simulator's truth matching `pick`.
    async fn user(&self, tenant: &str, pick: impl Fn(&Value) -> bool) -> Value {
        self.users(tenant)
            .await
            .into_iter()
            .find(|u| pick(u))
            .expect("such a user")
    }

    async fn users(&self, tenant: &str) -> Vec<Value> {
        let state = self.get(&format!("/_sim/state?tenant={tenant}")).await;
        state["tenants"][0]["users"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.sim.url());
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.sim.url());
        let response = self.http.post(url).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "{path}");
        response.json().await.unwrap()
    }

    async fn deny(&self, tenant: &str, permissions: &[&str]) {
        let path = format!("/_sim/tenants/{tenant}/permissions");
        self.post(&path, json!({ "denied": permissions })).await;
    }

    /// Requests to `/v1.0/users…` the simulator received.
    async fn user_calls(&self) -> Vec<Value> {
        let log = self.get("/_sim/requests").await;
        log["value"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/v1.0/users"))
            })
            .collect()
    }
}

fn upn(user: &Value) -> &str {
    user["userPrincipalName"].as_str().unwrap()
}

fn forwards(user: &Value) -> bool {
    user["inboxRules"].as_array().is_some_and(|rules| {
        rules.iter().any(|r| {
            ["forwardTo", "redirectTo", "forwardAsAttachmentTo"]
                .iter()
                .any(|a| r["actions"][*a].as_array().is_some_and(|l| !l.is_empty()))
        })
    })
}

fn step(report: &RemediationReport, which: RemediationStep) -> &StepResult {
    report
        .steps
        .iter()
        .find(|s| s.step == which)
        .expect("the step is reported")
}

#[tokio::test]
async fn every_step_is_applied_in_the_tenant_and_audited_with_microsofts_answer() -> TestResult {
    let w = World::start().await;
    let tenant = w.managed().await;
    let target = w
        .user(&tenant, |u| u["accountEnabled"] == true && forwards(u))
        .await;

    let report = w
        .desk
        .remediate_user(&tenant, upn(&target), RemediationStep::KNOWN, None)
        .await?;

    let outcomes: Vec<&str> = report.steps.iter().map(|s| s.outcome.as_str()).collect();
    assert_eq!(outcomes, ["done", "done", "done", "done"], "{report:?}");
    let after = w.user(&tenant, |u| u["id"] == target["id"]).await;
    assert_eq!(after["accountEnabled"], false);
    assert_ne!(
        after["signInSessionsValidFromDateTime"],
        target["signInSessionsValidFromDateTime"]
    );
    assert!(!forwards(&after), "no forwarding rule is left");
    assert_eq!(
        after["inboxRules"].as_array().map(Vec::len),
        Some(1),
        "the harmless rule stays"
    );
    let password = step(&report, RemediationStep::ResetPassword)
        .temporary_password
        .clone()
        .expect("the password is shown once");
    let check = format!(
        "/_sim/tenants/{tenant}/users/{}/check-password",
        target["id"].as_str().unwrap()
    );
    let signed_in = w.post(&check, json!({ "password": password })).await;
    assert_eq!(
        signed_in["matches"], true,
        "the shown password is the one set"
    );
    assert_eq!(signed_in["forceChangePasswordNextSignIn"], true);
    let forwarding = step(&report, RemediationStep::ClearForwarding);
    assert!(forwarding
        .details
        .iter()
        .any(|d| d.starts_with("removed rule")));
    assert!(forwarding
        .details
        .iter()
        .any(|d| d.contains("Set-Mailbox") && d.contains("cannot be checked")));

    let audit = w.desk.audit(Some(tenant.clone()), None, 50).await?;
    for action in [
        "remediate.disable_sign_in",
        "remediate.revoke_sessions",
        "remediate.reset_password",
        "remediate.clear_forwarding",
    ] {
        let entry = audit
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} is audited"));
        assert!(
            entry.outcome.starts_with("done"),
            "{action}: {}",
            entry.outcome
        );
        assert!(matches!(entry.status, Some(200 | 204)), "{action}");
        assert!(
            entry.request_id.is_some(),
            "{action} keeps Microsoft's request id"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_disabled_user_and_an_inbox_without_forwarding_are_reported_as_already_so() -> TestResult
{
    let w = World::start().await;
    let tenant = w.managed().await;
    let disabled = w.user(&tenant, |u| u["accountEnabled"] == false).await;
    let clean = w
        .user(&tenant, |u| u["hasMailbox"] == true && !forwards(u))
        .await;

    let blocked = w
        .desk
        .remediate_user(
            &tenant,
            upn(&disabled),
            &[RemediationStep::DisableSignIn],
            None,
        )
        .await?;
    let forwarding = w
        .desk
        .remediate_user(
            &tenant,
            upn(&clean),
            &[RemediationStep::ClearForwarding],
            None,
        )
        .await?;

    assert_eq!(
        step(&blocked, RemediationStep::DisableSignIn).outcome,
        "already"
    );
    assert_eq!(
        step(&forwarding, RemediationStep::ClearForwarding).outcome,
        "already"
    );
    let writes: Vec<Value> = w
        .user_calls()
        .await
        .into_iter()
        .filter(|r| r["method"] != "GET")
        .collect();
    assert!(
        writes.is_empty(),
        "nothing to change, nothing sent: {writes:?}"
    );
    let audit = w.desk.audit(Some(tenant), None, 10).await?;
    let disable = audit
        .iter()
        .find(|e| e.action == "remediate.disable_sign_in")
        .expect("audited");
    assert_eq!(disable.method, "GET");
    assert_eq!(disable.status, Some(200));
    assert!(disable.outcome.starts_with("already"));
    Ok(())
}

#[tokio::test]
async fn a_missing_mailbox_permission_fails_only_its_step() -> TestResult {
    let w = World::start().await;
    let tenant = w.managed().await;
    let target = w
        .user(&tenant, |u| u["accountEnabled"] == true && forwards(u))
        .await;
    w.deny(&tenant, &["MailboxSettings.ReadWrite"]).await;

    let report = w
        .desk
        .remediate_user(&tenant, upn(&target), RemediationStep::KNOWN, None)
        .await?;

    let forwarding = step(&report, RemediationStep::ClearForwarding);
    assert_eq!(forwarding.outcome, "failed");
    assert!(
        forwarding
            .message
            .contains("missing permission: needs MailboxSettings.ReadWrite"),
        "{}",
        forwarding.message
    );
    assert!(
        forwarding.message.contains("ErrorAccessDenied"),
        "Graph's code is kept"
    );
    for other in [
        RemediationStep::DisableSignIn,
        RemediationStep::RevokeSessions,
        RemediationStep::ResetPassword,
    ] {
        assert_eq!(step(&report, other.clone()).outcome, "done", "{other}");
    }
    assert!(report.any_failed());
    let after = w.user(&tenant, |u| u["id"] == target["id"]).await;
    assert!(forwards(&after), "the rules are still there");
    Ok(())
}

#[tokio::test]
async fn missing_user_permissions_name_what_to_grant_and_the_other_steps_still_run() -> TestResult {
    let w = World::start().await;
    let tenant = w.managed().await;
    let target = w.user(&tenant, |u| u["accountEnabled"] == true).await;
    w.deny(
        &tenant,
        &[
            "User.RevokeSessions.All",
            "User.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
    )
    .await;

    let report = w
        .desk
        .remediate_user(&tenant, upn(&target), RemediationStep::KNOWN, None)
        .await?;

    let revoke = step(&report, RemediationStep::RevokeSessions);
    assert_eq!(revoke.outcome, "failed");
    assert!(
        revoke.message.contains("needs User.RevokeSessions.All"),
        "{}",
        revoke.message
    );
    assert!(revoke.message.contains("Authorization_RequestDenied"));
    assert_eq!(
        step(&report, RemediationStep::DisableSignIn).outcome,
        "done"
    );
    assert_eq!(
        step(&report, RemediationStep::ResetPassword).outcome,
        "done"
    );
    let audit = w.desk.audit(Some(tenant), None, 20).await?;
    let entry = audit
        .iter()
        .find(|e| e.action == "remediate.revoke_sessions")
        .expect("the failure is audited");
    assert_eq!(entry.status, Some(403));
    assert!(entry.outcome.starts_with("failed: missing permission"));
    Ok(())
}

#[tokio::test]
async fn refused_requests_send_nothing_to_graph() -> TestResult {
    let w = World::start().await;
    let tenants = w.desk.tenants().await?;
    let managed = w.managed().await;
    let read = tenants
        .iter()
        .find(|t| t.capability == Capability::Read)
        .expect("a read-only tenant");
    let own = upn(&w.user(&managed, |_| true).await).to_string();
    let theirs = upn(&w.user(&read.tenant_id, |_| true).await).to_string();
    let all = RemediationStep::KNOWN;
    let incident = w
        .desk
        .tenant_incidents(&managed, PortfolioQuery::default())
        .await?
        .items
        .into_iter()
        .next()
        .expect("an incident")
        .id;
    let named = w.desk.remediation_candidates(&managed, &incident).await?;
    let unnamed = w
        .users(&managed)
        .await
        .into_iter()
        .map(|u| upn(&u).to_string())
        .find(|u| !named.iter().any(|n| n.eq_ignore_ascii_case(u)))
        .expect("a user the incident does not name");
    w.http
        .delete(format!("{}/_sim/requests", w.sim.url()))
        .send()
        .await?;

    let foreign = w
        .desk
        .remediate_user(&managed, "ceo@fabrikam.example", all, None)
        .await;
    let no_steps = w.desk.remediate_user(&managed, &own, &[], None).await;
    let read_only_tenant = w
        .desk
        .remediate_user(&read.tenant_id, &theirs, all, None)
        .await;
    let unknown = w
        .desk
        .remediate_user("00000000-0000-0000-0000-000000000000", &own, all, None)
        .await;
    let wrong_incident = w
        .desk
        .remediate_user(&managed, &unnamed, all, Some(&incident))
        .await;
    let mut settings = w.desk.settings();
    settings.read_only = true;
    w.desk.save_settings(settings).await?;
    let read_only_mode = w.desk.remediate_user(&managed, &own, all, None).await;

    assert_eq!(foreign.unwrap_err().field(), Some("user"));
    assert_eq!(no_steps.unwrap_err().field(), Some("steps"));
    assert_eq!(read_only_tenant.unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(unknown.unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(wrong_incident.unwrap_err().field(), Some("user"));
    assert_eq!(read_only_mode.unwrap_err().code(), ErrorCode::Forbidden);
    assert!(w.user_calls().await.is_empty(), "nothing reached Graph");
    assert!(
        w.desk
            .audit(None, None, 100)
            .await?
            .iter()
            .all(|e| !e.action.starts_with("remediate.")),
        "nothing to audit"
    );
    Ok(())
}

#[tokio::test]
async fn from_an_incident_the_named_user_is_contained_and_the_incident_resolved() -> TestResult {
    let w = World::start().await;
    let tenant = w.managed().await;
    let rows = w
        .desk
        .tenant_incidents(
            &tenant,
            PortfolioQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await?
        .items;
    let mut chosen = None;
    for row in rows.iter().filter(|r| r.status == IncidentStatus::Active) {
        let candidates = w.desk.remediation_candidates(&tenant, &row.id).await?;
        if let Some(first) = candidates.into_iter().next() {
            chosen = Some((row.id.clone(), first));
            break;
        }
    }
    let (incident, user) = chosen.expect("an active incident naming a user of the tenant");
    let steps = [
        RemediationStep::DisableSignIn,
        RemediationStep::RevokeSessions,
    ];

    let report = w
        .desk
        .remediate_user(&tenant, &user.to_uppercase(), &steps, Some(&incident))
        .await?;
    let resolved = w
        .desk
        .update_incident(
            &tenant,
            &incident,
            IncidentUpdate {
                status: Some(IncidentStatus::Resolved),
                classification: Some(Classification::TruePositive),
                determination: Some(Determination::CompromisedAccount),
                comment: Some("User contained: sign-in blocked, sessions revoked".into()),
                ..Default::default()
            },
        )
        .await?;

    assert!(!report.any_failed(), "{report:?}");
    assert_eq!(report.incident_id.as_deref(), Some(incident.as_str()));
    assert_eq!(resolved.incident.status, IncidentStatus::Resolved);
    let actions: Vec<&str> = resolved.audit.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"remediate.disable_sign_in"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"remediate.revoke_sessions"),
        "{actions:?}"
    );
    assert!(actions.contains(&"update_incident"), "{actions:?}");
    Ok(())
}

#[tokio::test]
async fn a_user_without_a_mailbox_skips_the_forwarding_step() -> TestResult {
    let w = World::start().await;
    let tenant = w.managed().await;
    let Some(target) = w
        .users(&tenant)
        .await
        .into_iter()
        .find(|u| u["hasMailbox"] == false)
    else {
        println!("this seed's tenant has fewer than twelve distinct users; nothing to check");
        return Ok(());
    };

    let report = w
        .desk
        .remediate_user(
            &tenant,
            upn(&target),
            &[RemediationStep::ClearForwarding],
            None,
        )
        .await?;

    assert_eq!(
        step(&report, RemediationStep::ClearForwarding).outcome,
        "skipped"
    );
    Ok(())
}

fn count(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

fn cache_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["manage365.db", "manage365.db-wal", "manage365.db-shm"] {
        bytes.extend(std::fs::read(dir.join(name)).unwrap_or_default());
    }
    bytes
}

#[tokio::test]
async fn the_temporary_password_reaches_no_file_audit_entry_or_log() -> TestResult {
    let w = World::start().await;
    let tenant = w.managed().await;
    let target = w.user(&tenant, |u| u["accountEnabled"] == true).await;

    let report = w
        .desk
        .remediate_user(
            &tenant,
            upn(&target),
            &[RemediationStep::ResetPassword],
            None,
        )
        .await?;
    let password = step(&report, RemediationStep::ResetPassword)
        .temporary_password
        .clone()
        .expect("a password was set");
    // Later writes flush more pages; the password must not be in any.
    w.desk.sync_once(Trigger::Manual).await?;

    let audit = w.desk.audit(None, None, 1000).await?;
    let audit_text = serde_json::to_string(&audit)?;
    let sim_log = w.get("/_sim/requests").await.to_string();
    let logged = logs().lock().unwrap().clone();
    assert_eq!(
        count(&cache_bytes(w.dir.path()), &password),
        0,
        "not in the cache"
    );
    assert!(!audit_text.contains(&password), "not in the audit log");
    assert!(
        audit_text.contains("[redacted]"),
        "the audit shows it was redacted"
    );
    assert_eq!(count(&logged, &password), 0, "not in trace-level logs");
    assert!(
        !sim_log.contains(&password),
        "not even in the simulator's request log"
    );
    assert!(!format!("{report:?}").contains(&password), "Debug hides it");
    Ok(())
}
