//! Sync: one run pulls every reachable tenant into the cache; the scheduler
//! runs one on a timer and on demand.
//!
//! A run re-reads GDAP first, so a role granted since the last run unskips
//! its tenant with no restart. Each tenant then gets either a full pull
//! (first time, or when its reconcile is due: incidents, every alert from
//! alerts_v2, domains and Secure Score, read at once, and rows Graph no
//! longer has are removed) or an incremental one (incidents changed since
//! the watermark, minus an overlap window, with `$expand=alerts`, which
//! saves the alerts_v2 round trip on every tick). Tenants run
//! concurrently up to a bound; the Graph client paces each tenant under
//! Graph's limits. One tenant failing never stops the others.
//!
//! Standalone alerts (alerts_v2 not correlated into an incident) are
//! refreshed at each reconcile, not each tick: Defender correlates almost
//! every alert into an incident, and one extra request per tenant per tick
//! would double the steady-state load. The reconcile interval bounds how
//! stale they can be.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc, OwnedSemaphorePermit, Semaphore};
use tracing::{info, info_span, warn, Instrument};

use crate::gdap;
use crate::graph::GraphClient;
use crate::model::{SkipReason, Tenant};
use crate::store::{Reopen, RunTotals, Store, TenantOutcome, TenantPull};
use crate::views::{SchedulerStatus, SyncProgress, SyncRunSummary};
use crate::{Error, Result};

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The app or CLI started.
    Startup,
    /// The timer fired.
    Scheduled,
    /// Someone pressed refresh.
    Manual,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Startup => "startup",
            Trigger::Scheduled => "scheduled",
            Trigger::Manual => "manual",
        }
    }
}

/// What the engine tells the front ends while it works.
#[derive(Debug, Clone)]
pub enum Event {
    /// A run made progress (tenants done of total).
    Progress(SyncProgress),
    /// A run finished.
    Finished(SyncRunSummary),
    /// A resolved incident came back active.
    Reopened(Reopen),
}

/// How runs pull.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Tenants reading from Graph at once. A tenant whose reads are done
    /// waits for the cache's writer outside this count.
    pub concurrency: usize,
    /// Subtracted from the watermark on incremental pulls, for clock skew
    /// and Graph's eventual consistency.
    pub overlap: chrono::Duration,
    /// How often a tenant gets a full reconcile.
    pub reconcile_every: chrono::Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            // Tenants have separate Graph budgets; the client's cap on
            // requests in flight (`GraphConfig::max_in_flight`, 64) is the
            // shared limit. Twice as many tenants as that cap keep it full
            // while some tenants are between round trips (see
            // docs/benchmarks.md).
            concurrency: 128,
            overlap: chrono::Duration::minutes(5),
            reconcile_every: chrono::Duration::hours(1),
        }
    }
}

/// The scheduler's shared state, read by Health.
#[derive(Debug, Default)]
pub(crate) struct SchedulerState {
    running: bool,
    last_tick_at: Option<DateTime<Utc>>,
    last_duration_ms: Option<u64>,
    next_tick_at: Option<DateTime<Utc>>,
    interval_secs: u64,
    progress: Option<SyncProgress>,
    offline: bool,
}

/// Runs syncs; shared by the scheduler loop and "sync now" callers.
#[derive(Clone)]
pub struct Syncer {
    store: Store,
    events: broadcast::Sender<Event>,
    state: Arc<Mutex<SchedulerState>>,
    /// Held for the whole of a run so two runs never overlap; a manual
    /// refresh during a scheduled run waits for it instead.
    run_lock: Arc<tokio::sync::Mutex<()>>,
    options: SyncOptions,
}

impl Syncer {
    /// A syncer writing into `store` and announcing on `events`.
    pub fn new(store: Store, events: broadcast::Sender<Event>, options: SyncOptions) -> Self {
        Syncer {
            store,
            events,
            state: Arc::default(),
            run_lock: Arc::default(),
            options,
        }
    }

