//! What the services hand to the front ends: query parameters and the
//! read models built from the cache. These are the shapes that cross IPC
//! (camelCase JSON) and that `manage365-cli --json` prints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    Alert, Capability, Classification, Comment, Determination, Incident, IncidentStatus,
    Recommendation, ScoreSnapshot, Severity, SkipReason,
};

/// Filters and paging for the cross-tenant portfolio. Empty lists mean
/// "any"; several values in one list are alternatives (OR), the lists
/// combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PortfolioQuery {
    /// Severities to keep.
    pub severity: Vec<Severity>,
    /// Statuses to keep.
    pub status: Vec<IncidentStatus>,
    /// Tenant ids to keep.
    pub tenant: Vec<String>,
    /// Owners to keep (exact, case-insensitive). `"unassigned"` is not
    /// special: use `unassigned_only`.
    pub assigned_to: Vec<String>,
    /// Only incidents with no owner.
    pub unassigned_only: bool,
    /// Classifications to keep; `unknown` also matches "not classified".
    pub classification: Vec<Classification>,
    /// MITRE technique ids: keep incidents with an alert carrying one of
    /// them (prefix match, so `T1566` matches `T1566.001`).
    pub mitre: Vec<String>,
    /// Free text over title, tenant name and owner.
    pub text: Option<String>,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return; 0 means the default of 200.
    pub limit: u32,
}

/// One row of the portfolio or a tenant's incident queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentRow {
    /// Tenant id.
    pub tenant_id: String,
    /// Tenant display name.
    pub tenant_name: String,
    /// Incident id.
    pub id: String,
    /// Title.
    pub display_name: String,
    /// Severity.
    pub severity: Severity,
    /// Status.
    pub status: IncidentStatus,
    /// Classification.
    pub classification: Option<Classification>,
    /// Determination.
    pub determination: Option<Determination>,
    /// Owner.
    pub assigned_to: Option<String>,
    /// Alerts correlated into it.
    pub alert_count: u32,
    /// Distinct affected entities (users, devices, mailboxes) across its
    /// alerts' evidence, e.g. `["alex@contoso.com", "WS-0042"]`.
    pub affected_entities: Vec<String>,
    /// Earliest alert activity, when known.
    pub first_activity_at: Option<DateTime<Utc>>,
    /// Latest alert activity, when known.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last updated in Defender.
    pub last_update_at: DateTime<Utc>,
    /// Defender portal link.
    pub web_url: Option<String>,
}

/// A tenant that is skipped, shown beside the portfolio and on Health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedTenant {
    /// Tenant id.
    pub tenant_id: String,
    /// Display name.
    pub tenant_name: String,
    /// Why.
    pub reason: SkipReason,
    /// The badge text, e.g. "skipped: missing Security roles".
    pub label: String,
    /// What to do about it.
    pub fix: String,
}

/// Incident counts per severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeverityCounts {
    /// High.
    pub high: u32,
    /// Medium.
    pub medium: u32,
    /// Low.
    pub low: u32,
    /// Informational.
    pub informational: u32,
    /// Unknown or a value this build does not know.
    pub unknown: u32,
}

/// One page of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioPage {
    /// The rows, newest first (by created time, then id).
    pub items: Vec<IncidentRow>,
    /// How many incidents match the filters in all.
    pub total: u32,
    /// Matching incidents per severity.
    pub counts: SeverityCounts,
    /// Tenants that are skipped (always all of them, whatever the filter).
    pub skipped: Vec<SkippedTenant>,
    /// Tenants in the cache, skipped ones included.
    pub tenant_count: u32,
    /// When the last sync run finished successfully, if ever.
    pub last_synced_at: Option<DateTime<Utc>>,
}

