//! The analyst's non-secret settings: which cloud and app registration to
//! use, how often to sync, and the safety switches.
//!
//! Settings live in the cache's settings table as one JSON value. Secrets
//! never do: the client secret and refresh tokens go to the OS keychain
//! through [`crate::auth::Keychain`].

use serde::{Deserialize, Serialize};

use crate::graph::{Cloud, GraphConfig};

/// The key the settings are stored under.
pub const SETTINGS_KEY: &str = "settings";

/// Non-secret settings, as the Settings page edits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// `global`, `us_government`, `china` or `custom`.
    pub cloud: String,
    /// Graph host root (used as is for `custom`).
    pub graph_url: String,
    /// Login host root (used as is for `custom`).
    pub login_url: String,
    /// The MSP's own (partner) tenant id.
    pub partner_tenant: String,
    /// The app registration's client id.
    pub client_id: String,
    /// Minutes between scheduled syncs.
    pub refresh_minutes: u32,
    /// Show a system notification when an incident re-opens.
    pub notifications: bool,
    /// Refuse every write to customer tenants.
    pub read_only: bool,
    /// Serve built-in demo tenants from an in-process simulator.
    pub demo: bool,
    /// How the app signed in last: `client_secret`, `device_code`,
    /// `environment`, `demo`, or none yet.
    pub sign_in: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        let global = GraphConfig::for_cloud(Cloud::Global);
        Settings {
            cloud: "global".into(),
            graph_url: global.graph_url,
            login_url: global.login_url,
            partner_tenant: String::new(),
            client_id: String::new(),
            refresh_minutes: 15,
            notifications: true,
            read_only: false,
            demo: false,
            sign_in: None,
        }
    }
}

impl Settings {
    /// The refresh interval, clamped to 1 minute .. 1 day.
    pub fn refresh_interval(&self) -> std::time::Duration {
        let minutes = self.refresh_minutes.clamp(1, 24 * 60);
        std::time::Duration::from_secs(u64::from(minutes) * 60)
    }

    /// The Graph client settings these settings describe. For a named
    /// cloud the hosts come from the cloud, for `custom` from the fields.
    pub fn graph_config(&self) -> GraphConfig {
        let cloud = match self.cloud.as_str() {
            "us_government" => Cloud::UsGovernment,
            "china" => Cloud::China,
            "custom" => Cloud::Custom {
                graph_url: self.graph_url.trim_end_matches('/').to_string(),
                login_url: self.login_url.trim_end_matches('/').to_string(),
            },
            _ => Cloud::Global,
        };
        let mut config = GraphConfig::for_cloud(cloud);
        config.client_id = self.client_id.clone();
        config.partner_tenant = self.partner_tenant.clone();
        config
    }

    /// True when a client id and partner tenant are set.
    pub fn has_app_registration(&self) -> bool {
        !self.client_id.trim().is_empty() && !self.partner_tenant.trim().is_empty()
    }
}
