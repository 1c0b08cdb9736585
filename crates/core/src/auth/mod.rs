//! Credentials: what the app signs in with, where it is kept, and how a
//! partner user signs in.
//!
//! Secrets live only in the OS keychain ([`Keychain`]) and in memory as a
//! [`Secret`], whose `Debug` and `Display` print `***` so a stray log line
//! cannot leak one. Turning a credential into per-tenant access tokens is
//! the Graph client's job (`graph::GraphClient`); this module supplies the
//! long-lived credential: a client secret, or a partner refresh token from
//! the device-code sign-in in [`device`].

mod device;
mod keychain;

pub use device::{start_device_sign_in, DeviceSignIn};
pub use keychain::{use_platform_store, Keychain};

use crate::ErrorCode;

/// A secret string (client secret, refresh token). Never printed; read it
/// with [`Secret::expose`] at the one place that sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// What the Graph client signs in with, in every tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The app registration's client secret: app-only tokens through the
    /// client-credentials grant, one per customer tenant.
    ClientSecret(Secret),
    /// A partner user's refresh token (from device-code sign-in), redeemed
    /// against each customer tenant; GDAP roles decide what works.
    RefreshToken(Secret),
}

/// A credential found in the environment, as azure-identity reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvCredential {
    /// `AZURE_CLIENT_ID`.
    pub client_id: String,
    /// `AZURE_TENANT_ID`: the partner tenant.
    pub tenant_id: String,
    /// `AZURE_CLIENT_SECRET`, as a client-secret credential.
    pub credential: Credential,
}

/// Reads `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_CLIENT_SECRET`;
/// `None` unless all three are set and non-empty.
pub fn credential_from_env() -> Option<EnvCredential> {
    credential_from_lookup(|name| std::env::var(name).ok())
}

fn credential_from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<EnvCredential> {
    let read = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Some(EnvCredential {
        client_id: read("AZURE_CLIENT_ID")?,
        tenant_id: read("AZURE_TENANT_ID")?,
        credential: Credential::ClientSecret(Secret::new(read("AZURE_CLIENT_SECRET")?)),
    })
}

/// Credential and sign-in failures.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The OS keychain refused or failed.
    #[error("the system keychain failed: {0}")]
    Keychain(String),
    /// No OS keychain is available on this machine.
    #[error("no system keychain is available: {0}")]
    NoPlatformStore(String),
    /// The person declined the sign-in.
    #[error("sign-in was declined")]
    SignInDeclined,
    /// The device code expired before the person finished signing in.
    #[error("the sign-in code expired; start the sign-in again")]
    SignInExpired,
    /// Microsoft refused the sign-in.
    #[error("Microsoft refused the sign-in ({code}): {message}")]
    SignIn {
        /// OAuth error or `AADSTSnnnn`.
        code: String,
        /// What Microsoft said.
        message: String,
    },
    /// Sign-in succeeded but gave no refresh token (no `offline_access`).
    #[error("sign-in returned no refresh token; the app needs the offline_access permission")]
    NoRefreshToken,
    /// The identity platform could not be reached.
    #[error("cannot reach Microsoft sign-in: {0}")]
    Offline(String),
    /// The settings given are unusable (bad URL, empty client id).
    #[error("sign-in settings are invalid: {0}")]
    Config(String),
}

impl Error {
    /// The stable category front ends branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Keychain(_) | Error::NoPlatformStore(_) => ErrorCode::Internal,
            Error::Offline(_) => ErrorCode::Offline,
            Error::Config(_) => ErrorCode::Invalid,
            Error::SignInDeclined
            | Error::SignInExpired
            | Error::SignIn { .. }
            | Error::NoRefreshToken => ErrorCode::AuthExpired,
        }
    }
}

/// An error and its causes, joined: transport errors say little at the
/// top level ("error sending request").
pub(crate) fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        let credential = Credential::ClientSecret(secret.clone());

        assert_eq!(format!("{secret}"), "***");
        assert!(!format!("{credential:?}").contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn env_credential_needs_all_three_variables() {
        let mut vars: HashMap<&str, &str> = HashMap::from([
            ("AZURE_CLIENT_ID", "app"),
            ("AZURE_TENANT_ID", "partner"),
            ("AZURE_CLIENT_SECRET", "s3cret"),
        ]);

        let found = credential_from_lookup(|n| vars.get(n).map(|v| v.to_string()));
        let found = found.expect("all three set");
        assert_eq!(found.client_id, "app");
        assert_eq!(
            found.credential,
            Credential::ClientSecret(Secret::new("s3cret"))
        );

        vars.insert("AZURE_CLIENT_SECRET", " ");
        assert!(credential_from_lookup(|n| vars.get(n).map(|v| v.to_string())).is_none());
    }
}
