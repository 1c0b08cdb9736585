//! Carries engine events to the window (as typed events), to the tray
//! tooltip, and to system notifications for re-opened incidents.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use manage365_core::model::{IncidentStatus, Severity};
use manage365_core::service::Desk;
use manage365_core::sync::Event;
use manage365_core::views::PortfolioQuery;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;
use tracing::warn;

use crate::tray;

/// Event names, mirrored in `ui/src/lib/api/`.
pub const SYNC_PROGRESS: &str = "sync-progress";
/// A run finished.
pub const SYNC_FINISHED: &str = "sync-finished";
/// A resolved incident came back active.
pub const INCIDENT_REOPENED: &str = "incident-reopened";
/// The window should open an incident.
pub const OPEN_INCIDENT: &str = "open-incident";
/// Mode, offline state or sync state changed.
pub const STATUS_CHANGED: &str = "status-changed";

/// How long after a re-open notification focusing the window counts as
/// having clicked it (see [`PendingOpen`]).
const CLICK_WINDOW: Duration = Duration::from_secs(300);

/// An incident to open.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenIncident {
    /// Tenant id.
    pub tenant_id: String,
    /// Incident id.
    pub incident_id: String,
}

/// The incident of the latest re-open notification. Desktop notification
/// APIs do not report clicks to Tauri on every platform; clicking one
/// activates the app, so the next time the window is shown or focused
/// shortly after a notification, that incident opens.
#[derive(Default)]
pub struct PendingOpen(Mutex<Option<(OpenIncident, Instant)>>);

impl PendingOpen {
    /// Takes the pending incident if the notification is recent.
    pub fn take_recent(&self) -> Option<OpenIncident> {
        let mut slot = self.0.lock().expect("pending open poisoned");
        match slot.take() {
            Some((target, at)) if at.elapsed() < CLICK_WINDOW => Some(target),
            _ => None,
        }
    }

    fn set(&self, target: OpenIncident) {
        *self.0.lock().expect("pending open poisoned") = Some((target, Instant::now()));
    }
}

/// Spawns the task that forwards `desk`'s events until the session ends.
pub fn forward(app: AppHandle, desk: Desk) -> tauri::async_runtime::JoinHandle<()> {
    let mut events = desk.subscribe();
    tauri::async_runtime::spawn(async move {
        refresh_tray(&app, &desk).await;
        loop {
            match events.recv().await {
                Ok(Event::Progress(progress)) => {
                    let _ = app.emit(SYNC_PROGRESS, progress);
                }
                Ok(Event::Finished(summary)) => {
                    let _ = app.emit(SYNC_FINISHED, summary);
                    if let Some(status) = crate::commands::status_of(&app).await {
                        let _ = app.emit(STATUS_CHANGED, status);
                    }
                    refresh_tray(&app, &desk).await;
                }
                Ok(Event::Reopened(reopen)) => {
                    let _ = app.emit(INCIDENT_REOPENED, &reopen.alert);
                    notify_reopen(&app, &desk, &reopen);
                }
                Err(RecvError::Lagged(missed)) => warn!(missed, "ui fell behind engine events"),
                Err(RecvError::Closed) => break,
            }
        }
    })
}

fn notify_reopen(app: &AppHandle, desk: &Desk, reopen: &manage365_core::store::Reopen) {
    if !desk.settings().notifications {
        return;
    }
    let Some(incident_id) = reopen.alert.incident_id.clone() else {
        return;
    };
    let body = format!(
        "Incident re-opened: {} — {}",
        reopen.incident_title, reopen.tenant_name
    );
    let shown = app
        .notification()
        .builder()
        .title("Manage365 Desk")
        .body(&body)
        .show();
    if let Err(e) = shown {
        warn!(error = %e, "could not show the re-open notification");
    }
    let target = OpenIncident {
        tenant_id: reopen.alert.tenant_id.clone(),
        incident_id,
    };
    app.state::<PendingOpen>().set(target);
}

/// Sets the tray tooltip to the count of active high-severity incidents.
async fn refresh_tray(app: &AppHandle, desk: &Desk) {
    let query = PortfolioQuery {
        severity: vec![Severity::High],
        status: vec![IncidentStatus::Active],
        limit: 1,
        ..PortfolioQuery::default()
    };
    match desk.portfolio(query).await {
        Ok(page) => tray::set_active_high(app, page.total),
        Err(e) => warn!(error = %e, "could not count incidents for the tray"),
    }
}
