//! The commands the web UI calls (`docs/ipc.md`). Each takes the state
//! and arguments, calls one engine service, and maps the error; anything
//! more belongs in the engine where it is tested without a window.

use manage365_core::auth::Secret;
use manage365_core::model::{Evidence, IncidentUpdate, RemediationStep};
use manage365_core::settings::Settings;
use manage365_core::views::{
    AuditEntry, Health, IncidentDetail, LocalAlert, PortfolioPage, PortfolioQuery,
    RemediationReport, SyncProgress, TenantAlerts, TenantRecommendations, TenantSummary,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::{AppState, Mode};

/// What the header line and banners show.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    mode: Mode,
    offline: bool,
    data_as_of: Option<chrono::DateTime<chrono::Utc>>,
    syncing: Option<SyncProgress>,
    read_only: bool,
    notifications: bool,
    version: String,
}

/// Settings as the UI sees them: never a secret, only whether one is
/// stored.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    cloud: String,
    graph_url: String,
    login_url: String,
    partner_tenant: String,
    client_id: String,
    has_client_secret: bool,
    sign_in: Option<String>,
    refresh_minutes: u32,
    notifications: bool,
    read_only: bool,
    demo: bool,
}

/// The settings the UI may change.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInput {
    cloud: String,
    graph_url: String,
    login_url: String,
    partner_tenant: String,
    client_id: String,
    refresh_minutes: u32,
    notifications: bool,
    read_only: bool,
}

/// The code and link of a device-code sign-in.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCode {
    user_code: String,
    verification_uri: String,
    message: String,
    expires_in: u64,
}

