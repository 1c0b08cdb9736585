//! The shell's managed state: the engine session the window shows (demo
//! tenants from an in-process simulator, or the MSP's real tenants) and
//! the plumbing around it.
//!
//! Settings always live in the main cache beside the real tenants' data;
//! demo mode keeps its own cache in `demo/` so switching to real tenants
//! never mixes the two.

use std::path::PathBuf;
use std::sync::Mutex;

use manage365_core::auth::{Credential, DeviceSignIn, Keychain, Secret};
use manage365_core::connect;
use manage365_core::graph::{GraphClient, GraphConfig};
use manage365_core::service::Desk;
use manage365_core::settings::Settings;
use manage365_core::sync::SyncHandle;
use manage365_core::Error;
use serde::Serialize;
use tauri::AppHandle;
use tokio::sync::RwLock;
use tracing::{info, warn};

use crate::events;

/// Which tenants the window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Built-in demo tenants served by an in-process simulator.
    Demo,
    /// The MSP's real tenants through Microsoft Graph.
    Connected,
    /// An app registration is set but no credential is stored yet.
    Unconfigured,
}

/// One running engine session; replaced whole when the mode changes.
pub struct Session {
    /// The engine the commands call.
    pub desk: Desk,
    /// What it shows.
    pub mode: Mode,
    /// Owns the background scheduler; dropping it stops syncing.
    pub scheduler: Option<SyncHandle>,
    /// The demo simulator; dropping it stops serving.
    sim: Option<graph_sim::RunningSim>,
    /// Forwards engine events to the window, tray and notifications.
    forwarder: Option<tauri::async_runtime::JoinHandle<()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(task) = self.forwarder.take() {
            task.abort();
        }
    }
}

/// Managed by Tauri; every command receives it.
pub struct AppState {
    /// Where the caches live.
    pub data_dir: PathBuf,
    /// The main cache: settings and the real tenants' data.
    pub main: Desk,
    /// The OS keychain, when the platform has one reachable.
    pub keychain: Option<Keychain>,
    /// The session the window shows; a write lock only while switching.
    pub session: RwLock<Session>,
    /// A device-code sign-in waiting for the user.
    pub device_sign_in: Mutex<Option<DeviceSignIn>>,
}

impl AppState {
    /// The desk of the current session.
    pub async fn desk(&self) -> Desk {
        self.session.read().await.desk.clone()
    }

    /// Replaces the session after settings or credentials changed.
    pub async fn restart_session(&self, app: &AppHandle) -> Result<Mode, Error> {
        let next = start_session(app, &self.data_dir, &self.main, self.keychain.as_ref()).await?;
        let mode = next.mode;
        let previous = std::mem::replace(&mut *self.session.write().await, next);
        shut_down(previous).await;
        Ok(mode)
    }
}

/// Starts the session the settings call for: real tenants when a
/// credential resolves and demo is off; otherwise demo tenants, unless an
/// app registration is set up and only its credential is missing.
pub async fn start_session(
    app: &AppHandle,
    data_dir: &std::path::Path,
    main: &Desk,
    keychain: Option<&Keychain>,
) -> Result<Session, Error> {
    let settings = with_env_overrides(main.settings());
    if !settings.demo {
        if let Some(connection) = connect::resolve(&settings, keychain)? {
            info!(source = connection.source, "connecting to real tenants");
            main.connect(Some(connection.client));
            return Ok(running(app, main.clone(), Mode::Connected, None));
        }
        if settings.has_app_registration() {
            main.connect(None);
            return Ok(running(app, main.clone(), Mode::Unconfigured, None));
        }
    }
    start_demo(app, data_dir, &settings).await
}

async fn start_demo(
    app: &AppHandle,
    data_dir: &std::path::Path,
    settings: &Settings,
) -> Result<Session, Error> {
    let config = graph_sim::SimConfig {
        tenants: 12,
        without_security_roles: 2,
        ..Default::default()
    };
    let loopback = "127.0.0.1:0".parse().expect("valid loopback address");
    let sim = graph_sim::start(config, loopback)
        .await
        .map_err(|e| Error::Invalid {
            field: None,
            message: format!("cannot start the demo simulator on loopback: {e}"),
        })?;
    info!(url = %sim.url(), "demo tenants served by the in-process simulator");

    let desk = Desk::open(&data_dir.join("demo"), "app")?;
    let mut demo_settings = settings.clone();
    demo_settings.demo = true;
    demo_settings.sign_in = Some("demo".into());
    desk.save_settings(demo_settings).await?;

    let graph = GraphConfig {
        graph_url: sim.url(),
        login_url: sim.url(),
        client_id: sim.client_id(),
        partner_tenant: sim.partner_tenant(),
        ..GraphConfig::default()
    };
    // The simulator's well-known demo secret stays in memory: it opens
    // nothing but the simulator, so the keychain is not involved.
    let credential = Credential::ClientSecret(Secret::new(sim.client_secret()));
    desk.connect(Some(GraphClient::new(graph, credential)?));
    Ok(running(app, desk, Mode::Demo, Some(sim)))
}

fn running(app: &AppHandle, desk: Desk, mode: Mode, sim: Option<graph_sim::RunningSim>) -> Session {
    let scheduler = (mode != Mode::Unconfigured).then(|| desk.start_scheduler());
    let forwarder = Some(events::forward(app.clone(), desk.clone()));
    Session {
        desk,
        mode,
        scheduler,
        sim,
        forwarder,
    }
}

async fn shut_down(mut session: Session) {
    if let Some(scheduler) = session.scheduler.take() {
        scheduler.shutdown().await;
    }
    if let Some(sim) = session.sim.take() {
        sim.shutdown().await;
    }
}

/// `MANAGE365_GRAPH_URL` and `MANAGE365_LOGIN_URL` point the app at other
/// hosts without touching saved settings (tests, sovereign-cloud checks).
pub fn with_env_overrides(mut settings: Settings) -> Settings {
    let graph = std::env::var("MANAGE365_GRAPH_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let login = std::env::var("MANAGE365_LOGIN_URL")
        .ok()
        .filter(|v| !v.is_empty());
    if graph.is_some() || login.is_some() {
        let current = settings.graph_config();
        settings.cloud = "custom".into();
        settings.graph_url = graph.unwrap_or(current.graph_url);
        settings.login_url = login.unwrap_or(current.login_url);
        settings.demo = false;
    }
    settings
}

/// Opens the OS keychain; without one, only environment credentials and
/// demo mode work, and Settings says so.
pub fn open_keychain() -> Option<Keychain> {
    match manage365_core::auth::use_platform_store() {
        Ok(()) => Some(Keychain::new(connect::KEYCHAIN_SERVICE)),
        Err(e) => {
            warn!(error = %e, "no OS keychain; secrets cannot be stored");
            None
        }
    }
}
