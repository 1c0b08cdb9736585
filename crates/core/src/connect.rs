//! Where the engine's Graph connection comes from: the `AZURE_*`
//! environment variables (as azure-identity reads them), or the settings'
//! app registration with its secret or refresh token from the OS keychain.
//!
//! Both front ends call [`resolve`]; neither reads credentials itself.

use std::path::PathBuf;

use crate::auth::{self, Credential, Keychain};
use crate::graph::{GraphClient, GraphConfig};
use crate::settings::Settings;
use crate::Result;

/// The keychain service name every credential is filed under.
pub const KEYCHAIN_SERVICE: &str = "com.manage365.desk";

/// A ready connection and where its credential came from.
pub struct Connection {
    /// The client, holding the credential in memory only.
    pub client: GraphClient,
    /// `environment`, `client_secret` or `device_code`.
    pub source: &'static str,
}

/// Builds the Graph connection the settings and environment allow, or
/// `None` when no credential is available. Environment variables win, so
/// headless runs never touch the keychain.
pub fn resolve(settings: &Settings, keychain: Option<&Keychain>) -> Result<Option<Connection>> {
    let base = settings.graph_config();
    if let Some(env) = auth::credential_from_env() {
        let config = GraphConfig {
            client_id: env.client_id,
            partner_tenant: env.tenant_id,
            ..base
        };
        let client = GraphClient::new(config, env.credential)?;
        return Ok(Some(Connection {
            client,
            source: "environment",
        }));
    }
    if !settings.has_app_registration() {
        return Ok(None);
    }
    let Some(keychain) = keychain else {
        return Ok(None);
    };

    let (credential, source) = if let Some(secret) = keychain.client_secret(&base.client_id)? {
        (Credential::ClientSecret(secret), "client_secret")
    } else if let Some(token) = keychain.refresh_token(&base.partner_tenant)? {
        (Credential::RefreshToken(token), "device_code")
    } else {
        return Ok(None);
    };
    let client = GraphClient::new(base, credential)?;
    Ok(Some(Connection { client, source }))
}

/// The folder the desktop app keeps its cache in, shared with the CLI's
/// default: the platform's data folder plus the app identifier.
pub fn default_data_dir() -> PathBuf {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(target_os = "windows") {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local").join("share")))
    };
    base.unwrap_or_else(|| PathBuf::from("."))
        .join(KEYCHAIN_SERVICE)
}
