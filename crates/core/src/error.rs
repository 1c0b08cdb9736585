//! The engine's top-level error and the stable codes front ends branch on.
//!
//! Each module has its own error enum where callers tell cases apart
//! (`graph::Error`, `store::Error`, `auth::Error`); this type wraps them and
//! adds the refusals the services make themselves before anything is sent.

use serde::Serialize;

/// A stable category for a failure; the desktop UI and the CLI decide what
/// to do by this, never by message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorCode {
    /// The input was refused locally; nothing was sent.
    Invalid,
    /// The tenant, incident or alert does not exist in the cache.
    NotFound,
    /// Graph could not be reached.
    Offline,
    /// Graph is throttling us; try again later.
    Throttled,
    /// Sign-in is missing, expired or refused.
    AuthExpired,
    /// GDAP or Graph permissions do not allow this.
    Forbidden,
    /// Anything else: Graph refused for another reason, the cache failed.
    Internal,
}

/// Everything a service can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input refused before sending anything. `field` names the form field
    /// it concerns (`status`, `classification`, `determination`,
    /// `assignedTo`, `comment`), when one does.
    #[error("{message}")]
    Invalid {
        /// The field the message belongs beside, in camelCase.
        field: Option<&'static str>,
        /// What is wrong and what to do, for a person.
        message: String,
    },
    /// Not in the cache.
    #[error("{0}")]
    NotFound(String),
    /// The tenant's GDAP roles or the app's settings forbid the write.
    #[error("{0}")]
    Forbidden(String),
    /// Graph answered with an error, or could not be reached.
    #[error(transparent)]
    Graph(#[from] crate::graph::Error),
    /// The local cache failed.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    /// No Graph connection is configured (no credentials yet).
    #[error("{0}")]
    NotConnected(String),
    /// Credentials or sign-in failed.
    #[error(transparent)]
    Auth(#[from] crate::auth::Error),
}

impl Error {
    /// Shorthand for a refusal tied to a form field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: Some(field),
            message: message.into(),
        }
    }

    /// The category front ends branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } => ErrorCode::Invalid,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::Graph(e) => e.code(),
            Error::Store(_) => ErrorCode::Internal,
            Error::NotConnected(_) => ErrorCode::AuthExpired,
            Error::Auth(e) => e.code(),
        }
    }

    /// The `{ code, message, field }` value both front ends show.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code(), "message": self.to_string(), "field": self.field() })
    }

    /// The form field a refusal concerns, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } => *field,
            _ => None,
        }
    }
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
