//! GDAP lists, answered only to the partner tenant: customers,
//! relationships (`$filter`, `$top`, paging) and access assignments.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;
use serde_json::{json, Value};

use super::Caller;
use crate::odata::{page, Field, Page, Paging, Query, Spec};
use crate::state::AppState;
use crate::wire::{ok_json, GraphError};
use crate::world::World;

/// Relationship statuses (delegatedAdminRelationshipStatus).
const RELATIONSHIP_STATUS: &[&str] = &[
    "activating",
    "active",
    "approvalPending",
    "approved",
    "created",
    "expired",
    "expiring",
    "terminated",
    "terminating",
    "terminationRequested",
    "unknownFutureValue",
];

/// Filterable relationship properties (docs show status and customer).
const SPEC: Spec = Spec {
    type_name: "microsoft.graph.delegatedAdminRelationship",
    fields: &[
        ("status", Field::Enum(RELATIONSHIP_STATUS)),
        ("customer/tenantId", Field::Text),
        ("customer/displayName", Field::Text),
        ("displayName", Field::Text),
        ("id", Field::Text),
        ("endDateTime", Field::Time),
    ],
};

/// The docs give 300 as the largest `$top` for relationships.
const MAX_PAGE: usize = 300;

fn require_partner(world: &World, caller: &Caller) -> Result<(), GraphError> {
    if caller.tenant_id == world.partner.tenant_id {
        return Ok(());
    }
    // A customer-tenant token: the app holds no DelegatedAdminRelationship
    // permission there.
    Err(GraphError::forbidden(
        "Missing application roles. API required roles: DelegatedAdminRelationship.Read.All,DelegatedAdminRelationship.ReadWrite.All, application roles: .",
    ))
}

fn list_body<T: Serialize>(
    state: &AppState,
    items: Vec<T>,
    query: &Query,
    path: &str,
    fragment: &str,
    default: usize,
) -> Page<T> {
    let list_url = format!("{}/v1.0/{path}", state.base_url());
    let paging = Paging {
        list_url: &list_url,
        context: format!(
            "{}/v1.0/tenantRelationships/$metadata#{fragment}",
            state.base_url()
        ),
        default_size: default.min(MAX_PAGE),
        max_size: MAX_PAGE,
    };
    page(items, query, &paging)
}

/// `GET /tenantRelationships/delegatedAdminCustomers`.
pub async fn customers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let world = state.world();
    require_partner(&world, &caller)?;
    let items: Vec<Value> = world
        .tenants
        .iter()
        .map(|t| {
            json!({
                "@odata.type": "#microsoft.graph.delegatedAdminCustomer",
                "@odata.etag": format!("W/\"JyI{}Ig==\"", &t.id().replace('-', "")[..28]),
                "id": t.id(),
                "tenantId": t.id(),
                "displayName": t.org.display_name,
            })
        })
        .collect();
    let path = "tenantRelationships/delegatedAdminCustomers";
    Ok(ok_json(list_body(
        &state,
        items,
        &query,
        path,
        "delegatedAdminCustomers",
        world.settings.page_size,
    )))
}

/// `GET /tenantRelationships/delegatedAdminRelationships`.
pub async fn relationships(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let filter = query.filter(&SPEC)?;
    let world = state.world();
    require_partner(&world, &caller)?;
    let items: Vec<&Value> = world
        .tenants
        .iter()
        .flat_map(|t| t.relationships.iter())
        .filter(|r| filter.as_ref().is_none_or(|f| f.matches(r)))
        .collect();
    let path = "tenantRelationships/delegatedAdminRelationships";
    let body = list_body(
        &state,
        items,
        &query,
        path,
        "delegatedAdminRelationships",
        world.settings.page_size,
    );
    Ok(ok_json(body))
}

/// `GET /tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments`.
pub async fn assignments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let world = state.world();
    require_partner(&world, &caller)?;
    let items = world
        .tenants
        .iter()
        .find_map(|t| t.assignments.get(&id))
        .cloned()
        .ok_or_else(|| {
            GraphError::not_found(format!(
                "The delegated admin relationship '{id}' was not found."
            ))
        })?;
    let path = format!("tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments");
    Ok(ok_json(list_body(
        &state,
        items,
        &query,
        &path,
        "accessAssignments",
        world.settings.page_size,
    )))
}