/// Everything the incident page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentDetail {
    /// The queue row (tenant name, counts, activity times).
    pub row: IncidentRow,
    /// The full incident.
    pub incident: Incident,
    /// Its alerts, oldest activity first.
    pub alerts: Vec<Alert>,
    /// Customer UPNs seen in the tenant, for assigned-to suggestions.
    pub known_upns: Vec<String>,
    /// The tenant's verified domains.
    pub tenant_domains: Vec<String>,
    /// What the MSP may do in this tenant.
    pub capability: Capability,
    /// Audit entries that concern this incident, newest first.
    pub audit: Vec<AuditEntry>,
}

/// A tenant as the tenant list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantSummary {
    /// Tenant id.
    pub tenant_id: String,
    /// Display name.
    pub tenant_name: String,
    /// Verified domains.
    pub domains: Vec<String>,
    /// Capability.
    pub capability: Capability,
    /// Set when skipped.
    pub skipped: Option<SkippedTenant>,
    /// Incidents that are not resolved.
    pub open_incidents: u32,
    /// Of those, high severity.
    pub open_high: u32,
    /// Incidents created per day over the last 14 days, oldest first.
    pub incidents_per_day: Vec<u32>,
    /// Secure Score snapshots of the 14 UTC days ending on the day of the
    /// newest one, oldest first (older ones stay cached).
    pub score_trend: Vec<ScoreSnapshot>,
}

/// A tenant's alerts: standalone ones and those nested under incidents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantAlerts {
    /// Alerts not correlated into any incident.
    pub standalone: Vec<Alert>,
    /// Alerts grouped under their incident, newest incident first.
    pub by_incident: Vec<IncidentAlerts>,
}

/// The alerts of one incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentAlerts {
    /// Incident id.
    pub incident_id: String,
    /// Incident title.
    pub display_name: String,
    /// Its alerts.
    pub alerts: Vec<Alert>,
}

/// A tenant's Secure Score recommendations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRecommendations {
    /// Latest score, if any snapshot was pulled.
    pub latest: Option<ScoreSnapshot>,
    /// Improvement actions, by rank.
    pub items: Vec<Recommendation>,
}

/// The scheduler's state for Health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerStatus {
    /// `running` while a sync run is under way, else `idle`.
    pub state: String,
    /// When the last run started.
    pub last_tick_at: Option<DateTime<Utc>>,
    /// How long the last finished run took.
    pub last_duration_ms: Option<u64>,
    /// When the next scheduled run is due.
    pub next_tick_at: Option<DateTime<Utc>>,
    /// Tick interval in seconds.
    pub interval_secs: u64,
    /// Progress of the current run, when running.
    pub progress: Option<SyncProgress>,
    /// True when the last run could not reach Graph at all.
    pub offline: bool,
}

/// Progress of a sync run, also sent as an event while it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Run id.
    pub run_id: i64,
    /// Tenants finished (success, skip or error).
    pub done: u32,
    /// Tenants in the run.
    pub total: u32,
}

/// Per-tenant sync health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantHealth {
    /// Tenant id.
    pub tenant_id: String,
    /// Display name.
    pub tenant_name: String,
    /// Capability.
    pub capability: Capability,
    /// Set when skipped.
    pub skip_reason: Option<SkipReason>,
    /// Last attempt.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Last success.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Last error, for a person to read (Graph's code and request id
    /// included).
    pub last_error: Option<String>,
    /// Incidents cached.
    pub incidents: u32,
    /// Alerts cached.
    pub alerts: u32,
    /// Recommendations cached.
    pub recommendations: u32,
}

/// The Health page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Skipped tenants with reasons and fixes.
    pub skipped: Vec<SkippedTenant>,
    /// The scheduler.
    pub scheduler: SchedulerStatus,
    /// Every tenant.
    pub tenants: Vec<TenantHealth>,
    /// Recent sync runs, newest first.
    pub runs: Vec<SyncRunSummary>,
}

