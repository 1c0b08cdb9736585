//! Device-code sign-in for the delegated partner flow: the analyst enters
//! a short code at Microsoft's page, we poll the token endpoint, and keep
//! the refresh token that later redeems per customer tenant.
//!
//! Runs against the partner tenant with the public-client grant (no
//! secret); the refresh token is returned, not stored: the caller puts it
//! in the [`Keychain`](super::Keychain).

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, DeviceAuthorizationResponse, DeviceAuthorizationUrl,
    DeviceCodeErrorResponseType, ExtraDeviceAuthorizationFields, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::{source_chain, Error, Secret};
use crate::graph::GraphConfig;

/// The identity platform adds a ready-made instruction to its device-code
/// answer; RFC 8628 does not have it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MicrosoftDeviceFields {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for MicrosoftDeviceFields {}

/// A sign-in waiting for the person to enter the code.
pub struct DeviceSignIn {
    config: GraphConfig,
    http: reqwest::Client,
    details: DeviceAuthorizationResponse<MicrosoftDeviceFields>,
}

impl std::fmt::Debug for DeviceSignIn {
    // The device code is a bearer secret while the sign-in is pending.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSignIn")
            .field("user_code", &self.user_code())
            .field("verification_uri", &self.verification_uri())
            .finish_non_exhaustive()
    }
}

fn endpoints(config: &GraphConfig) -> Result<(DeviceAuthorizationUrl, TokenUrl), Error> {
    let tenant = &config.partner_tenant;
    let device = DeviceAuthorizationUrl::new(config.device_code_url(tenant))
        .map_err(|e| Error::Config(format!("login URL: {e}")))?;
    let token = TokenUrl::new(config.token_url(tenant))
        .map_err(|e| Error::Config(format!("login URL: {e}")))?;
    Ok((device, token))
}

/// Asks the partner tenant for a device code. Show [`DeviceSignIn::message`]
/// (or the code and URI) to the person, then await [`DeviceSignIn::finish`].
pub async fn start_device_sign_in(config: &GraphConfig) -> Result<DeviceSignIn, Error> {
    if config.client_id.is_empty() || config.partner_tenant.is_empty() {
        return Err(Error::Config(
            "client id and partner tenant are required".into(),
        ));
    }
    let (device_url, _) = endpoints(config)?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.request_timeout)
        .build()
        .map_err(|e| Error::Config(e.to_string()))?;
    let client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_device_authorization_url(device_url);

    let details = client
        .exchange_device_code()
        .add_scope(Scope::new(config.graph_scope()))
        .add_scope(Scope::new("offline_access".into()))
        .request_async(&http)
        .await
        .map_err(|e| {
            sign_in_error(e, |r| {
                (r.error().as_ref().to_string(), r.error_description())
            })
        })?;
    Ok(DeviceSignIn {
        config: config.clone(),
        http,
        details,
    })
}

impl DeviceSignIn {
    /// The short code the person types.
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }

    /// Where they type it (`https://microsoft.com/devicelogin`).
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }

    /// Microsoft's own instruction text, when sent.
    pub fn message(&self) -> Option<&str> {
        self.details.extra_fields().message.as_deref()
    }

    /// How long the code stays valid.
    pub fn expires_in(&self) -> Duration {
        self.details.expires_in()
    }

    /// Polls at the interval Microsoft gave (slowing down when told) until
    /// the person finishes, declines or the code expires; returns the
    /// refresh token.
    pub async fn finish(self) -> Result<Secret, Error> {
        let (device_url, token_url) = endpoints(&self.config)?;
        let client = BasicClient::new(ClientId::new(self.config.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_device_authorization_url(device_url)
            .set_token_uri(token_url);

        let token = client
            .exchange_device_access_token(&self.details)
            .request_async(&self.http, tokio::time::sleep, None)
            .await
            .map_err(|e| match &e {
                RequestTokenError::ServerResponse(r) => match r.error() {
                    DeviceCodeErrorResponseType::AccessDenied => Error::SignInDeclined,
                    DeviceCodeErrorResponseType::ExpiredToken => Error::SignInExpired,
                    _ => sign_in_error(e, |r| {
                        (r.error().as_ref().to_string(), r.error_description())
                    }),
                },
                _ => sign_in_error(e, |r| {
                    (r.error().as_ref().to_string(), r.error_description())
                }),
            })?;
        let refresh = token.refresh_token().ok_or(Error::NoRefreshToken)?;
        Ok(Secret::new(refresh.secret().clone()))
    }
}

/// Maps an oauth2 failure; `describe` pulls (code, description) out of the
/// server's error answer.
fn sign_in_error<RE, T>(
    error: RequestTokenError<RE, T>,
    describe: impl Fn(&T) -> (String, Option<&String>),
) -> Error
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponse + 'static,
{
    match error {
        RequestTokenError::ServerResponse(response) => {
            let (code, description) = describe(&response);
            let message = description
                .and_then(|d| d.lines().next())
                .unwrap_or("no description")
                .to_string();
            Error::SignIn { code, message }
        }
        RequestTokenError::Request(e) => Error::Offline(source_chain(&e)),
        RequestTokenError::Parse(e, _) => Error::SignIn {
            code: "invalid_response".into(),
            message: format!("unexpected answer from the sign-in service: {e}"),
        },
        RequestTokenError::Other(text) => Error::SignIn {
            code: "invalid_response".into(),
            message: text,
        },
    }
}
