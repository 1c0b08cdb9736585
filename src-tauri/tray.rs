//! The tray icon: open, refresh now, quit, and a tooltip counting active
//! high-severity incidents. Closing the window leaves the app here,
//! syncing.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// The tray icon's id (tests find its window by this name).
pub const TRAY_ID: &str = "main-tray";

/// Builds the tray icon and its menu.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Manage365 Desk", true, None::<&str>)?;
    let refresh = MenuItem::with_id(app, "refresh", "Refresh now", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &refresh, &separator, &quit])?;

    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Manage365 Desk")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => crate::show_main_window(app),
            "refresh" => refresh_now(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// Shows the count of active high-severity incidents on hover.
pub fn set_active_high(app: &AppHandle, count: u32) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let text = match count {
            0 => "Manage365 Desk — no active high-severity incidents".to_string(),
            1 => "Manage365 Desk — 1 active high-severity incident".to_string(),
            n => format!("Manage365 Desk — {n} active high-severity incidents"),
        };
        let _ = tray.set_tooltip(Some(text));
    }
}

fn refresh_now(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let session = state.session.read().await;
        if let Some(scheduler) = &session.scheduler {
            scheduler.sync_now();
        }
    });
}