    /// The scheduler's state for Health.
    pub fn status(&self) -> SchedulerStatus {
        let state = self.state.lock().expect("scheduler state poisoned");
        SchedulerStatus {
            state: if state.running { "running" } else { "idle" }.into(),
            last_tick_at: state.last_tick_at,
            last_duration_ms: state.last_duration_ms,
            next_tick_at: state.next_tick_at,
            interval_secs: state.interval_secs,
            progress: state.progress.clone(),
            offline: state.offline,
        }
    }

    /// True when the last run could not reach Graph.
    pub fn is_offline(&self) -> bool {
        self.state.lock().expect("scheduler state poisoned").offline
    }

    /// Runs one sync of every tenant and returns its summary. A run that
    /// cannot reach Graph ends with outcome `offline` and an
    /// [`crate::ErrorCode::Offline`] error; the cache is left as it was.
    pub async fn run(&self, graph: &GraphClient, trigger: Trigger) -> Result<SyncRunSummary> {
        let _one_at_a_time = self.run_lock.lock().await;
        let started = Instant::now();
        let started_at = Utc::now();
        let requests_at_start = graph.request_count();
        let store = self.store.clone();
        let run_id = blocking(move || {
            store
                .begin_run(trigger.as_str(), started_at)
                .map_err(Error::from)
        })
        .await?;
        self.update_state(|s| {
            s.running = true;
            s.last_tick_at = Some(started_at);
            s.progress = Some(SyncProgress {
                run_id,
                done: 0,
                total: 0,
            });
        });

        let span = info_span!("sync_run", run_id, trigger = trigger.as_str());
        let result = self.run_tenants(graph, run_id).instrument(span).await;
        if let Err(e) = &result {
            self.record_run_failure(e, started_at).await;
        }
        let mut totals = match &result {
            Ok(totals) => totals.clone(),
            Err(e) => RunTotals {
                outcome: match e.code() {
                    crate::ErrorCode::Offline => "offline".into(),
                    _ => "failed".into(),
                },
                ..RunTotals::default()
            },
        };
        let sent = graph.request_count().saturating_sub(requests_at_start);
        totals.requests = u32::try_from(sent).unwrap_or(u32::MAX);
        let store = self.store.clone();
        let finished_totals = totals.clone();
        blocking(move || {
            store
                .finish_run(run_id, &finished_totals, Utc::now())
                .map_err(Error::from)
        })
        .await?;

        let elapsed = started.elapsed();
        self.update_state(|s| {
            s.running = false;
            s.progress = None;
            s.last_duration_ms = Some(elapsed.as_millis() as u64);
            s.offline = totals.outcome == "offline";
        });
        let summary = self.summary(run_id).await?;
        info!(
            run_id,
            outcome = %summary.outcome,
            tenants_ok = summary.tenants_ok,
            tenants_skipped = summary.tenants_skipped,
            tenants_failed = summary.tenants_failed,
            elapsed_ms = elapsed.as_millis() as u64,
            "sync finished"
        );
        let _ = self.events.send(Event::Finished(summary.clone()));
        result.map(|_| summary)
    }

    async fn summary(&self, run_id: i64) -> Result<SyncRunSummary> {
        let store = self.store.clone();
        let runs = blocking(move || store.recent_runs(20).map_err(Error::from)).await?;
        runs.into_iter()
            .find(|r| r.id == run_id)
            .ok_or_else(|| Error::NotFound(format!("sync run {run_id} vanished from the cache")))
    }

