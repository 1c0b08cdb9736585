//! Graph v1.0 routes. Every request is authenticated by its bearer token,
//! whose tenant decides whose data it sees (Graph has no tenant in the
//! path). Security paths also check the tenant's roles and the per-tenant
//! request budget before doing anything else.

mod alerts;
mod gdap;
mod incidents;
mod scores;
mod users;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use crate::roles::Access;
use crate::state::AppState;
use crate::wire::GraphError;
use crate::world::World;

/// The Graph routes under `/v1.0`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/security/incidents", get(incidents::list))
        .route(
            "/v1.0/security/incidents/{id}",
            get(incidents::get_one).patch(incidents::patch),
        )
        .route(
            "/v1.0/security/incidents/{id}/comments",
            post(incidents::comment),
        )
        .route("/v1.0/security/alerts_v2", get(alerts::list))
        .route("/v1.0/security/alerts_v2/{id}", get(alerts::get_one))
        .route("/v1.0/security/secureScores", get(scores::secure_scores))
        .route(
            "/v1.0/security/secureScoreControlProfiles",
            get(scores::control_profiles),
        )
        .route("/v1.0/organization", get(scores::organization))
        .route(
            "/v1.0/tenantRelationships/delegatedAdminCustomers",
            get(gdap::customers),
        )
        .route(
            "/v1.0/tenantRelationships/delegatedAdminRelationships",
            get(gdap::relationships),
        )
        .route(
            "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments",
            get(gdap::assignments),
        )
        .merge(users::routes())
}

/// Every incident of a tenant with its alerts expanded (control API).
pub fn incidents_expanded(tenant: &crate::world::Tenant) -> Vec<serde_json::Value> {
    tenant
        .incidents
        .iter()
        .map(|i| incidents::expanded(tenant, i))
        .collect()
}

/// The authenticated caller of a Graph request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's tenant.
    pub tenant_id: String,
    /// The partner user for delegated tokens.
    pub user: Option<String>,
    /// Whether the request sent `Prefer: include-unknown-enum-members`.
    pub wants_evolvable: bool,
    /// The raw query string.
    pub query: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GraphError> {
        let grant = crate::identity::authenticate(&state.world().auth, &parts.headers)?;
        let wants_evolvable = parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| {
                p.trim()
                    .eq_ignore_ascii_case("include-unknown-enum-members")
            });
        Ok(Caller {
            tenant_id: grant.tenant_id,
            user: grant.user,
            wants_evolvable,
            query: parts.uri.query().map(String::from),
        })
    }
}

impl Caller {
    /// Who the caller is in `createdByDisplayName` / `lastModifiedBy`.
    pub fn display_name(&self) -> String {
        self.user
            .clone()
            .unwrap_or_else(|| "Manage365 Desk (app)".into())
    }

    /// Applies the Prefer rule for evolvable enum members to a body.
    pub fn shape(&self, mut body: serde_json::Value) -> serde_json::Value {
        if !self.wants_evolvable {
            crate::enums::hide_evolvable(&mut body);
        }
        body
    }

    /// The Prefer rule for evolvable enum members, applied to a body
    /// borrowed from the world as it is written out.
    pub fn shaped<'a>(&self, value: &'a serde_json::Value) -> crate::enums::Shaped<'a> {
        crate::enums::Shaped {
            value,
            hide: !self.wants_evolvable,
        }
    }
}

/// The permission family a security path needs, for 403 messages.
#[derive(Debug, Clone, Copy)]
pub enum Perm {
    /// SecurityIncident.*
    Incident,
    /// SecurityAlert.*
    Alert,
    /// SecurityEvents.* (Secure Score)
    Events,
}

impl Perm {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Perm::Incident => (
                "SecurityIncident.Read.All",
                "SecurityIncident.ReadWrite.All",
            ),
            Perm::Alert => ("SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"),
            Perm::Events => ("SecurityEvents.Read.All", "SecurityEvents.ReadWrite.All"),
        }
    }
}

/// Checks that the caller's tenant may do `need` on a security path and
/// that its request budget is not spent. Refused requests do not count
/// against the budget.
pub fn admit(
    world: &mut World,
    caller: &Caller,
    need: Access,
    perm: Perm,
) -> Result<(), GraphError> {
    let access = world
        .tenant(&caller.tenant_id)
        .map(|t| t.access())
        .unwrap_or(Access::None);
    if access < need {
        return Err(forbidden(caller, perm, need, access));
    }
    spend_budget(world, &caller.tenant_id)
}

fn forbidden(caller: &Caller, perm: Perm, need: Access, have: Access) -> GraphError {
    let (read, write) = perm.names();
    let required = if need == Access::Write {
        write.to_string()
    } else {
        format!("{read},{write}")
    };
    let held = match have {
        Access::None => String::new(),
        _ => "SecurityIncident.Read.All,SecurityAlert.Read.All,SecurityEvents.Read.All".into(),
    };
    let message = if caller.user.is_some() {
        format!("Missing role permissions on the request. API requires one of '{required}'. Roles on the request '{held}'.")
    } else {
        format!(
            "Missing application roles. API required roles: {required}, application roles: {held}."
        )
    };
    GraphError::forbidden(message)
}

fn spend_budget(world: &mut World, tenant_id: &str) -> Result<(), GraphError> {
    let limit = world.settings.budget_per_minute as usize;
    let Some(tenant) = world.tenant_mut(tenant_id) else {
        return Ok(());
    };
    let now = std::time::Instant::now();
    let window = std::time::Duration::from_secs(60);
    while tenant
        .budget_window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        tenant.budget_window.pop_front();
    }
    if tenant.budget_window.len() >= limit {
        let oldest = tenant.budget_window.front().copied().unwrap_or(now);
        let wait = window
            .saturating_sub(now.duration_since(oldest))
            .as_secs_f64()
            .max(0.001);
        let mut error = GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests. Please retry again later.",
        );
        error.retry_after = Some(format!("{wait:.3}"));
        return Err(error);
    }
    tenant.budget_window.push_back(now);
    Ok(())
}

/// Looks `id` up in other tenants: a token used on another tenant's
/// resource gets 401, not 404 (see README, "tenant binding").
pub fn foreign_or_missing(
    caller: &Caller,
    found_elsewhere: bool,
    what: &str,
    id: &str,
) -> GraphError {
    if found_elsewhere {
        return GraphError::unauthenticated(format!(
            "Access token tenant '{}' does not match the tenant of the requested {what}.",
            caller.tenant_id
        ));
    }
    GraphError::not_found(format!("The requested {what} '{id}' was not found."))
}

/// Fallback for unknown paths, worded like Graph's.
pub async fn not_found(State(_): State<AppState>, uri: axum::http::Uri) -> GraphError {
    let segment = uri
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    GraphError::bad_request(format!("Resource not found for the segment '{segment}'."))
}
