//! The one error type that crosses IPC: `{ code, message, field }`.
//!
//! `code` is the engine's stable [`ErrorCode`]; the UI decides what to show
//! by it. The full error goes to the log; the UI gets the message written
//! for a person and, for refused input, the form field it concerns.

use manage365_core::{Error, ErrorCode};
use serde::Serialize;

/// An error as the web UI receives it.
#[derive(Debug, Serialize, PartialEq)]
pub struct CommandError {
    /// What kind of failure; the UI branches on this.
    pub code: ErrorCode,
    /// What happened and what to do, for a person.
    pub message: String,
    /// The form field a refusal concerns (`assignedTo`), if any.
    pub field: Option<&'static str>,
}

impl CommandError {
    /// A refusal of the shell's own (bad argument from the UI).
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError {
            code: ErrorCode::Invalid,
            message: message.into(),
            field: None,
        }
    }

    /// A failure of the shell itself (window, keychain plumbing).
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError {
            code: ErrorCode::Internal,
            message: message.into(),
            field: None,
        }
    }
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        if error.code() == ErrorCode::Internal {
            tracing::error!(error = ?error, "command failed");
        }
        CommandError {
            code: error.code(),
            message: error.to_string(),
            field: error.field(),
        }
    }
}

impl From<manage365_core::auth::Error> for CommandError {
    fn from(error: manage365_core::auth::Error) -> Self {
        Error::from(error).into()
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_serializes_with_code_message_and_field() {
        let error = CommandError::from(Error::invalid("assignedTo", "Assign to a user in Contoso"));

        let json = serde_json::to_value(&error).unwrap();

        assert_eq!(
            json,
            serde_json::json!({
                "code": "Invalid",
                "message": "Assign to a user in Contoso",
                "field": "assignedTo"
            })
        );
    }

    #[test]
    fn errors_without_a_field_send_null() {
        let json = serde_json::to_value(CommandError::internal("boom")).unwrap();

        assert_eq!(json["field"], serde_json::Value::Null);
        assert_eq!(json["code"], "Internal");
    }
}