    /// GDAP first, then every tenant concurrently.
    async fn run_tenants(&self, graph: &GraphClient, run_id: i64) -> Result<RunTotals> {
        let tenants = self.refresh_tenants(graph).await?;
        let total = tenants.len() as u32;
        self.progress(run_id, 0, total);

        let limit = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let writing = Arc::new(Semaphore::new(PULLS_AWAITING_WRITE));
        let mut tasks = tokio::task::JoinSet::new();
        for tenant in tenants {
            let this = self.clone();
            let graph = graph.clone();
            let limit = limit.clone();
            let writing = writing.clone();
            let span = info_span!("tenant_sync", run_id, tenant_id = %tenant.id);
            tasks.spawn(
                async move {
                    let reading = limit.acquire_owned().await.expect("semaphore closed");
                    let slot = Slot { reading, writing };
                    this.sync_tenant(graph, tenant, slot).await
                }
                .instrument(span),
            );
        }

        let mut totals = RunTotals::default();
        let mut done = 0;
        let mut offline = 0;
        while let Some(joined) = tasks.join_next().await {
            done += 1;
            self.progress(run_id, done, total);
            match joined.expect("tenant sync task panicked") {
                TenantResult::Synced { incidents, alerts } => {
                    totals.tenants_ok += 1;
                    totals.incidents += incidents;
                    totals.alerts += alerts;
                }
                TenantResult::Skipped => totals.tenants_skipped += 1,
                TenantResult::Failed {
                    offline: was_offline,
                } => {
                    totals.tenants_failed += 1;
                    offline += u32::from(was_offline);
                }
            }
        }

        totals.outcome = match (totals.tenants_failed, offline) {
            (0, _) => "ok",
            (failed, off) if failed == off && totals.tenants_ok == 0 => "offline",
            _ => "partial",
        }
        .into();
        Ok(totals)
    }

    /// Reads GDAP and stores the tenant list with capabilities. Domains
    /// are kept from the cache; a reconcile refreshes them.
    async fn refresh_tenants(&self, graph: &GraphClient) -> Result<Vec<Tenant>> {
        let customers = graph.customers().await.inspect_err(|e| {
            warn!(error = %e, "could not read GDAP customers");
        })?;
        let store = self.store.clone();
        let cached = blocking(move || store.tenants().map_err(Error::from)).await?;

        let tenants: Vec<Tenant> = customers
            .into_iter()
            .map(|customer| {
                let domains = cached
                    .iter()
                    .find(|t| t.id == customer.tenant_id)
                    .map(|t| t.domains.clone())
                    .unwrap_or_default();
                gdap::to_tenant(&customer, domains)
            })
            .collect();
        let store = self.store.clone();
        let stored = tenants.clone();
        blocking(move || store.sync_tenants(&stored).map_err(Error::from)).await?;
        Ok(tenants)
    }

    async fn sync_tenant(&self, graph: GraphClient, tenant: Tenant, slot: Slot) -> TenantResult {
        let at = Utc::now();
        let (result, error) = if !tenant.capability.can_read() {
            info!(reason = "missing_security_roles", "tenant skipped");
            (TenantResult::Skipped, None)
        } else {
            match self.pull_tenant(&graph, &tenant, slot).await {
                Ok((incidents, alerts)) => (TenantResult::Synced { incidents, alerts }, None),
                Err(Error::Graph(e)) if e.skip_reason().is_some() => {
                    let reason = e.skip_reason().expect("checked above");
                    warn!(reason = %reason, error = %e, "tenant skipped by graph");
                    self.skip(&tenant.id, reason).await;
                    (TenantResult::Skipped, None)
                }
                Err(e) => {
                    let offline = e.code() == crate::ErrorCode::Offline;
                    warn!(error = %e, offline, "tenant sync failed");
                    (TenantResult::Failed { offline }, Some(e.to_string()))
                }
            }
        };

        // A skip is a successful attempt: the tenant answered, and Health
        // shows the reason from the skip list rather than as an error.
        let outcome = TenantOutcome {
            at,
            ok: error.is_none(),
            error,
        };
        self.record(&tenant.id, outcome).await;
        result
    }

