//! Secrets in the OS keychain through keyring-core: the client secret per
//! app registration and the partner refresh token per partner tenant.
//!
//! keyring-core calls block (D-Bus on Linux, Security framework on macOS,
//! CredMan on Windows); call these from `spawn_blocking` in async code.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use super::{Error, Secret};

/// The app's secrets in one keychain service.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    /// `None` uses keyring-core's default store (see
    /// [`use_platform_store`]); tests pass their own in-memory store.
    store: Option<Arc<CredentialStore>>,
}

impl Keychain {
    /// Secrets under `service` (e.g. `manage365-desk`) in the default store.
    pub fn new(service: &str) -> Self {
        Keychain {
            service: service.to_string(),
            store: None,
        }
    }

    /// Secrets under `service` in a given store.
    pub fn with_store(store: Arc<CredentialStore>, service: &str) -> Self {
        Keychain {
            service: service.to_string(),
            store: Some(store),
        }
    }

    fn entry(&self, user: &str) -> Result<Entry, Error> {
        let entry = match &self.store {
            Some(store) => Entry::new_in_store(store, &self.service, user),
            None => Entry::new(&self.service, user),
        };
        entry.map_err(keychain_error)
    }

    fn set(&self, user: &str, secret: &Secret) -> Result<(), Error> {
        self.entry(user)?
            .set_password(secret.expose())
            .map_err(keychain_error)
    }

    fn get(&self, user: &str) -> Result<Option<Secret>, Error> {
        match self.entry(user)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn delete(&self, user: &str) -> Result<(), Error> {
        match self.entry(user)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    /// Stores the client secret of app registration `client_id`.
    pub fn set_client_secret(&self, client_id: &str, secret: &Secret) -> Result<(), Error> {
        self.set(&client_secret_user(client_id), secret)
    }

    /// The stored client secret of `client_id`, if any.
    pub fn client_secret(&self, client_id: &str) -> Result<Option<Secret>, Error> {
        self.get(&client_secret_user(client_id))
    }

    /// Forgets the client secret of `client_id` (no error if absent).
    pub fn delete_client_secret(&self, client_id: &str) -> Result<(), Error> {
        self.delete(&client_secret_user(client_id))
    }

    /// Stores the partner user's refresh token for `partner_tenant`.
    pub fn set_refresh_token(&self, partner_tenant: &str, token: &Secret) -> Result<(), Error> {
        self.set(&refresh_token_user(partner_tenant), token)
    }

    /// The stored refresh token for `partner_tenant`, if any.
    pub fn refresh_token(&self, partner_tenant: &str) -> Result<Option<Secret>, Error> {
        self.get(&refresh_token_user(partner_tenant))
    }

    /// Forgets the refresh token for `partner_tenant` (sign out).
    pub fn delete_refresh_token(&self, partner_tenant: &str) -> Result<(), Error> {
        self.delete(&refresh_token_user(partner_tenant))
    }
}

fn client_secret_user(client_id: &str) -> String {
    format!("client-secret:{client_id}")
}

fn refresh_token_user(partner_tenant: &str) -> String {
    format!("refresh-token:{partner_tenant}")
}

/// keyring-core errors carry platform errors that are not `Clone`; keep
/// their text (which never contains the secret itself).
fn keychain_error(error: keyring_core::Error) -> Error {
    match error {
        keyring_core::Error::NoDefaultStore => {
            Error::NoPlatformStore("no default store was set; call use_platform_store".into())
        }
        keyring_core::Error::BadEncoding(_) => {
            Error::Keychain("a stored secret is not valid UTF-8".into())
        }
        other => Error::Keychain(other.to_string()),
    }
}

/// Makes the OS store keyring-core's default: Secret Service over D-Bus on
/// Linux, Credential Manager on Windows, the login Keychain on macOS.
/// Call once at startup, before any [`Keychain::new`] is used.
pub fn use_platform_store() -> Result<(), Error> {
    let store = platform_store()?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, Error> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| Error::NoPlatformStore(e.to_string()))?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, Error> {
    let store = windows_native_keyring_store::Store::new()
        .map_err(|e| Error::NoPlatformStore(e.to_string()))?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, Error> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|e| Error::NoPlatformStore(e.to_string()))?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn platform_store() -> Result<Arc<CredentialStore>, Error> {
    Err(Error::NoPlatformStore(
        "this operating system has no supported keychain".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keychain() -> Keychain {
        let store: Arc<CredentialStore> = keyring_core::sample::Store::new().unwrap();
        Keychain::with_store(store, "manage365-test")
    }

    #[test]
    fn client_secrets_round_trip_per_client_id() {
        let keychain = keychain();

        keychain
            .set_client_secret("app-1", &Secret::new("s1"))
            .unwrap();
        keychain
            .set_client_secret("app-2", &Secret::new("s2"))
            .unwrap();

        assert_eq!(
            keychain.client_secret("app-1").unwrap(),
            Some(Secret::new("s1"))
        );
        assert_eq!(
            keychain.client_secret("app-2").unwrap(),
            Some(Secret::new("s2"))
        );
    }

    #[test]
    fn missing_secrets_are_none_and_deleting_twice_is_fine() {
        let keychain = keychain();
        keychain
            .set_refresh_token("partner", &Secret::new("rt"))
            .unwrap();

        keychain.delete_refresh_token("partner").unwrap();
        keychain.delete_refresh_token("partner").unwrap();

        assert_eq!(keychain.refresh_token("partner").unwrap(), None);
        assert_eq!(keychain.client_secret("nobody").unwrap(), None);
    }

    #[test]
    fn refresh_tokens_do_not_collide_with_client_secrets() {
        let keychain = keychain();

        keychain
            .set_client_secret("same", &Secret::new("secret"))
            .unwrap();
        keychain
            .set_refresh_token("same", &Secret::new("token"))
            .unwrap();

        assert_eq!(
            keychain.client_secret("same").unwrap(),
            Some(Secret::new("secret"))
        );
        assert_eq!(
            keychain.refresh_token("same").unwrap(),
            Some(Secret::new("token"))
        );
    }
}
