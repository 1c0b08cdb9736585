//! The mailbox half of `/users`: inbox rules (list, DELETE) and
//! `mailboxSettings`, answered as Exchange Online answers them, including
//! for a user without a mailbox.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{directory, locate, Service};
use crate::graph::Caller;
use crate::state::AppState;
use crate::wire::{context, ok_json, GraphError};
use crate::world::World;

const READ_MAILBOX: &[&str] = &["MailboxSettings.Read", "MailboxSettings.ReadWrite"];
const WRITE_MAILBOX: &[&str] = &["MailboxSettings.ReadWrite"];

/// The user's mailbox, or Exchange's answer for a user without one.
fn mailbox(
    world: &mut World,
    caller: &Caller,
    key: &str,
    folder: Option<&str>,
    any_of: &[&str],
) -> Result<(usize, usize), GraphError> {
    let (tenant, index) = locate(world, caller, key, any_of, Service::Exchange)?;
    if !world.tenants[tenant].directory.users[index].has_mailbox {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ));
    }
    // Rules live on the inbox only; the docs are silent on other folders,
    // and Exchange's usual answer for a missing item is used.
    if folder.is_some_and(|f| !f.eq_ignore_ascii_case("inbox")) {
        return Err(item_not_found());
    }
    Ok((tenant, index))
}

fn item_not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// `GET /users/{id}/mailFolders/inbox/messageRules`.
pub(super) async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, folder)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    let (tenant, index) = mailbox(&mut world, &caller, &key, Some(&folder), READ_MAILBOX)?;
    let user = &directory(&mut world, tenant).users[index];
    let ctx = context(
        state.base_url(),
        &format!("users('{}')/mailFolders('inbox')/messageRules", user.id),
    );
    Ok(ok_json(
        json!({ "@odata.context": ctx, "value": user.rules }),
    ))
}

/// `DELETE /users/{id}/mailFolders/inbox/messageRules/{ruleId}`.
pub(super) async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, folder, rule)): Path<(String, String, String)>,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    let (tenant, index) = mailbox(&mut world, &caller, &key, Some(&folder), WRITE_MAILBOX)?;
    let rules = &mut directory(&mut world, tenant).users[index].rules;
    let position = rules
        .iter()
        .position(|r| r["id"] == rule.as_str())
        .ok_or_else(item_not_found)?;
    rules.remove(position);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /users/{id}/mailboxSettings`: the documented properties, which
/// include no forwarding (see the module docs).
pub(super) async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    let (tenant, index) = mailbox(&mut world, &caller, &key, None, READ_MAILBOX)?;
    let user = &directory(&mut world, tenant).users[index];
    let ctx = context(
        state.base_url(),
        &format!("users('{}')/mailboxSettings", user.id),
    );
    let utc = |time: &str| json!({ "dateTime": time, "timeZone": "UTC" });
    let body = json!({
        "@odata.context": ctx,
        "archiveFolder": format!("AAMkA{}", &user.id.replace('-', "")[..16]),
        "timeZone": "UTC",
        "automaticRepliesSetting": {
            "status": "disabled", "externalAudience": "all",
            "internalReplyMessage": "", "externalReplyMessage": "",
            "scheduledStartDateTime": utc("2025-01-01T00:00:00.0000000"),
            "scheduledEndDateTime": utc("2025-01-02T00:00:00.0000000"),
        },
        "language": { "locale": "en-US", "displayName": "English (United States)" },
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
            "timeZone": { "name": "UTC" },
        },
        "dateFormat": "dd/MM/yyyy",
        "timeFormat": "HH:mm",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "userPurpose": "user",
    });
    Ok(ok_json(body))
}
