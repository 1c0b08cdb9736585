//! The Manage365 Desk shell: a Tauri window over the engine
//! (`manage365-core`), a tray icon, and system notifications.
//!
//! - `state`: the engine session the window shows (demo or real tenants).
//! - `commands`: the thin IPC commands (`docs/ipc.md`).
//! - `events`: engine events to the window, tray and notifications.
//! - `startup`: the time from process start to the first painted rows.
//! - `tray`, `links`, `logs`, `error`: as named.

mod commands;
mod error;
mod events;
mod links;
mod logs;
mod startup;
mod state;
mod tray;

use std::sync::Mutex;

use manage365_core::connect;
use manage365_core::service::Desk;
use tauri::{AppHandle, Emitter, Manager, WindowEvent};
use tracing::{error, info};

use crate::events::PendingOpen;
use crate::state::AppState;

/// The main window's label.
const MAIN_WINDOW: &str = "main";

/// Builds and runs the app until the user quits.
pub fn run() {
    // First thing: the startup mark times from here.
    let startup = startup::StartupMark::now();
    let app = tauri::Builder::default()
        // A second launch focuses the running window instead.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app)
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .manage(PendingOpen::default())
        .manage(startup)
        .setup(|app| setup(app.handle()).map_err(|e| -> Box<dyn std::error::Error> { e.into() }))
        .on_window_event(|window, event| match event {
            // Closing the window keeps the app syncing in the tray.
            WindowEvent::CloseRequested { api, .. } if window.label() == MAIN_WINDOW => {
                api.prevent_close();
                let _ = window.hide();
            }
            WindowEvent::Focused(true) => open_pending(window.app_handle()),
            _ => {}
        })
        .invoke_handler(tauri::generate_handler![
            // status and settings
            commands::app_status,
            commands::get_settings,
            commands::save_settings,
            commands::store_client_secret,
            commands::start_device_sign_in,
            commands::finish_device_sign_in,
            commands::use_demo_mode,
            // portfolio and tenant panels
            commands::portfolio,
            commands::tenants,
            commands::tenant_incidents,
            commands::tenant_alerts,
            commands::alert_evidence,
            commands::tenant_recommendations,
            // incidents
            commands::incident_detail,
            commands::update_incident,
            commands::remediation_candidates,
            commands::remediate_user,
            // health, audit, local alerts, sync
            commands::health,
            commands::audit,
            commands::local_alerts,
            commands::acknowledge_local_alert,
            commands::sync_now,
            // links
            commands::open_in_portal,
            // startup time in the log
            startup::mark_first_rows_painted,
        ])
        .build(tauri::generate_context!())
        .expect("the app could not be built");

    app.run(|_, _| {});
}

/// Opens the cache, picks the session and installs the tray.
fn setup(app: &AppHandle) -> Result<(), String> {
    let data_dir = std::env::var_os("MANAGE365_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            app.path()
                .app_data_dir()
                .unwrap_or_else(|_| connect::default_data_dir())
        });
    let log_dir = app
        .path()
        .app_log_dir()
        .unwrap_or_else(|_| data_dir.join("logs"));
    if let Some(guard) = logs::init(&log_dir) {
        app.manage(LogGuard(Mutex::new(Some(guard))));
    }
    info!(version = env!("CARGO_PKG_VERSION"), data_dir = %data_dir.display(), "app starting");

    let started = std::time::Instant::now();
    let main = Desk::open(&data_dir, "app").map_err(|e| format!("cannot open the cache: {e}"))?;
    let cache_ms = started.elapsed().as_millis() as u64;
    let keychain = state::open_keychain();
    let keychain_ms = started.elapsed().as_millis() as u64 - cache_ms;
    let session = tauri::async_runtime::block_on(state::start_session(
        app,
        &data_dir,
        &main,
        keychain.as_ref(),
    ))
    .map_err(|e| {
        error!(error = %e, "could not start a session");
        format!("could not start: {e}")
    })?;
    let session_ms = started.elapsed().as_millis() as u64 - cache_ms - keychain_ms;
    info!(mode = ?session.mode, cache_ms, keychain_ms, session_ms, "session started");

    app.manage(AppState {
        data_dir,
        main,
        keychain,
        session: tokio::sync::RwLock::new(session),
        device_sign_in: Mutex::new(None),
    });
    tray::install(app).map_err(|e| format!("cannot create the tray icon: {e}"))?;
    Ok(())
}

/// Keeps the log writer flushing until exit.
struct LogGuard(#[allow(dead_code)] Mutex<Option<tracing_appender::non_blocking::WorkerGuard>>);

/// Shows, unminimizes and focuses the main window.
pub(crate) fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    open_pending(app);
}

/// Opens the incident of a recent re-open notification, once.
fn open_pending(app: &AppHandle) {
    if let Some(target) = app.state::<PendingOpen>().take_recent() {
        let _ = app.emit(events::OPEN_INCIDENT, target);
    }
}
