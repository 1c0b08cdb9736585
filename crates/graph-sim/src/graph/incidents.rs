//! `/security/incidents`: list (with `$filter`, `$expand=alerts`, paging),
//! get, PATCH of the writable properties, and POST of comments.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{admit, Caller, Perm};
use crate::clock::format_time;
use crate::enums::{self, canonical};
use crate::odata::{page, Field, Filter, Paging, Query, Spec};
use crate::roles::Access;
use crate::state::AppState;
use crate::wire::{context, ok_json, with_context, GraphError};
use crate::world::{Tenant, World};

const TYPE: &str = "microsoft.graph.security.incident";

/// Filterable properties, as listed in the list-incidents docs.
const SPEC: Spec = Spec {
    type_name: TYPE,
    fields: &[
        ("assignedTo", Field::Text),
        ("classification", Field::Enum(enums::CLASSIFICATION)),
        ("createdDateTime", Field::Time),
        ("determination", Field::Enum(enums::DETERMINATION)),
        ("lastUpdateDateTime", Field::Time),
        ("severity", Field::Enum(enums::SEVERITY)),
        ("status", Field::Enum(enums::INCIDENT_STATUS)),
    ],
};

/// Docs are silent on the largest `$top`; Graph caps list pages rather
/// than failing, so larger values are served as pages of this size.
const MAX_PAGE: usize = 1000;

/// An incident body with its alerts under `alerts`.
pub fn expanded(tenant: &Tenant, incident: &Value) -> Value {
    let mut body = incident.clone();
    let alerts: Vec<Value> = tenant
        .alerts
        .iter()
        .filter(|a| a["incidentId"] == incident["id"])
        .cloned()
        .collect();
    body["alerts"] = Value::Array(alerts);
    body
}

/// `GET /security/incidents`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let filter = query.filter(&SPEC)?;
    let mut world = state.world();
    admit(&mut world, &caller, Access::Read, Perm::Incident)?;
    let tenant = world
        .tenant(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;

    let items = newest_matching(&tenant.incidents, filter.as_ref());
    let list_url = format!("{}/v1.0/security/incidents", state.base_url());
    let paging = Paging {
        list_url: &list_url,
        context: context(state.base_url(), "security/incidents"),
        default_size: world.settings.page_size,
        max_size: MAX_PAGE,
    };
    // Written from the world's own incidents under its lock, as alerts
    // are (see `alerts::list`).
    let body = page(items, &query, &paging);
    if query.expands("alerts") {
        let body = body.map(|i| caller.shape(expanded(tenant, i)));
        return Ok(ok_json(body));
    }
    Ok(ok_json(body.map(|i| caller.shaped(i))))
}

/// The items `filter` matches (all without one), sorted by
/// `createdDateTime` descending with ids breaking ties. The keys are
/// compared in place: lists are sorted on every request.
pub fn newest_matching<'w>(items: &'w [Value], filter: Option<&Filter>) -> Vec<&'w Value> {
    fn key(v: &Value) -> (&str, &str) {
        (
            v["createdDateTime"].as_str().unwrap_or_default(),
            v["id"].as_str().unwrap_or_default(),
        )
    }
    let mut matching: Vec<&Value> = items
        .iter()
        .filter(|item| filter.is_none_or(|f| f.matches(item)))
        .collect();
    matching.sort_by(|a, b| key(b).cmp(&key(a)));
    matching
}

fn locate<'w>(
    world: &'w World,
    caller: &Caller,
    id: &str,
) -> Result<(&'w Tenant, usize), GraphError> {
    let tenant = world
        .tenant(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;
    if let Some(index) = tenant.incident_index(id) {
        return Ok((tenant, index));
    }
    let elsewhere = world.tenants.iter().any(|t| t.incident_index(id).is_some());
    Err(super::foreign_or_missing(caller, elsewhere, "incident", id))
}

/// `GET /security/incidents/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let mut world = state.world();
    admit(&mut world, &caller, Access::Read, Perm::Incident)?;
    let (tenant, index) = locate(&world, &caller, &id)?;
    let incident = &tenant.incidents[index];
    let body = if query.expands("alerts") {
        expanded(tenant, incident)
    } else {
        incident.clone()
    };
    let ctx = context(state.base_url(), "security/incidents/$entity");

    Ok(ok_json(caller.shape(with_context(ctx, body))))
}

/// The validated content of a PATCH body.
#[derive(Default)]
struct Changes(Map<String, Value>);

const WRITABLE: &[&str] = &[
    "assignedTo",
    "classification",
    "determination",
    "status",
    "customTags",
];
const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "lastUpdateDateTime",
    "displayName",
    "description",
    "severity",
    "tenantId",
    "incidentWebUrl",
    "redirectIncidentId",
    "comments",
    "systemTags",
    "summary",
    "lastModifiedBy",
    "priorityScore",
    "resolvingComment",
    "alerts",
];

fn validate(body: &[u8], tenant: &Tenant) -> Result<Changes, GraphError> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(format!("Invalid JSON in the request body: {e}")))?;
    let Value::Object(map) = parsed else {
        return Err(GraphError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    let mut changes = Changes::default();
    for (key, value) in map {
        if key == "@odata.type" {
            continue;
        }
        if READ_ONLY.contains(&key.as_str()) {
            return Err(GraphError::bad_request(format!(
                "The property '{key}' is read-only and cannot be updated."
            )));
        }
        if !WRITABLE.contains(&key.as_str()) {
            return Err(GraphError::bad_request(format!(
                "The property '{key}' does not exist on type '{TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type."
            )));
        }
        let value = validate_value(&key, value, tenant)?;
        changes.0.insert(key, value);
    }
    Ok(changes)
}

fn enum_value(
    key: &str,
    value: &Value,
    members: &'static [&'static str],
    allowed: &[&str],
) -> Result<Value, GraphError> {
    let text = value.as_str().unwrap_or_default();
    match canonical(members, text) {
        Some(m) if allowed.is_empty() || allowed.contains(&m) => Ok(json!(m)),
        _ => Err(GraphError::bad_request(format!(
            "Invalid value '{text}' for property '{key}'."
        ))),
    }
}