/// One finished or running sync run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunSummary {
    /// Run id.
    pub id: i64,
    /// `scheduled`, `manual` or `startup`.
    pub trigger: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished, when finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok`, `partial` (some tenants failed), `offline`,
    /// `failed`.
    pub outcome: String,
    /// Tenants synced.
    pub tenants_ok: u32,
    /// Tenants skipped.
    pub tenants_skipped: u32,
    /// Tenants that failed.
    pub tenants_failed: u32,
    /// Incidents written.
    pub incidents: u32,
    /// Alerts written.
    pub alerts: u32,
    /// Requests sent to Graph.
    pub requests: u32,
}

/// One audit log entry: an outbound write and Microsoft's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Entry id.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who asked (the signed-in analyst, or `cli` / `app`).
    pub actor: String,
    /// Tenant.
    pub tenant_id: String,
    /// Incident, when the call concerned one.
    pub incident_id: Option<String>,
    /// `update_incident`, `add_comment`, `refused_update`, ...
    pub action: String,
    /// HTTP method sent (empty when refused locally).
    pub method: String,
    /// URL path and query sent (no host, never a token).
    pub path: String,
    /// JSON body sent.
    pub request_body: Option<serde_json::Value>,
    /// HTTP status received; `None` when nothing was sent or no answer
    /// came.
    pub status: Option<u16>,
    /// Graph's `request-id`.
    pub request_id: Option<String>,
    /// The body Microsoft answered (JSON when it parsed, else a string).
    pub response_body: Option<serde_json::Value>,
    /// The outcome in words.
    pub outcome: String,
}

/// A local alert raised by the app itself (e.g. an incident re-opened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalAlert {
    /// Row id.
    pub id: i64,
    /// Dedupe key, e.g. `defender.incident.reopen.<incidentId>`.
    pub dedupe_key: String,
    /// Severity (`medium` for re-opens).
    pub severity: Severity,
    /// Short title.
    pub title: String,
    /// One sentence.
    pub message: String,
    /// Tenant.
    pub tenant_id: String,
    /// Incident it concerns.
    pub incident_id: Option<String>,
    /// Raised.
    pub raised_at: DateTime<Utc>,
    /// Acknowledged, when.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Incident comments plus the incident's identity, for the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentComments {
    /// Tenant.
    pub tenant_id: String,
    /// Incident.
    pub incident_id: String,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
}

/// What the compromised-user playbook did, step by step. Returned once to
/// the analyst who ran it; it is the only place the temporary password
/// ever appears, and it is never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemediationReport {
    /// Customer tenant.
    pub tenant_id: String,
    /// The user remediated, as the analyst named it.
    pub user_principal_name: String,
    /// The incident the playbook was launched from, if any.
    pub incident_id: Option<String>,
    /// One result per requested step, in the order they ran.
    pub steps: Vec<StepResult>,
}

impl RemediationReport {
    /// True when at least one step failed.
    pub fn any_failed(&self) -> bool {
        self.steps.iter().any(|s| s.outcome == "failed")
    }
}

/// The outcome of one playbook step.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    /// Which step.
    pub step: crate::model::RemediationStep,
    /// `done`, `already` (nothing to change), `failed` or `skipped`.
    pub outcome: String,
    /// One sentence for a person: what happened, or Graph's message.
    pub message: String,
    /// The temporary password, only for `reset_password` when done. Show
    /// it once; it is in no log, audit entry or cache.
    pub temporary_password: Option<String>,
    /// Extra lines: rules removed, mailbox-level forwarding to check.
    pub details: Vec<String>,
}

impl std::fmt::Debug for StepResult {
    // Written by hand so that `{:?}` in a log line never prints the
    // temporary password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepResult")
            .field("step", &self.step)
            .field("outcome", &self.outcome)
            .field("message", &self.message)
            .field(
                "temporary_password",
                &self.temporary_password.as_ref().map(|_| "[redacted]"),
            )
            .field("details", &self.details)
            .finish()
    }
}
