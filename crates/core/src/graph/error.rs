//! What can go wrong talking to Graph or the identity platform, classified
//! so that sync knows whether to skip a tenant, wait, or report.
//!
//! Classification looks at the HTTP status first and then at Graph's
//! `error.code` (or the identity platform's `error_codes`), compared
//! case-insensitively. Message text is kept for people but never matched.

use std::time::Duration;

use crate::model::SkipReason;
use crate::ErrorCode;

use super::wire::{AadError, GraphErrorBody};

/// A failed Graph or token call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Graph answered 403 on a security path: the tenant's GDAP roles (or
    /// the app's permissions there) do not cover Defender data.
    #[error(
        "Graph refused access to security data in tenant {tenant} (403 {code}); \
         the tenant needs Security Reader or Security Administrator in GDAP{}",
        request_suffix(request_id)
    )]
    MissingRoles {
        /// The customer tenant.
        tenant: String,
        /// Graph's error code, possibly empty.
        code: String,
        /// Graph's request id, for a support ticket.
        request_id: Option<String>,
    },
    /// The app registration is not consented (no service principal) in
    /// the tenant.
    #[error(
        "the Manage365 app is not consented in tenant {tenant} (AADSTS{aadsts}); \
         an admin of that tenant must grant consent"
    )]
    NotConsented {
        /// The customer tenant.
        tenant: String,
        /// The identity platform's error number.
        aadsts: u32,
    },
    /// The identity platform does not know the tenant (AADSTS90002).
    #[error("tenant {tenant} does not exist or was deleted (AADSTS90002)")]
    UnknownTenant {
        /// The tenant id or name we asked for.
        tenant: String,
    },
    /// Graph or the identity platform could not be reached.
    #[error("cannot reach Microsoft Graph: {detail}")]
    Offline {
        /// What the network stack said (no URL query, no token).
        detail: String,
    },
    /// Graph kept throttling after every retry.
    #[error(
        "Graph is throttling requests{}; try again later",
        wait_suffix(retry_after)
    )]
    Throttled {
        /// How long Graph asked us to wait last time, if it said.
        retry_after: Option<Duration>,
    },
    /// Sign-in failed: a bad or expired client secret, an expired refresh
    /// token, or Graph answered 401.
    #[error("sign-in to Microsoft failed ({code}): {message}")]
    Auth {
        /// `invalid_client`, `invalid_grant`, `AADSTS7000215`, `401`, ...
        code: String,
        /// What Microsoft said, or what we concluded.
        message: String,
    },
    /// Graph refused for any other reason.
    #[error(
        "Graph refused the request ({status} {code}): {message}{}",
        request_suffix(request_id)
    )]
    Api {
        /// HTTP status.
        status: u16,
        /// Graph's `error.code`; may be empty.
        code: String,
        /// Graph's `error.message`.
        message: String,
        /// Graph's request id.
        request_id: Option<String>,
    },
    /// Graph's answer did not have the shape Graph documents.
    #[error("unexpected data from Graph in {what}: {detail}")]
    Decode {
        /// What we were reading ("incidents page").
        what: String,
        /// The field path and the problem.
        detail: String,
    },
    /// `@odata.nextLink` led back to a page already read.
    #[error("Graph paging went in a circle at {path}; stopped to avoid an endless loop")]
    PagingLoop {
        /// The repeated link's path and query.
        path: String,
    },
    /// The client's own settings are unusable.
    #[error("Graph settings are invalid: {0}")]
    Config(String),
}

fn request_suffix(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(" (request id {id})"),
        None => String::new(),
    }
}

fn wait_suffix(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (asked to wait {:.1} s)", wait.as_secs_f64()),
        None => String::new(),
    }
}

