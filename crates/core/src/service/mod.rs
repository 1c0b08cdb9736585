//! The use cases both front ends call: portfolio, tenant panels, incident
//! detail and updates, health, audit and local alerts.
//!
//! [`Desk`] is the engine's front door. It owns the cache, the current
//! Graph connection (none in offline-only use), the sync machinery and the
//! event channel. Reads come from the cache only, so they work offline;
//! writes check [`rules`] first, then go to Graph, are audited, and are
//! read back into the cache at once.

mod remediation;
pub mod rules;

use std::path::Path;
use std::sync::{Arc, RwLock};

use chrono::Utc;
use tokio::sync::broadcast;
use tracing::{info, instrument, warn};

use crate::graph::wire::{CommentRequest, IncidentPatch};
use crate::graph::{Exchange, GraphClient};
use crate::model::{Evidence, Incident, IncidentUpdate, Tenant};
use crate::settings::{Settings, SETTINGS_KEY};
use crate::store::{NewAuditEntry, Store, PENDING_OUTCOME};
use crate::sync::{blocking, Event, SyncHandle, SyncOptions, Syncer, Trigger};
use crate::views::{
    AuditEntry, Health, IncidentDetail, LocalAlert, PortfolioPage, PortfolioQuery, SchedulerStatus,
    SyncRunSummary, TenantAlerts, TenantRecommendations, TenantSummary,
};
use crate::{Error, Result};

/// The engine's front door, cheap to clone.
#[derive(Clone)]
pub struct Desk {
    store: Store,
    syncer: Syncer,
    /// Engine events; the shell forwards them to the UI and the tray.
    events: broadcast::Sender<Event>,
    /// The Graph connection in use; swapped when settings or sign-in
    /// change, read at the start of every sync run.
    graph: Arc<RwLock<Option<GraphClient>>>,
    settings: Arc<RwLock<Settings>>,
    /// Who the audit log names as asking (`app`, `cli`, or a UPN).
    actor: Arc<str>,
}

