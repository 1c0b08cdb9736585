//! `/security/alerts_v2`: list with `$filter` and paging, and get by id.

use axum::extract::{Path, State};
use axum::response::Response;

use super::incidents::newest_matching;
use super::{admit, Caller, Perm};
use crate::enums;
use crate::odata::{page, Field, Paging, Query, Spec};
use crate::roles::Access;
use crate::state::AppState;
use crate::wire::{context, ok_json, with_context, GraphError};

/// Filterable properties, as listed in the list-alerts_v2 docs.
const SPEC: Spec = Spec {
    type_name: "microsoft.graph.security.alert",
    fields: &[
        ("assignedTo", Field::Text),
        ("classification", Field::Enum(enums::CLASSIFICATION)),
        ("determination", Field::Enum(enums::DETERMINATION)),
        ("createdDateTime", Field::Time),
        ("lastUpdateDateTime", Field::Time),
        ("severity", Field::Enum(enums::SEVERITY)),
        ("serviceSource", Field::Enum(enums::SERVICE_SOURCE)),
        ("status", Field::Enum(enums::ALERT_STATUS)),
        ("incidentId", Field::Text),
    ],
};

/// Docs silent on the largest `$top` (their example uses 100); pages
/// are capped at this size instead of refusing larger values.
const MAX_PAGE: usize = 2000;

/// `GET /security/alerts_v2`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let filter = query.filter(&SPEC)?;
    let list_url = format!("{}/v1.0/security/alerts_v2", state.base_url());
    let mut world = state.world();
    admit(&mut world, &caller, Access::Read, Perm::Alert)?;
    let default_size = world.settings.page_size;
    let tenant = world
        .tenant(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;
    let items = newest_matching(&tenant.alerts, filter.as_ref());
    let paging = Paging {
        list_url: &list_url,
        context: context(state.base_url(), "security/alerts_v2"),
        default_size,
        max_size: MAX_PAGE,
    };
    // The body is written from the world's own alerts, under its lock:
    // copying them out first (evidence and all) took longer than writing
    // them, and held the lock as long.
    Ok(ok_json(
        page(items, &query, &paging).map(|a| caller.shaped(a)),
    ))
}

/// `GET /security/alerts_v2/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    admit(&mut world, &caller, Access::Read, Perm::Alert)?;
    let tenant = world
        .tenant(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;
    let Some(alert) = tenant.alerts.iter().find(|a| a["id"] == id.as_str()) else {
        let elsewhere = world
            .tenants
            .iter()
            .any(|t| t.alerts.iter().any(|a| a["id"] == id.as_str()));
        return Err(super::foreign_or_missing(&caller, elsewhere, "alert", &id));
    };
    let ctx = context(state.base_url(), "security/alerts_v2/$entity");

    Ok(ok_json(caller.shape(with_context(ctx, alert.clone()))))
}