/// Builds the status for the UI (also sent as `status-changed`); `None`
/// while the app is still starting.
pub async fn status_of(app: &AppHandle) -> Option<AppStatus> {
    let state = app.try_state::<AppState>()?;
    let session = state.session.read().await;
    let scheduler = session.desk.scheduler_status();
    let settings = state.main.settings();
    let data_as_of = session.desk.health().await.ok().and_then(|h| {
        h.runs
            .iter()
            .find(|r| r.outcome == "ok" || r.outcome == "partial")
            .and_then(|r| r.finished_at)
    });
    Some(AppStatus {
        mode: session.mode,
        offline: scheduler.offline,
        data_as_of,
        syncing: scheduler.progress,
        read_only: settings.read_only,
        notifications: settings.notifications,
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn app_status(app: AppHandle) -> CommandResult<AppStatus> {
    status_of(&app)
        .await
        .ok_or_else(|| CommandError::internal("the app is still starting"))
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn portfolio(
    state: State<'_, AppState>,
    query: PortfolioQuery,
) -> CommandResult<PortfolioPage> {
    Ok(state.desk().await.portfolio(query).await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn tenants(state: State<'_, AppState>) -> CommandResult<Vec<TenantSummary>> {
    Ok(state.desk().await.tenants().await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn tenant_incidents(
    state: State<'_, AppState>,
    tenant_id: String,
    query: PortfolioQuery,
) -> CommandResult<PortfolioPage> {
    Ok(state
        .desk()
        .await
        .tenant_incidents(&tenant_id, query)
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn tenant_alerts(
    state: State<'_, AppState>,
    tenant_id: String,
    mitre: Option<String>,
) -> CommandResult<TenantAlerts> {
    let mitre = mitre.filter(|m| !m.trim().is_empty());
    Ok(state.desk().await.tenant_alerts(&tenant_id, mitre).await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn alert_evidence(
    state: State<'_, AppState>,
    tenant_id: String,
    alert_id: String,
) -> CommandResult<Vec<Evidence>> {
    Ok(state
        .desk()
        .await
        .alert_evidence(&tenant_id, &alert_id)
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn tenant_recommendations(
    state: State<'_, AppState>,
    tenant_id: String,
) -> CommandResult<TenantRecommendations> {
    Ok(state
        .desk()
        .await
        .tenant_recommendations(&tenant_id)
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn incident_detail(
    state: State<'_, AppState>,
    tenant_id: String,
    incident_id: String,
) -> CommandResult<IncidentDetail> {
    Ok(state
        .desk()
        .await
        .incident_detail(&tenant_id, &incident_id)
        .await?)
}

#[tauri::command]
#[instrument(skip(state, update), err(Debug))]
pub async fn update_incident(
    state: State<'_, AppState>,
    tenant_id: String,
    incident_id: String,
    update: IncidentUpdate,
) -> CommandResult<IncidentDetail> {
    Ok(state
        .desk()
        .await
        .update_incident(&tenant_id, &incident_id, update)
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn remediation_candidates(
    state: State<'_, AppState>,
    tenant_id: String,
    incident_id: String,
) -> CommandResult<Vec<String>> {
    Ok(state
        .desk()
        .await
        .remediation_candidates(&tenant_id, &incident_id)
        .await?)
}

/// Runs the compromised-user playbook. The report may carry a one-time
/// temporary password: it goes to the window once and nowhere else (the
/// span below records no arguments and no result).
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn remediate_user(
    state: State<'_, AppState>,
    tenant_id: String,
    upn: String,
    steps: Vec<RemediationStep>,
    incident_id: Option<String>,
) -> CommandResult<RemediationReport> {
    let desk = state.desk().await;
    Ok(desk
        .remediate_user(&tenant_id, &upn, &steps, incident_id.as_deref())
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn health(state: State<'_, AppState>) -> CommandResult<Health> {
    Ok(state.desk().await.health().await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn audit(
    state: State<'_, AppState>,
    tenant_id: Option<String>,
    incident_id: Option<String>,
    limit: Option<u32>,
) -> CommandResult<Vec<AuditEntry>> {
    let desk = state.desk().await;
    Ok(desk
        .audit(tenant_id, incident_id, limit.unwrap_or(200))
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn local_alerts(
    state: State<'_, AppState>,
    include_acknowledged: bool,
) -> CommandResult<Vec<LocalAlert>> {
    Ok(state
        .desk()
        .await
        .local_alerts(include_acknowledged)
        .await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn acknowledge_local_alert(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    Ok(state.desk().await.acknowledge_local_alert(id).await?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    let session = state.session.read().await;
    match &session.scheduler {
        Some(scheduler) => {
            scheduler.sync_now();
            Ok(())
        }
        None => Err(CommandError::from(manage365_core::Error::NotConnected(
            "Sign in under Settings before syncing".into(),
        ))),
    }
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    settings_view(&state).await
}

#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: SettingsInput,
) -> CommandResult<SettingsView> {
    let current = state.main.settings();
    let next = Settings {
        cloud: settings.cloud,
        graph_url: settings.graph_url,
        login_url: settings.login_url,
        partner_tenant: settings.partner_tenant.trim().to_string(),
        client_id: settings.client_id.trim().to_string(),
        refresh_minutes: settings.refresh_minutes,
        notifications: settings.notifications,
        read_only: settings.read_only,
        ..current.clone()
    };
    state.main.save_settings(next.clone()).await?;
    // The demo session keeps its own copy of the switches it honours.
    let desk = state.desk().await;
    if desk.settings() != next {
        desk.save_settings(Settings {
            demo: desk.settings().demo,
            ..next.clone()
        })
        .await?;
    }
    let reconnect = current.graph_config() != next.graph_config()
        || current.refresh_minutes != next.refresh_minutes;
    if reconnect {
        state.restart_session(&app).await?;
    }
    settings_view(&state).await
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn store_client_secret(
    app: AppHandle,
    state: State<'_, AppState>,
    secret: String,
) -> CommandResult<SettingsView> {
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(CommandError::invalid("The client secret is empty"));
    }
    let keychain = keychain(&state)?;
    let mut settings = state.main.settings();
    if !settings.has_app_registration() {
        return Err(CommandError::invalid(
            "Save the partner tenant and client id before storing the secret",
        ));
    }
    let (keychain, client_id) = (keychain.clone(), settings.client_id.clone());
    let secret = Secret::new(secret);
    tauri::async_runtime::spawn_blocking(move || keychain.set_client_secret(&client_id, &secret))
        .await
        .map_err(|e| CommandError::internal(format!("keychain task failed: {e}")))??;
    settings.sign_in = Some("client_secret".into());
    settings.demo = false;
    state.main.save_settings(settings).await?;
    state.restart_session(&app).await?;
    settings_view(&state).await
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn start_device_sign_in(state: State<'_, AppState>) -> CommandResult<DeviceCode> {
    let settings = state.main.settings();
    if !settings.has_app_registration() {
        return Err(CommandError::invalid(
            "Save the partner tenant and client id first",
        ));
    }
    let flow = manage365_core::auth::start_device_sign_in(&settings.graph_config()).await?;
    let code = DeviceCode {
        user_code: flow.user_code().to_string(),
        verification_uri: flow.verification_uri().to_string(),
        message: flow.message().unwrap_or_default().to_string(),
        expires_in: flow.expires_in().as_secs(),
    };
    *state.device_sign_in.lock().expect("sign-in slot poisoned") = Some(flow);
    Ok(code)
}

#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn finish_device_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<SettingsView> {
    let flow = state
        .device_sign_in
        .lock()
        .expect("sign-in slot poisoned")
        .take()
        .ok_or_else(|| CommandError::invalid("Start the device sign-in first"))?;
    let refresh_token = flow.finish().await?;
    let mut settings = state.main.settings();
    let (keychain, partner) = (keychain(&state)?.clone(), settings.partner_tenant.clone());
    tauri::async_runtime::spawn_blocking(move || {
        keychain.set_refresh_token(&partner, &refresh_token)
    })
    .await
    .map_err(|e| CommandError::internal(format!("keychain task failed: {e}")))??;
    settings.sign_in = Some("device_code".into());
    settings.demo = false;
    state.main.save_settings(settings).await?;
    state.restart_session(&app).await?;
    settings_view(&state).await
}

#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn use_demo_mode(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<SettingsView> {
    let mut settings = state.main.settings();
    settings.demo = true;
    state.main.save_settings(settings).await?;
    state.restart_session(&app).await?;
    settings_view(&state).await
}

#[tauri::command]
#[instrument(skip(app), err(Debug))]
pub async fn open_in_portal(app: AppHandle, url: String) -> CommandResult<()> {
    let url = crate::links::portal_url(&url).map_err(CommandError::invalid)?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| CommandError::internal(format!("could not open the browser: {e}")))
}

fn keychain<'a>(
    state: &'a State<'_, AppState>,
) -> CommandResult<&'a manage365_core::auth::Keychain> {
    state.keychain.as_ref().ok_or_else(|| {
        CommandError::internal(
            "No OS keychain is reachable, so the secret cannot be stored safely. \
             On Linux, start a Secret Service (GNOME Keyring or KeePassXC).",
        )
    })
}

async fn settings_view(state: &State<'_, AppState>) -> CommandResult<SettingsView> {
    let mut settings = crate::state::with_env_overrides(state.main.settings());
    let demo = state.session.read().await.mode == Mode::Demo;
    // Environment credentials win over saved ones (see `connect::resolve`),
    // so show the registration they name; the secret stays unshown.
    if let Some(env) = manage365_core::auth::credential_from_env() {
        settings.client_id = env.client_id;
        settings.partner_tenant = env.tenant_id;
        settings.sign_in = Some("environment".into());
    }
    let has_client_secret = match (state.keychain.clone(), settings.client_id.is_empty()) {
        (Some(keychain), false) => {
            let client_id = settings.client_id.clone();
            // The keychain answers over D-Bus (or the OS API): off the async
            // workers.
            tauri::async_runtime::spawn_blocking(move || keychain.client_secret(&client_id))
                .await
                .map_err(|e| CommandError::internal(format!("keychain task failed: {e}")))??
                .is_some()
        }
        _ => false,
    };
    Ok(SettingsView {
        cloud: settings.cloud,
        graph_url: settings.graph_url,
        login_url: settings.login_url,
        partner_tenant: settings.partner_tenant,
        client_id: settings.client_id,
        has_client_secret,
        sign_in: settings.sign_in,
        refresh_minutes: settings.refresh_minutes,
        notifications: settings.notifications,
        read_only: settings.read_only,
        demo,
    })
}