fn validate_value(key: &str, value: Value, tenant: &Tenant) -> Result<Value, GraphError> {
    match key {
        // Classifying a non-resolved incident: the docs are silent. The
        // Defender portal allows classifying an active incident, so the
        // simulator accepts any classification with any status.
        "classification" => enum_value(
            key,
            &value,
            enums::CLASSIFICATION,
            &[
                "unknown",
                "falsePositive",
                "truePositive",
                "informationalExpectedActivity",
            ],
        ),
        "determination" => enum_value(key, &value, enums::DETERMINATION, &[]).and_then(|v| {
            if v == "unknownFutureValue" {
                Err(GraphError::bad_request(
                    "Invalid value 'unknownFutureValue' for property 'determination'.",
                ))
            } else {
                Ok(v)
            }
        }),
        // redirected needs a merge and awaitingAction is set only by
        // Microsoft (Defender Experts), so a client may set just these.
        "status" => enum_value(
            key,
            &value,
            enums::INCIDENT_STATUS,
            &["active", "inProgress", "resolved"],
        ),
        "customTags" => match &value {
            Value::Array(tags) if tags.iter().all(Value::is_string) => Ok(value),
            _ => Err(GraphError::bad_request(
                "Invalid value for property 'customTags': expected a collection of strings.",
            )),
        },
        "assignedTo" => assignee(value, tenant),
        _ => Ok(value),
    }
}

fn assignee(value: Value, tenant: &Tenant) -> Result<Value, GraphError> {
    let text = match &value {
        Value::Null => return Ok(Value::Null),
        Value::String(s) if s.is_empty() => return Ok(Value::Null),
        Value::String(s) => s.clone(),
        _ => {
            return Err(GraphError::bad_request(
                "Invalid value for property 'assignedTo': expected a string.",
            ))
        }
    };
    let domain = text
        .rsplit_once('@')
        .map(|(_, d)| d.to_lowercase())
        .unwrap_or_default();
    if !tenant.domains().contains(&domain) {
        return Err(GraphError::bad_request(format!(
            "Invalid assignedTo value '{text}': the user must belong to one of the tenant's verified domains."
        )));
    }
    Ok(value)
}

/// `PATCH /security/incidents/{id}`.
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    admit(&mut world, &caller, Access::Write, Perm::Incident)?;
    let (tenant, index) = locate(&world, &caller, &id)?;
    let changes = validate(&body, tenant)?;

    let now = format_time(world.stamper.next());
    let tenant = world
        .tenant_mut(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;
    let incident = &mut tenant.incidents[index];
    for (key, value) in &changes.0 {
        incident[key.as_str()] = value.clone();
    }
    incident["lastUpdateDateTime"] = json!(now);
    incident["lastModifiedBy"] = json!(caller.display_name());
    let incident = incident.clone();
    cascade_to_alerts(tenant, &id, &changes.0, &now);
    let ctx = context(state.base_url(), "security/incidents/$entity");

    Ok(ok_json(caller.shape(with_context(ctx, incident))))
}

/// Defender carries an incident's assignment, classification and
/// resolution down to its alerts; the simulator does the same.
fn cascade_to_alerts(tenant: &mut Tenant, id: &str, changes: &Map<String, Value>, now: &str) {
    for alert in tenant.alerts.iter_mut().filter(|a| a["incidentId"] == id) {
        for key in ["assignedTo", "classification", "determination"] {
            if let Some(v) = changes.get(key) {
                alert[key] = v.clone();
            }
        }
        if changes.get("status").is_some_and(|s| s == "resolved") {
            alert["status"] = json!("resolved");
            alert["resolvedDateTime"] = json!(now);
        }
        if !changes.is_empty() {
            alert["lastUpdateDateTime"] = json!(now);
        }
    }
}

/// `POST /security/incidents/{id}/comments`.
pub async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let parsed: Value = serde_json::from_slice(&body)
        .map_err(|e| GraphError::bad_request(format!("Invalid JSON in the request body: {e}")))?;
    let text = parsed["comment"]
        .as_str()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| GraphError::bad_request("The 'comment' property is required."))?
        .to_string();
    let mut world = state.world();
    admit(&mut world, &caller, Access::Write, Perm::Incident)?;
    let (_, index) = locate(&world, &caller, &id)?;

    let now = format_time(world.stamper.next());
    let tenant = world
        .tenant_mut(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;
    let incident = &mut tenant.incidents[index];
    let entry = json!({"comment": text, "createdByDisplayName": caller.display_name(), "createdDateTime": now});
    match incident["comments"].as_array_mut() {
        Some(list) => list.push(entry),
        None => incident["comments"] = json!([entry]),
    }
    incident["lastUpdateDateTime"] = json!(now);
    let comments = incident["comments"].clone();
    let ctx = context(
        state.base_url(),
        &format!("security/incidents('{id}')/comments"),
    );

    Ok(ok_json(json!({ "@odata.context": ctx, "value": comments })))
}