    /// Pulls one tenant and writes it, all or nothing.
    async fn pull_tenant(
        &self,
        graph: &GraphClient,
        tenant: &Tenant,
        slot: Slot,
    ) -> Result<(u32, u32)> {
        let store = self.store.clone();
        let id = tenant.id.clone();
        let watermark = blocking(move || store.watermark(&id).map_err(Error::from)).await?;
        let pulled_at = Utc::now();
        let full = watermark
            .as_ref()
            .is_none_or(|w| pulled_at - w.last_full_at >= self.options.reconcile_every);

        let since = match (&watermark, full) {
            (Some(w), false) => Some(w.last_update - self.options.overlap),
            _ => None,
        };
        let (incidents, alerts, secure_score) = if full {
            self.read_full(graph, tenant).await?
        } else {
            let mut incidents = Vec::new();
            let mut alerts = Vec::new();
            for item in graph.list_incidents(&tenant.id, since).await? {
                incidents.push(item.incident);
                alerts.extend(item.alerts);
            }
            (incidents, alerts, None)
        };

        let newest = incidents
            .iter()
            .map(|i| i.last_update_at)
            .chain(alerts.iter().filter_map(|a| a.last_update_at))
            .max();
        let watermark = match (newest, &watermark) {
            (Some(n), _) => Some(n),
            (None, Some(w)) => Some(w.last_update),
            (None, None) => Some(pulled_at),
        };
        let pull = TenantPull {
            tenant_id: tenant.id.clone(),
            full,
            pulled_at,
            incidents,
            alerts,
            secure_score,
            watermark,
        };
        tracing::debug!(
            full,
            incidents = pull.incidents.len(),
            alerts = pull.alerts.len(),
            "writing pull"
        );
        // Reads done: the tenant's reading slot goes to the next tenant
        // while this pull waits for the cache's writer.
        let _queued = slot
            .writing
            .acquire_owned()
            .await
            .expect("semaphore closed");
        drop(slot.reading);
        let store = self.store.clone();
        let outcome = blocking(move || store.apply_pull(&pull).map_err(Error::from)).await?;
        for reopen in outcome.reopened {
            info!(incident_id = ?reopen.alert.incident_id, "incident re-opened");
            let _ = self.events.send(Event::Reopened(reopen));
        }

        Ok((outcome.incidents_written, outcome.alerts_written))
    }

    /// Everything a full pull reads, the four reads at once (the pacer
    /// keeps them within the tenant's limits): incidents, every alert from
    /// alerts_v2 (nested and standalone), verified domains, Secure Score.
    async fn read_full(&self, graph: &GraphClient, tenant: &Tenant) -> Result<FullRead> {
        let (incidents, alerts, domains, score) = tokio::try_join!(
            graph.list_incidents_only(&tenant.id),
            graph.list_alerts(&tenant.id, None),
            graph.verified_domains(&tenant.id),
            graph.recommendations(&tenant.id),
        )?;
        self.store_domains(tenant, domains).await?;
        Ok((
            incidents,
            alerts,
            Some((score.snapshots, score.recommendations)),
        ))
    }

    async fn store_domains(&self, tenant: &Tenant, domains: Vec<String>) -> Result<()> {
        if domains == tenant.domains {
            return Ok(());
        }
        let store = self.store.clone();
        let id = tenant.id.clone();
        blocking(move || store.set_domains(&id, &domains).map_err(Error::from)).await
    }

    async fn skip(&self, tenant_id: &str, reason: SkipReason) {
        let store = self.store.clone();
        let id = tenant_id.to_string();
        let result =
            blocking(move || store.set_skip(&id, Some(&reason)).map_err(Error::from)).await;
        if let Err(e) = result {
            warn!(error = %e, "could not record tenant skip");
        }
    }

    /// A run that failed before reaching the tenants (GDAP unreadable,
    /// token endpoint down, offline) still failed each of them: Health
    /// must show every tenant with the error rather than leave their last
    /// success standing as if the cache were current.
    async fn record_run_failure(&self, error: &Error, at: DateTime<Utc>) {
        let store = self.store.clone();
        let tenants = match blocking(move || store.tenants().map_err(Error::from)).await {
            Ok(tenants) => tenants,
            Err(e) => return warn!(error = %e, "could not list tenants to record the failure"),
        };
        let message = format!("sync could not start: {error}");
        for tenant in tenants.iter().filter(|t| t.skip_reason.is_none()) {
            let outcome = TenantOutcome {
                at,
                ok: false,
                error: Some(message.clone()),
            };
            self.record(&tenant.id, outcome).await;
        }
    }