impl Error {
    /// The stable category front ends branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::MissingRoles { .. } | Error::NotConsented { .. } => ErrorCode::Forbidden,
            Error::UnknownTenant { .. } => ErrorCode::NotFound,
            Error::Offline { .. } => ErrorCode::Offline,
            Error::Throttled { .. } => ErrorCode::Throttled,
            Error::Auth { .. } => ErrorCode::AuthExpired,
            Error::Api { status: 401, .. } => ErrorCode::AuthExpired,
            Error::Api { status: 403, .. } => ErrorCode::Forbidden,
            Error::Api { status: 404, .. } => ErrorCode::NotFound,
            Error::Config(_) => ErrorCode::Invalid,
            Error::Api { .. } | Error::Decode { .. } | Error::PagingLoop { .. } => {
                ErrorCode::Internal
            }
        }
    }

    /// Why sync should skip the tenant instead of reporting a failure.
    pub fn skip_reason(&self) -> Option<SkipReason> {
        match self {
            Error::MissingRoles { .. } => Some(SkipReason::MissingSecurityRoles),
            Error::NotConsented { .. } => Some(SkipReason::NotConsented),
            _ => None,
        }
    }

    /// Graph's request id, when the failure came with one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::MissingRoles { request_id, .. } | Error::Api { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// Classifies a non-success Graph response. `path` is the request path
    /// (`/v1.0/security/incidents`), `request_id` the response header if
    /// any; the body's `innerError.request-id` is used otherwise.
    pub fn from_graph_response(
        status: u16,
        path: &str,
        tenant: &str,
        body: &[u8],
        request_id: Option<&str>,
        retry_after: Option<Duration>,
    ) -> Error {
        let envelope = serde_json::from_slice::<GraphErrorBody>(body).ok();
        let (code, message, body_request_id) = match envelope {
            Some(e) => {
                let id = e.error.request_id();
                (e.error.code.unwrap_or_default(), e.error.message, id)
            }
            None => (String::new(), None, None),
        };
        let request_id = request_id.map(str::to_string).or(body_request_id);
        let message = message.unwrap_or_else(|| format!("HTTP {status} without an error body"));

        match status {
            401 => Error::Auth {
                code: non_empty(code, "401"),
                message,
            },
            // Conditional Access asks for a fresh sign-in with a 403.
            403 if code.eq_ignore_ascii_case("insufficient_claims") => {
                Error::Auth { code, message }
            }
            403 if is_security_path(path) => Error::MissingRoles {
                tenant: tenant.to_string(),
                code,
                request_id,
            },
            429 => Error::Throttled { retry_after },
            _ => Error::Api {
                status,
                code,
                message,
                request_id,
            },
        }
    }

    /// Classifies an identity platform error answer for `tenant`.
    pub fn from_token_error(tenant: &str, error: &AadError) -> Error {
        let aadsts = error.aadsts();
        match aadsts {
            Some(n @ (700016 | 7000229 | 65001 | 90008 | 90094 | 90095 | 90099 | 500011)) => {
                return Error::NotConsented {
                    tenant: tenant.to_string(),
                    aadsts: n,
                };
            }
            Some(90002) => {
                return Error::UnknownTenant {
                    tenant: tenant.to_string(),
                }
            }
            _ => {}
        }
        let code = match aadsts {
            Some(n) => format!("AADSTS{n}"),
            None => error.error.clone(),
        };
        let message = error
            .error_description
            .as_deref()
            .and_then(|d| d.lines().next())
            .unwrap_or("no description")
            .to_string();
        Error::Auth { code, message }
    }
}

fn non_empty(code: String, fallback: &str) -> String {
    if code.is_empty() {
        fallback.to_string()
    } else {
        code
    }
}

/// True for the Defender paths whose 403 means "no Security role".
pub(crate) fn is_security_path(path: &str) -> bool {
    path.trim_start_matches("/v1.0").starts_with("/security/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORBIDDEN: &str = r#"{"error":{"code":"Forbidden","message":"Missing application roles.",
        "innerError":{"request-id":"req-1","date":"2025-02-13T10:17:06"}}}"#;

    #[test]
    fn forbidden_on_a_security_path_skips_for_missing_roles() {
        let error = Error::from_graph_response(
            403,
            "/v1.0/security/incidents",
            "t1",
            FORBIDDEN.as_bytes(),
            None,
            None,
        );

        assert_eq!(error.skip_reason(), Some(SkipReason::MissingSecurityRoles));
        assert_eq!(error.request_id(), Some("req-1"));
        assert_eq!(error.code(), ErrorCode::Forbidden);
    }

    #[test]
    fn forbidden_elsewhere_is_an_api_error_with_its_code() {
        let error = Error::from_graph_response(
            403,
            "/v1.0/organization",
            "t1",
            FORBIDDEN.as_bytes(),
            None,
            None,
        );

        assert!(matches!(&error, Error::Api { status: 403, code, .. } if code == "Forbidden"));
        assert_eq!(error.skip_reason(), None);
    }

    #[test]
    fn unauthorized_means_sign_in_again() {
        let error =
            Error::from_graph_response(401, "/v1.0/security/incidents", "t", b"", None, None);

        assert_eq!(error.code(), ErrorCode::AuthExpired);
    }

    #[test]
    fn other_statuses_keep_graph_code_and_request_id_in_the_message() {
        let body = br#"{"error":{"code":"BadRequest","message":"Invalid status value."}}"#;
        let error = Error::from_graph_response(
            400,
            "/v1.0/security/incidents/1",
            "t",
            body,
            Some("r-9"),
            None,
        );

        let text = error.to_string();
        assert!(text.contains("400 BadRequest"), "{text}");
        assert!(text.contains("request id r-9"), "{text}");
    }

    #[test]
    fn token_errors_map_consent_tenant_and_secret_codes() {
        let consent = AadError::for_test("unauthorized_client", &[700016]);
        let tenant = AadError::for_test("invalid_request", &[90002]);
        let secret = AadError::for_test("invalid_client", &[7000215]);
        let grant = AadError::for_test("invalid_grant", &[]);

        assert_eq!(
            Error::from_token_error("t", &consent).skip_reason(),
            Some(SkipReason::NotConsented)
        );
        assert!(matches!(
            Error::from_token_error("t", &tenant),
            Error::UnknownTenant { .. }
        ));
        assert_eq!(
            Error::from_token_error("t", &secret).code(),
            ErrorCode::AuthExpired
        );
        assert!(
            matches!(Error::from_token_error("t", &grant), Error::Auth { code, .. } if code == "invalid_grant")
        );
    }
}
