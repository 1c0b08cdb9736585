//! Granting and revoking the security roles of a customer's GDAP
//! relationship, which changes both the GDAP lists and what the security
//! paths answer for that tenant.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{fail, no_tenant, optional_json};
use crate::clock::format_time;
use crate::data::gdap;
use crate::roles::{MANAGE_SET, READ_SET, SECURITY_ROLES, USER_ADMINISTRATOR};
use crate::state::AppState;
use crate::world::{access_details, role_ids, World};

/// `POST /_sim/tenants/{t}/grant-security-roles`, optional body
/// `{"level": "read"}` for Security Reader + Global Reader only; the
/// default grants Security Reader, Operator and Administrator.
pub async fn grant(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    body: Bytes,
) -> Response {
    let options = match optional_json(&body) {
        Ok(v) => v,
        Err(message) => return fail(StatusCode::BAD_REQUEST, message),
    };
    let wanted: &[&str] = match options["level"].as_str().unwrap_or("write") {
        "write" => MANAGE_SET,
        "read" => READ_SET,
        other => return fail(StatusCode::BAD_REQUEST, format!("unknown level '{other}'")),
    };
    let mut world = state.world();
    change_roles(&mut world, &tenant_id, |roles| {
        roles.retain(|r| !SECURITY_ROLES.contains(&r.as_str()));
        roles.extend(wanted.iter().map(|r| r.to_string()));
    })
}

/// `POST /_sim/tenants/{t}/revoke-security-roles`: every security role
/// leaves the tenant's active relationships.
pub async fn revoke(State(state): State<AppState>, Path(tenant_id): Path<String>) -> Response {
    let mut world = state.world();
    change_roles(&mut world, &tenant_id, |roles| {
        roles.retain(|r| !SECURITY_ROLES.contains(&r.as_str()));
        // A relationship always grants at least one role.
        if roles.is_empty() {
            roles.push(USER_ADMINISTRATOR.to_string());
        }
    })
}

fn change_roles(world: &mut World, tenant_id: &str, edit: impl Fn(&mut Vec<String>)) -> Response {
    let now = format_time(world.stamper.next());
    let World { tenants, gen, .. } = world;
    let Some(tenant) = tenants
        .iter_mut()
        .find(|t| t.id().eq_ignore_ascii_case(tenant_id))
    else {
        return no_tenant(tenant_id);
    };
    if !tenant.has_active_relationship() {
        let relationship = gdap::relationship(
            gen,
            &tenant.org,
            &[USER_ADMINISTRATOR],
            "active",
            chrono::Utc::now(),
        );
        tenant.relationships.push(relationship);
    }
    for relationship in tenant
        .relationships
        .iter_mut()
        .filter(|r| r["status"] == "active")
    {
        let mut roles = role_ids(&relationship["accessDetails"]);
        edit(&mut roles);
        roles.dedup();
        let refs: Vec<&str> = roles.iter().map(String::as_str).collect();
        relationship["accessDetails"] = access_details(&refs);
        relationship["lastModifiedDateTime"] = json!(now);
        let id = relationship["id"].as_str().unwrap_or_default().to_string();
        let assignments: Vec<Value> = gdap::assignments(gen, &refs, &now);
        tenant.assignments.insert(id, assignments);
    }
    let access = format!("{:?}", tenant.access()).to_lowercase();

    Json(json!({ "tenantId": tenant.id(), "roles": tenant.roles(), "securityAccess": access }))
        .into_response()
}