    async fn record(&self, tenant_id: &str, outcome: TenantOutcome) {
        let store = self.store.clone();
        let id = tenant_id.to_string();
        let result =
            blocking(move || store.record_attempt(&id, &outcome).map_err(Error::from)).await;
        if let Err(e) = result {
            warn!(error = %e, "could not record tenant attempt");
        }
    }

    fn progress(&self, run_id: i64, done: u32, total: u32) {
        let progress = SyncProgress {
            run_id,
            done,
            total,
        };
        self.update_state(|s| s.progress = Some(progress.clone()));
        let _ = self.events.send(Event::Progress(progress));
    }

    fn update_state(&self, change: impl FnOnce(&mut SchedulerState)) {
        change(&mut self.state.lock().expect("scheduler state poisoned"));
    }
}

/// What a full pull read: incidents, alerts, Secure Score.
type FullRead = (
    Vec<crate::model::Incident>,
    Vec<crate::model::Alert>,
    Option<(
        Vec<crate::model::ScoreSnapshot>,
        Vec<crate::model::Recommendation>,
    )>,
);

enum TenantResult {
    Synced { incidents: u32, alerts: u32 },
    Skipped,
    Failed { offline: bool },
}

/// Runs blocking cache work off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .expect("cache task panicked")
}

/// Pulls read and waiting for the cache's writer, at most, in a run. A
/// tenant gives its reading slot to the next one once its reads are done,
/// so slow writes do not leave the network idle; this bounds the pulls
/// held in memory meanwhile (about 1 MB each at 40 incidents and 120
/// alerts) when the writer falls behind. Two of the writer's groups.
const PULLS_AWAITING_WRITE: usize = 2 * crate::store::MAX_GROUPED_WRITES;

/// A tenant task's places in a run: one of the run's reading slots
/// ([`SyncOptions::concurrency`]) and the queue of pulls awaiting write.
struct Slot {
    reading: OwnedSemaphorePermit,
    writing: Arc<Semaphore>,
}

/// How soon the scheduler tries again after a run found Graph unreachable.
pub const OFFLINE_RETRY: Duration = Duration::from_secs(60);

/// Owns the background scheduler. Dropping it (or calling
/// [`SyncHandle::shutdown`]) stops the loop after the run under way.
pub struct SyncHandle {
    /// "Sync now" requests; the loop coalesces several into one run.
    trigger: mpsc::Sender<()>,
    /// Closing this tells the loop to stop.
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SyncHandle {
    /// Starts the loop: a run at once, then one every `interval`, and one
    /// whenever [`SyncHandle::sync_now`] is called. The client is asked
    /// for on each run so new credentials apply without a restart; `None`
    /// skips the run.
    pub fn start<F>(syncer: Syncer, interval: Duration, client: F) -> SyncHandle
    where
        F: Fn() -> Option<GraphClient> + Send + Sync + 'static,
    {
        let (trigger, mut requests) = mpsc::channel::<()>(1);
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        syncer.update_state(|s| s.interval_secs = interval.as_secs());

        let task = tokio::spawn(async move {
            let mut why = Trigger::Startup;
            loop {
                if let Some(graph) = client() {
                    if let Err(e) = syncer.run(&graph, why).await {
                        warn!(error = %e, "sync run failed");
                    }
                }
                // Offline, try again soon so the app recovers by itself when
                // the network returns, not a whole interval later.
                let wait = if syncer.is_offline() {
                    interval.min(OFFLINE_RETRY)
                } else {
                    interval
                };
                let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                syncer.update_state(|s| s.next_tick_at = Some(next));
                why = tokio::select! {
                    _ = tokio::time::sleep(wait) => Trigger::Scheduled,
                    Some(()) = requests.recv() => Trigger::Manual,
                    _ = &mut stopped => break,
                };
            }
            info!("scheduler stopped");
        });

        SyncHandle {
            trigger,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Asks for a run now. Returns at once; if a run is already queued
    /// the request joins it.
    pub fn sync_now(&self) {
        let _ = self.trigger.try_send(());
    }

    /// Stops the loop and waits for it to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
