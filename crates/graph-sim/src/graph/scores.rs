//! `/security/secureScores`, `/security/secureScoreControlProfiles` and
//! `/organization`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::{admit, Caller, Perm};
use crate::odata::{page, Paging, Query};
use crate::roles::Access;
use crate::state::AppState;
use crate::wire::{context, ok_json, GraphError};

/// Secure Score lists are small (90 snapshots, a few hundred profiles);
/// the whole list fits one page unless `$top` asks for less.
const MAX_PAGE: usize = 1000;

fn serve(
    state: &AppState,
    caller: &Caller,
    pick: fn(&crate::world::Tenant) -> &Vec<Value>,
    path: &str,
) -> Result<Response, GraphError> {
    let query = Query::parse(caller.query.as_deref())?;
    let list_url = format!("{}/v1.0/{path}", state.base_url());
    let paging = Paging {
        list_url: &list_url,
        context: context(state.base_url(), path),
        default_size: MAX_PAGE,
        max_size: MAX_PAGE,
    };
    let mut world = state.world();
    admit(&mut world, caller, Access::Read, Perm::Events)?;
    let tenant = world
        .tenant(&caller.tenant_id)
        .ok_or_else(|| GraphError::not_found("tenant"))?;
    // Written from the world's own lists under its lock (see `alerts::list`).
    let items: Vec<&Value> = pick(tenant).iter().collect();
    Ok(ok_json(page(items, &query, &paging)))
}

/// `GET /security/secureScores` (newest first; `$top=1` is today).
pub async fn secure_scores(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    serve(
        &state,
        &caller,
        |t| &t.secure_scores,
        "security/secureScores",
    )
}

/// `GET /security/secureScoreControlProfiles`.
pub async fn control_profiles(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    serve(
        &state,
        &caller,
        |t| &t.control_profiles,
        "security/secureScoreControlProfiles",
    )
}

/// `GET /organization`: the caller's own tenant, any token may read it.
pub async fn organization(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, GraphError> {
    let world = state.world();
    let org = match world.tenant(&caller.tenant_id) {
        Some(t) => t.organization.clone(),
        None => partner_organization(&world.partner),
    };
    Ok(ok_json(json!({
        "@odata.context": context(state.base_url(), "organization"),
        "value": [org],
    })))
}

fn partner_organization(p: &crate::world::Partner) -> Value {
    json!({
        "id": p.tenant_id,
        "deletedDateTime": null,
        "displayName": p.display_name,
        "businessPhones": [],
        "countryLetterCode": "AU",
        "marketingNotificationEmails": [],
        "mobileDeviceManagementAuthority": "intune",
        "securityComplianceNotificationMails": [],
        "securityComplianceNotificationPhones": [],
        "technicalNotificationMails": [p.user_upn],
        "tenantType": "AAD",
        "partnerTenantType": "resellerPartnerDelegatedAdmin",
        "assignedPlans": [],
        "provisionedPlans": [],
        "verifiedDomains": [{
            "capabilities": "Email, OfficeCommunicationsOnline",
            "isDefault": true, "isInitial": true, "name": p.domain, "type": "Managed",
        }],
    })
}
