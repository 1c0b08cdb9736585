//! World events a test can trigger: a resolved incident re-opens because a
//! new alert correlated into it, a new incident arrives, and a fraction of
//! incidents change (the steady churn a benchmark tick sees).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{fail, no_tenant, optional_json};
use crate::clock::format_time;
use crate::data::alerts::{self, Placement, TEMPLATES};
use crate::data::incidents;
use crate::data::names::COMMENTS;
use crate::enums::{canonical, SEVERITY};
use crate::graph::incidents_expanded;
use crate::state::AppState;
use crate::world::{Tenant, World};

/// `POST /_sim/tenants/{t}/incidents/{i}/reopen`: a new alert correlates
/// into the incident, which turns `active` and moves `lastUpdateDateTime`.
/// The docs are silent on what happens to the classification of a
/// re-opened incident; the simulator keeps it, as the portal shows it.
pub async fn reopen(
    State(state): State<AppState>,
    Path((tenant_id, incident_id)): Path<(String, String)>,
) -> Response {
    let mut guard = state.world();
    let world = &mut *guard;
    let now = world.stamper.next();
    let Some(tenant) = world
        .tenants
        .iter_mut()
        .find(|t| t.id().eq_ignore_ascii_case(&tenant_id))
    else {
        return no_tenant(&tenant_id);
    };
    let Some(index) = tenant.incident_index(&incident_id) else {
        return fail(
            StatusCode::NOT_FOUND,
            format!("unknown incident '{incident_id}'"),
        );
    };
    let template = world.gen.pick(TEMPLATES);
    let place = Placement {
        incident_id: Some(&incident_id),
        created: now,
        status: "new",
        classification: Some("unknown"),
        determination: Some("unknown"),
        assigned_to: None,
        updated: now,
    };
    let alert = alerts::build(&mut world.gen, &tenant.org, template, &place);
    tenant.alerts.push(alert);
    let incident = &mut tenant.incidents[index];
    incident["status"] = json!("active");
    incident["lastUpdateDateTime"] = json!(format_time(now));
    let body = crate::graph::incidents_expanded(tenant).swap_remove(index);

    Json(body).into_response()
}

fn next_incident_id(tenant: &Tenant) -> u64 {
    let highest = tenant
        .incidents
        .iter()
        .filter_map(|i| i["id"].as_str()?.parse::<u64>().ok())
        .max();
    highest.unwrap_or(1000) + 1
}

/// `POST /_sim/tenants/{t}/incidents` with optional
/// `{"severity": "high", "title": "...", "alerts": 2}`: a new active
/// incident arrives; the answer is the incident with its alerts.
pub async fn new_incident(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    body: Bytes,
) -> Response {
    let options = match optional_json(&body) {
        Ok(v) => v,
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let severity = match options["severity"].as_str() {
        None => None,
        Some(s) => match canonical(SEVERITY, s) {
            Some(s) => Some(s),
            None => return fail(StatusCode::BAD_REQUEST, format!("unknown severity '{s}'")),
        },
    };
    let alert_count = options["alerts"].as_u64().unwrap_or(1).clamp(1, 20) as usize;

    let mut guard = state.world();
    let world = &mut *guard;
    let now = world.stamper.next();
    let Some(tenant) = world
        .tenants
        .iter_mut()
        .find(|t| t.id().eq_ignore_ascii_case(&tenant_id))
    else {
        return no_tenant(&tenant_id);
    };
    let id = next_incident_id(tenant).to_string();
    let (mut incident, mut alerts) =
        incidents::incident(&mut world.gen, &tenant.org, now, &id, now, alert_count);
    make_fresh(&mut incident, &mut alerts, now);
    if let Some(severity) = severity {
        incident["severity"] = json!(severity);
        alerts[0]["severity"] = json!(severity);
    }
    if let Some(title) = options["title"].as_str() {
        incident["displayName"] = json!(title);
    }
    tenant.incidents.insert(0, incident);
    tenant.alerts.extend(alerts);
    let body = incidents_expanded(tenant).swap_remove(0);

    (StatusCode::CREATED, Json(body)).into_response()
}

/// A just-arrived incident: active, unassigned, unclassified, no comments.
fn make_fresh(incident: &mut Value, alerts: &mut [Value], now: chrono::DateTime<chrono::Utc>) {
    let stamp = json!(format_time(now));
    for (key, value) in [
        ("status", json!("active")),
        ("classification", json!("unknown")),
        ("determination", json!("unknown")),
        ("assignedTo", Value::Null),
        ("comments", json!([])),
        ("resolvingComment", Value::Null),
        ("lastModifiedBy", json!("Automation")),
        ("lastUpdateDateTime", stamp.clone()),
    ] {
        incident[key] = value;
    }
    for alert in alerts {
        for (key, value) in [
            ("status", json!("new")),
            ("classification", json!("unknown")),
            ("determination", json!("unknown")),
            ("assignedTo", Value::Null),
            ("resolvedDateTime", Value::Null),
            ("lastUpdateDateTime", stamp.clone()),
        ] {
            alert[key] = value;
        }
    }
}

fn fraction_of(body: &[u8]) -> Result<f64, String> {
    let options = optional_json(body)?;
    let fraction = options["fraction"].as_f64().unwrap_or(0.01);
    if !(0.0..=1.0).contains(&fraction) {
        return Err("fraction must be between 0 and 1".into());
    }
    Ok(fraction)
}

/// Changes `fraction` of a tenant's incidents; returns the touched ids.
fn touch(world: &mut World, index: usize, fraction: f64) -> Vec<String> {
    let count = world.tenants[index].incidents.len();
    let wanted = ((count as f64) * fraction).ceil() as usize;
    let mut touched = Vec::new();
    for _ in 0..wanted.min(count) {
        let now = format_time(world.stamper.next());
        let pick = world.gen.index(count);
        let comment = *world.gen.pick(COMMENTS);
        let incident = &mut world.tenants[index].incidents[pick];
        // A churn step an analyst or Defender would make: move between
        // active and inProgress, and leave a note.
        if incident["status"] == "active" {
            incident["status"] = json!("inProgress");
        } else if incident["status"] == "inProgress" {
            incident["status"] = json!("active");
        }
        if let Some(list) = incident["comments"].as_array_mut() {
            list.push(json!({"comment": comment, "createdByDisplayName": "Automation", "createdDateTime": now}));
        }
        incident["lastUpdateDateTime"] = json!(now);
        touched.push(incident["id"].as_str().unwrap_or_default().to_string());
    }
    touched
}

/// `POST /_sim/tenants/{t}/touch` with `{"fraction": 0.01}`.
pub async fn touch_tenant(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    body: Bytes,
) -> Response {
    let fraction = match fraction_of(&body) {
        Ok(f) => f,
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let mut world = state.world();
    let Some(index) = world
        .tenants
        .iter()
        .position(|t| t.id().eq_ignore_ascii_case(&tenant_id))
    else {
        return no_tenant(&tenant_id);
    };
    let touched = touch(&mut world, index, fraction);
    Json(json!({ "touched": touched })).into_response()
}

/// `POST /_sim/touch` with `{"fraction": 0.01}`: every tenant at once.
pub async fn touch_all(State(state): State<AppState>, body: Bytes) -> Response {
    let fraction = match fraction_of(&body) {
        Ok(f) => f,
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let mut world = state.world();
    let mut touched = serde_json::Map::new();
    for index in 0..world.tenants.len() {
        let ids = touch(&mut world, index, fraction);
        touched.insert(world.tenants[index].id().to_string(), json!(ids));
    }
    Json(json!({ "touched": touched })).into_response()
}
