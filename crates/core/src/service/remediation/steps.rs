//! Running the playbook's steps: each write is audited ahead (pending)
//! and completed with Microsoft's answer, like incident updates; a step
//! that changes nothing is audited with the read that showed it.

use chrono::Utc;
use serde_json::{json, Value};
use tracing::warn;

use crate::graph::users::{DirectoryUser, REDACTED};
use crate::graph::{self, Exchange, GraphClient};
use crate::model::{RemediationStep, Tenant};
use crate::service::Desk;
use crate::store::{NewAuditEntry, PENDING_OUTCOME};
use crate::sync::blocking;
use crate::views::StepResult;
use crate::{Error, ErrorCode};

/// The Graph permissions (and for delegated sign-in, the Entra roles)
/// each step needs, named in "missing permission" failures.
fn needs(step: &RemediationStep) -> &'static str {
    match step {
        RemediationStep::DisableSignIn => {
            "User.ReadWrite.All (or User.EnableDisableAccount.All), and the User Administrator \
             role for delegated sign-in"
        }
        RemediationStep::RevokeSessions => {
            "User.RevokeSessions.All (or User.ReadWrite.All), and the User Administrator role \
             for delegated sign-in"
        }
        RemediationStep::ResetPassword => {
            "User.ReadWrite.All (or User-PasswordProfile.ReadWrite.All) with the User \
             Administrator role (Privileged Authentication Administrator for admin accounts)"
        }
        RemediationStep::ClearForwarding | RemediationStep::Other(_) => "MailboxSettings.ReadWrite",
    }
}

/// What a person is told when a step fails: Graph's message, with the
/// missing permission named on a 403.
pub(super) fn failure(step: &RemediationStep, error: &graph::Error) -> String {
    match error {
        graph::Error::Api {
            status: 403,
            code,
            message,
            ..
        } => format!(
            "missing permission: needs {} (Graph answered 403 {code}: {message})",
            needs(step)
        ),
        other => other.to_string(),
    }
}

pub(super) fn result(
    step: &RemediationStep,
    outcome: &str,
    message: impl Into<String>,
) -> StepResult {
    StepResult {
        step: step.clone(),
        outcome: outcome.to_string(),
        message: message.into(),
        temporary_password: None,
        details: Vec::new(),
    }
}

/// A write about to be sent, as its pending audit entry shows it.
pub(super) struct Plan {
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
    /// The audit outcome on success, after `done: `.
    pub done: String,
}

/// One playbook run: the tenant, the Graph connection, the incident.
pub(super) struct Run<'a> {
    pub desk: &'a Desk,
    pub graph: &'a GraphClient,
    pub tenant: &'a Tenant,
    pub incident_id: Option<&'a str>,
}