impl Desk {
    /// Opens (or creates) the cache in `data_dir` and loads the settings.
    /// Runs a killed process left `running` are closed as interrupted.
    pub fn open(data_dir: &Path, actor: &str) -> Result<Desk> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::Invalid {
            field: None,
            message: format!("cannot create the data folder {}: {e}", data_dir.display()),
        })?;
        let store = Store::open(&data_dir.join("manage365.db"))?;
        let interrupted = store.close_interrupted_runs()?;
        if interrupted > 0 {
            warn!(
                interrupted,
                "closed sync runs left open by a previous process"
            );
        }
        let pending = store.close_pending_audits()?;
        if pending > 0 {
            warn!(
                pending,
                "audit entries of calls a previous process left unanswered"
            );
        }
        let settings: Settings = store.setting(SETTINGS_KEY)?.unwrap_or_default();
        // After the writes above: they would otherwise queue behind it.
        store.refresh_statistics_in_background();
        let (events, _) = broadcast::channel(256);
        let syncer = Syncer::new(store.clone(), events.clone(), SyncOptions::default());

        Ok(Desk {
            store,
            syncer,
            events,
            graph: Arc::default(),
            settings: Arc::new(RwLock::new(settings)),
            actor: actor.into(),
        })
    }

    /// Uses `options` for every later run (concurrency, reconcile).
    pub fn with_sync_options(mut self, options: SyncOptions) -> Self {
        self.syncer = Syncer::new(self.store.clone(), self.events.clone(), options);
        self
    }

    /// Total time the cache's single writer has been held since this Desk
    /// opened (see [`Store::writer_busy`]): the serial share of a sync.
    pub fn cache_writer_busy(&self) -> std::time::Duration {
        self.store.writer_busy()
    }

    /// Commits the cache's writer has made since this Desk opened (see
    /// [`Store::writer_commits`]); tenant pulls queued together share one.
    pub fn cache_writer_commits(&self) -> u64 {
        self.store.writer_commits()
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .expect("settings lock poisoned")
            .clone()
    }

    /// Saves new settings. The caller reconnects if the connection changed.
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings> {
        if !(1..=24 * 60).contains(&settings.refresh_minutes) {
            return Err(Error::invalid(
                "refreshMinutes",
                "The refresh interval must be between 1 and 1440 minutes",
            ));
        }
        let store = self.store.clone();
        let saved = settings.clone();
        blocking(move || store.set_setting(SETTINGS_KEY, &saved).map_err(Error::from)).await?;
        *self.settings.write().expect("settings lock poisoned") = settings.clone();
        Ok(settings)
    }

    /// Sets (or clears) the Graph connection used from the next call on.
    pub fn connect(&self, client: Option<GraphClient>) {
        *self.graph.write().expect("graph lock poisoned") = client;
    }

    /// The Graph connection, if any.
    pub fn client(&self) -> Option<GraphClient> {
        self.graph.read().expect("graph lock poisoned").clone()
    }

    /// Engine events: progress, finished runs, re-opens.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Starts the background scheduler at the settings' interval.
    pub fn start_scheduler(&self) -> SyncHandle {
        let graph = self.graph.clone();
        let interval = self.settings().refresh_interval();
        SyncHandle::start(self.syncer.clone(), interval, move || {
            graph.read().expect("graph lock poisoned").clone()
        })
    }

    /// Runs one sync now and waits for it.
    #[instrument(skip(self), err)]
    pub async fn sync_once(&self, trigger: Trigger) -> Result<SyncRunSummary> {
        let graph = self.require_client()?;
        self.syncer.run(&graph, trigger).await
    }

    /// The scheduler's state.
    pub fn scheduler_status(&self) -> SchedulerStatus {
        self.syncer.status()
    }

    /// True when the last sync could not reach Graph.
    pub fn is_offline(&self) -> bool {
        self.syncer.is_offline()
    }

    /// Every incident of every tenant, newest first, filtered.
    pub async fn portfolio(&self, query: PortfolioQuery) -> Result<PortfolioPage> {
        let store = self.store.clone();
        blocking(move || store.portfolio(&query).map_err(Error::from)).await
    }

    /// Every tenant with counts and trends.
    pub async fn tenants(&self) -> Result<Vec<TenantSummary>> {
        let store = self.store.clone();
        blocking(move || store.tenant_summaries().map_err(Error::from)).await
    }

    /// One tenant's incident queue.
    pub async fn tenant_incidents(
        &self,
        tenant_id: &str,
        mut query: PortfolioQuery,
    ) -> Result<PortfolioPage> {
        self.tenant(tenant_id).await?;
        query.tenant = vec![tenant_id.to_string()];
        self.portfolio(query).await
    }

    /// One tenant's alerts, standalone and nested, optionally for one
    /// MITRE technique, without their evidence ([`Desk::alert_evidence`]
    /// reads one alert's when it is opened).
    pub async fn tenant_alerts(
        &self,
        tenant_id: &str,
        mitre: Option<String>,
    ) -> Result<TenantAlerts> {
        self.tenant(tenant_id).await?;
        let store = self.store.clone();
        let id = tenant_id.to_string();
        blocking(move || {
            store
                .tenant_alerts(&id, mitre.as_deref())
                .map_err(Error::from)
        })
        .await
    }

    /// One tenant's Secure Score improvement actions.
    pub async fn tenant_recommendations(&self, tenant_id: &str) -> Result<TenantRecommendations> {
        self.tenant(tenant_id).await?;
        let store = self.store.clone();
        let id = tenant_id.to_string();
        blocking(move || store.tenant_recommendations(&id).map_err(Error::from)).await
    }

    /// One cached alert's evidence, for an alert of the tenant's alert
    /// panel opened by the analyst.
    pub async fn alert_evidence(&self, tenant_id: &str, alert_id: &str) -> Result<Vec<Evidence>> {
        let store = self.store.clone();
        let (tenant, id) = (tenant_id.to_string(), alert_id.to_string());
        blocking(move || store.alert_evidence(&tenant, &id).map_err(Error::from))
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "alert {alert_id} is not in tenant {tenant_id}'s cache; refresh, or check the tenant"
                ))
            })
    }

    /// One incident with its alerts, evidence and audit entries.
    pub async fn incident_detail(
        &self,
        tenant_id: &str,
        incident_id: &str,
    ) -> Result<IncidentDetail> {
        let store = self.store.clone();
        let (tenant, id) = (tenant_id.to_string(), incident_id.to_string());
        blocking(move || store.incident_detail(&tenant, &id).map_err(Error::from))
            .await?
            .ok_or_else(|| incident_not_found(tenant_id, incident_id))
    }

    /// Updates an incident in Graph: checks the rules (refusing with
    /// nothing sent), PATCHes the changed fields, adds the comment, audits
    /// each call with Microsoft's answer, and reads the incident back into
    /// the cache.
    #[instrument(skip(self, update), err)]
    pub async fn update_incident(
        &self,
        tenant_id: &str,
        incident_id: &str,
        update: IncidentUpdate,
    ) -> Result<IncidentDetail> {
        let tenant = self.tenant(tenant_id).await?;
        let incident = self.cached_incident(tenant_id, incident_id).await?;
        rules::check_update(&tenant, &incident, &update, self.settings().read_only)?;
        let graph = self.require_client()?;

        let fields = IncidentUpdate {
            comment: None,
            ..update.clone()
        };
        let mut patched = None;
        if !fields.is_empty() {
            let body = serde_json::to_value(IncidentPatch::from_update(&fields)).ok();
            let call = Intent {
                action: "update_incident",
                method: "PATCH",
                suffix: "",
                body,
            };
            let pending = self.audit_ahead(&tenant, incident_id, call).await?;
            let (exchange, result) = graph.update_incident(tenant_id, incident_id, &fields).await;
            self.audit_call(
                pending,
                &tenant,
                incident_id,
                "update_incident",
                &exchange,
                &result,
            )
            .await;
            patched = Some(result?);
        }
        if let Some(comment) = &update.comment {
            let body = serde_json::to_value(CommentRequest::new(comment)).ok();
            let call = Intent {
                action: "add_comment",
                method: "POST",
                suffix: "/comments",
                body,
            };
            let pending = self.audit_ahead(&tenant, incident_id, call).await?;
            let (exchange, result) = graph.add_comment(tenant_id, incident_id, comment).await;
            self.audit_call(
                pending,
                &tenant,
                incident_id,
                "add_comment",
                &exchange,
                &result,
            )
            .await;
            result?;
        }

        self.read_back(&graph, &tenant, incident_id, patched)
            .await?;
        info!(tenant_id, incident_id, "incident updated");
        self.incident_detail(tenant_id, incident_id).await
    }

    /// Adds a comment to an incident (audited, read back).
    pub async fn add_comment(
        &self,
        tenant_id: &str,
        incident_id: &str,
        comment: &str,
    ) -> Result<IncidentDetail> {
        let update = IncidentUpdate {
            comment: Some(comment.to_string()),
            ..Default::default()
        };
        self.update_incident(tenant_id, incident_id, update).await
    }

    /// Skipped tenants, the scheduler, per-tenant health and recent runs.
    pub async fn health(&self) -> Result<Health> {
        let store = self.store.clone();
        let (skipped, tenants, runs) = blocking(move || {
            Ok((
                store.skipped()?,
                store.tenant_health()?,
                store.recent_runs(20)?,
            ))
        })
        .await?;
        let mut scheduler = self.scheduler_status();
        // No run in this process yet (the CLI, or the app just started): the
        // cache's last run tells when the data was pulled and how it went.
        if let (None, Some(last)) = (scheduler.last_tick_at, runs.first()) {
            scheduler.last_tick_at = Some(last.started_at);
            scheduler.last_duration_ms = last
                .finished_at
                .map(|end| (end - last.started_at).num_milliseconds().max(0) as u64);
            scheduler.offline = last.outcome == "offline";
        }
        Ok(Health {
            skipped,
            scheduler,
            tenants,
            runs,
        })
    }

    /// Audit entries, newest first.
    pub async fn audit(
        &self,
        tenant_id: Option<String>,
        incident_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let store = self.store.clone();
        let limit = if limit == 0 { 200 } else { limit.min(10_000) };
        blocking(move || {
            store
                .audit(tenant_id.as_deref(), incident_id.as_deref(), limit)
                .map_err(Error::from)
        })
        .await
    }

    /// Local alerts such as re-opens, newest first.
    pub async fn local_alerts(&self, include_acknowledged: bool) -> Result<Vec<LocalAlert>> {
        let store = self.store.clone();
        blocking(move || {
            store
                .local_alerts(include_acknowledged)
                .map_err(Error::from)
        })
        .await
    }

    /// Marks a local alert as seen.
    pub async fn acknowledge_local_alert(&self, id: i64) -> Result<()> {
        let store = self.store.clone();
        let found = blocking(move || {
            store
                .acknowledge_local_alert(id, Utc::now())
                .map_err(Error::from)
        })
        .await?;
        if found {
            Ok(())
        } else {
            Err(Error::NotFound(format!("local alert {id} does not exist")))
        }
    }

    fn require_client(&self) -> Result<GraphClient> {
        self.client().ok_or_else(|| {
            Error::NotConnected(
                "No Microsoft connection is set up: add the app registration and sign in \
                 under Settings (or set AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET)"
                    .into(),
            )
        })
    }

    async fn tenant(&self, tenant_id: &str) -> Result<Tenant> {
        let store = self.store.clone();
        let id = tenant_id.to_string();
        blocking(move || store.tenant(&id).map_err(Error::from))
            .await?
            .ok_or_else(|| Error::NotFound(format!("tenant {tenant_id} is not in the cache")))
    }

    async fn cached_incident(&self, tenant_id: &str, incident_id: &str) -> Result<Incident> {
        let store = self.store.clone();
        let (tenant, id) = (tenant_id.to_string(), incident_id.to_string());
        blocking(move || store.incident(&tenant, &id).map_err(Error::from))
            .await?
            .ok_or_else(|| incident_not_found(tenant_id, incident_id))
    }

    /// Reads the incident back from Graph into the cache. If the read
    /// fails after a successful PATCH, the PATCH's own answer (the full
    /// incident) is cached instead, so the change still shows at once.
    async fn read_back(
        &self,
        graph: &GraphClient,
        tenant: &Tenant,
        incident_id: &str,
        patched: Option<Incident>,
    ) -> Result<()> {
        let (incident, alerts) = match graph.get_incident(&tenant.id, incident_id).await {
            Ok(fresh) => (fresh.incident, Some(fresh.alerts)),
            Err(e) => match patched {
                Some(incident) => {
                    warn!(error = %e, "read-back failed; caching the PATCH answer");
                    (incident, None)
                }
                None => return Err(e.into()),
            },
        };
        let store = self.store.clone();
        blocking(move || {
            let alerts = match alerts {
                Some(alerts) => alerts,
                None => store
                    .incident_detail(&incident.tenant_id, &incident.id)?
                    .map(|d| d.alerts)
                    .unwrap_or_default(),
            };
            store
                .upsert_incident(&incident, &alerts)
                .map_err(Error::from)
        })
        .await
    }

    /// Writes the audit entry of a call before it is sent, with outcome
    /// pending. If that fails, nothing is sent: an update that reached
    /// Graph must never be missing from the trail, even if the process is
    /// killed between the answer and its recording.
    async fn audit_ahead(&self, tenant: &Tenant, incident_id: &str, call: Intent) -> Result<i64> {
        let entry = NewAuditEntry {
            at: Utc::now(),
            actor: self.actor.to_string(),
            tenant_id: tenant.id.clone(),
            incident_id: Some(incident_id.to_string()),
            action: call.action.to_string(),
            method: call.method.to_string(),
            path: format!("/v1.0/security/incidents/{incident_id}{}", call.suffix),
            request_body: call.body,
            status: None,
            request_id: None,
            response_body: None,
            outcome: PENDING_OUTCOME.to_string(),
        };
        let store = self.store.clone();
        blocking(move || store.append_audit(&entry).map_err(Error::from)).await
    }

    /// Completes the entry written ahead with what was sent and
    /// Microsoft's answer. A failure to write it is logged, never hidden
    /// behind the call's result (the entry then stays pending and is
    /// marked interrupted at the next start).
    async fn audit_call<T>(
        &self,
        pending: i64,
        tenant: &Tenant,
        incident_id: &str,
        action: &str,
        exchange: &Exchange,
        result: &std::result::Result<T, crate::graph::Error>,
    ) {
        let entry = NewAuditEntry {
            at: Utc::now(),
            actor: self.actor.to_string(),
            tenant_id: tenant.id.clone(),
            incident_id: Some(incident_id.to_string()),
            action: action.to_string(),
            method: exchange.method.clone(),
            path: exchange.path.clone(),
            request_body: exchange.request_body.clone(),
            status: exchange.status,
            request_id: exchange.request_id.clone(),
            response_body: exchange.response_body.clone(),
            outcome: match result {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            },
        };
        let store = self.store.clone();
        let result = blocking(move || store.complete_audit(pending, &entry).map_err(Error::from));
        if let Err(e) = result.await {
            warn!(error = %e, "could not complete the audit entry");
        }
    }
}

/// A write about to be sent, as its audit entry names it.
struct Intent {
    action: &'static str,
    method: &'static str,
    /// Appended to the incident's path (`/comments`).
    suffix: &'static str,
    body: Option<serde_json::Value>,
}

fn incident_not_found(tenant_id: &str, incident_id: &str) -> Error {
    Error::NotFound(format!(
        "incident {incident_id} is not in tenant {tenant_id}'s cache; refresh, or check the tenant"
    ))
}
