// Declares the app's own commands so the capability in tauri.conf.json can
// grant exactly the ones the UI calls (tauri-build generates an
// `allow-<command>` permission for each).
const COMMANDS: &[&str] = &[
    "app_status",
    "get_settings",
    "save_settings",
    "store_client_secret",
    "start_device_sign_in",
    "finish_device_sign_in",
    "use_demo_mode",
    "portfolio",
    "tenants",
    "tenant_incidents",
    "tenant_alerts",
    "alert_evidence",
    "tenant_recommendations",
    "incident_detail",
    "update_incident",
    "remediation_candidates",
    "remediate_user",
    "health",
    "audit",
    "local_alerts",
    "acknowledge_local_alert",
    "sync_now",
    "open_in_portal",
    "mark_first_rows_painted",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build step failed");
}