impl Run<'_> {
    /// Looks the user up once, then runs every step; if the lookup fails,
    /// every step fails with its reason (and is audited as such).
    pub async fn all(&self, upn: &str, steps: &[RemediationStep]) -> Vec<StepResult> {
        let (lookup, user) = self.graph.get_user(&self.tenant.id, upn).await;
        let mut results = Vec::with_capacity(steps.len());
        for step in steps {
            let outcome = match &user {
                Ok(user) => self.step(step, user, &lookup).await,
                Err(error) => {
                    let message = match error.code() {
                        ErrorCode::NotFound => format!(
                            "{upn} was not found in {}: {error}",
                            self.tenant.display_name
                        ),
                        _ => failure_of_lookup(error),
                    };
                    self.record(step, &lookup, &format!("failed: {message}"))
                        .await;
                    result(step, "failed", message)
                }
            };
            results.push(outcome);
        }
        results
    }

    async fn step(
        &self,
        step: &RemediationStep,
        user: &DirectoryUser,
        lookup: &Exchange,
    ) -> StepResult {
        match step {
            RemediationStep::DisableSignIn => self.disable(step, user, lookup).await,
            RemediationStep::RevokeSessions => self.revoke(step, user).await,
            RemediationStep::ResetPassword => self.reset(step, user).await,
            RemediationStep::ClearForwarding => self.clear_forwarding(step, user).await,
            RemediationStep::Other(_) => result(step, "skipped", "not a playbook step"),
        }
    }

    async fn disable(
        &self,
        step: &RemediationStep,
        user: &DirectoryUser,
        lookup: &Exchange,
    ) -> StepResult {
        if user.account_enabled == Some(false) {
            let message = "Sign-in was already blocked";
            self.record(step, lookup, &format!("already: {message}"))
                .await;
            return result(step, "already", message);
        }
        let plan = Plan {
            method: "PATCH",
            path: format!("/v1.0/users/{}", user.id),
            body: Some(json!({ "accountEnabled": false })),
            done: "sign-in blocked".into(),
        };
        let call = self.graph.disable_sign_in(&self.tenant.id, &user.id);
        match self.audited(step, plan, call).await {
            Ok(()) => result(step, "done", "Sign-in is blocked (accountEnabled is false)"),
            Err(message) => result(step, "failed", message),
        }
    }

    async fn revoke(&self, step: &RemediationStep, user: &DirectoryUser) -> StepResult {
        let plan = Plan {
            method: "POST",
            path: format!("/v1.0/users/{}/revokeSignInSessions", user.id),
            body: None,
            done: "sessions revoked".into(),
        };
        let call = self.graph.revoke_sessions(&self.tenant.id, &user.id);
        match self.audited(step, plan, call).await {
            Ok(()) => result(
                step,
                "done",
                "Sign-in sessions and refresh tokens are revoked; apps must sign in again \
                 (Microsoft may take a few minutes to apply it everywhere)",
            ),
            Err(message) => result(step, "failed", message),
        }
    }

    async fn reset(&self, step: &RemediationStep, user: &DirectoryUser) -> StepResult {
        let plan = Plan {
            method: "PATCH",
            path: format!("/v1.0/users/{}", user.id),
            body: Some(json!({ "passwordProfile": {
                "forceChangePasswordNextSignIn": true, "password": REDACTED } })),
            done: "temporary password set".into(),
        };
        let call = self.graph.reset_password(&self.tenant.id, &user.id);
        match self.audited(step, plan, call).await {
            Ok(password) => StepResult {
                temporary_password: Some(password.into_inner()),
                ..result(
                    step,
                    "done",
                    "A temporary password is set; the user must change it at next sign-in. \
                     It is shown only now: hand it over securely",
                )
            },
            Err(message) => result(step, "failed", message),
        }
    }

    /// Audits `plan` ahead, sends it, and completes the entry with
    /// Microsoft's answer. A step whose entry cannot be written is not
    /// sent. The error is the step's failure message.
    pub(super) async fn audited<T>(
        &self,
        step: &RemediationStep,
        plan: Plan,
        call: impl std::future::Future<Output = (Exchange, Result<T, graph::Error>)>,
    ) -> Result<T, String> {
        let pending = self.entry(
            step,
            plan.method,
            plan.path,
            plan.body,
            PENDING_OUTCOME.to_string(),
        );
        let store = self.desk.store.clone();
        let id = blocking(move || store.append_audit(&pending).map_err(Error::from))
            .await
            .map_err(|e| format!("not sent: the audit log could not be written ({e})"))?;
        let (exchange, answer) = call.await;
        let (answer, outcome) = match answer {
            Ok(value) => (Ok(value), format!("done: {}", plan.done)),
            Err(error) => {
                let message = failure(step, &error);
                let outcome = format!("failed: {message}");
                (Err(message), outcome)
            }
        };
        let entry = self.answered_entry(step, &exchange, outcome);
        let store = self.desk.store.clone();
        let written = blocking(move || store.complete_audit(id, &entry).map_err(Error::from));
        if let Err(e) = written.await {
            warn!(error = %e, "could not complete the audit entry");
        }
        answer
    }

    /// Audits a step that sent no write, with the read that decided it.
    pub(super) async fn record(&self, step: &RemediationStep, exchange: &Exchange, outcome: &str) {
        let entry = self.answered_entry(step, exchange, outcome.to_string());
        let store = self.desk.store.clone();
        let written = blocking(move || store.append_audit(&entry).map_err(Error::from));
        if let Err(e) = written.await {
            warn!(error = %e, "could not write the audit entry");
        }
    }

    fn answered_entry(
        &self,
        step: &RemediationStep,
        exchange: &Exchange,
        outcome: String,
    ) -> NewAuditEntry {
        NewAuditEntry {
            status: exchange.status,
            request_id: exchange.request_id.clone(),
            response_body: exchange.response_body.clone(),
            ..self.entry(
                step,
                &exchange.method,
                exchange.path.clone(),
                exchange.request_body.clone(),
                outcome,
            )
        }
    }

    fn entry(
        &self,
        step: &RemediationStep,
        method: &str,
        path: String,
        body: Option<Value>,
        outcome: String,
    ) -> NewAuditEntry {
        NewAuditEntry {
            at: Utc::now(),
            actor: self.desk.actor.to_string(),
            tenant_id: self.tenant.id.clone(),
            incident_id: self.incident_id.map(str::to_string),
            action: format!("remediate.{step}"),
            method: method.to_string(),
            path,
            request_body: body,
            status: None,
            request_id: None,
            response_body: None,
            outcome,
        }
    }
}

/// The lookup's own failure: a 403 there means reading users is not
/// allowed, which every step needs.
fn failure_of_lookup(error: &graph::Error) -> String {
    match error {
        graph::Error::Api {
            status: 403,
            code,
            message,
            ..
        } => format!(
            "missing permission: looking the user up needs User.Read.All (Graph answered 403 \
             {code}: {message})"
        ),
        other => other.to_string(),
    }
}
