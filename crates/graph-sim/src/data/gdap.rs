//! GDAP relationship and access-assignment bodies, plus the customer's
//! `organization` entity, for one customer tenant.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::org::Org;
use super::rng::Gen;
use crate::clock::format_time;
use crate::world::access_details;

/// A relationship between the partner and `org` granting `roles`.
pub fn relationship(
    gen: &mut Gen,
    org: &Org,
    roles: &[&str],
    status: &str,
    now: DateTime<Utc>,
) -> Value {
    let created = gen.before(now, 86_400 * 30, 86_400 * 500);
    let activated = created + Duration::hours(gen.range(1, 72) as i64);
    let active = status == "active";
    let end = if active {
        activated + Duration::days(730)
    } else {
        gen.after(activated, 86_400 * 10, 86_400 * 20).min(now)
    };
    let name = format!("MSP Security {}", org.display_name);
    json!({
        "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
        "@odata.etag": etag(gen),
        "id": format!("{}-{}", gen.guid(), gen.guid()),
        "displayName": name.chars().take(50).collect::<String>(),
        "duration": "P730D",
        "status": status,
        "autoExtendDuration": if active { "P180D" } else { "PT0S" },
        "createdDateTime": format_time(created),
        "activatedDateTime": format_time(activated),
        "lastModifiedDateTime": format_time(activated),
        "endDateTime": format_time(end),
        "customer": { "tenantId": org.tenant_id, "displayName": org.display_name },
        "accessDetails": access_details(roles),
    })
}

/// Access assignments of one relationship: a security group holding the
/// security roles and, when there are others, a second group for the rest.
pub fn assignments(gen: &mut Gen, roles: &[&str], created: &str) -> Vec<Value> {
    let (security, other): (Vec<&str>, Vec<&str>) = roles
        .iter()
        .partition(|r| crate::roles::SECURITY_ROLES.contains(r));
    [security, other]
        .into_iter()
        .filter(|group| !group.is_empty())
        .map(|group| assignment(gen, &group, created))
        .collect()
}

/// One active access assignment for `roles`.
pub fn assignment(gen: &mut Gen, roles: &[&str], created: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
        "@odata.etag": etag(gen),
        "id": gen.guid(),
        "status": "active",
        "createdDateTime": created,
        "lastModifiedDateTime": created,
        "accessContainer": {
            "accessContainerId": gen.guid(),
            "accessContainerType": "securityGroup",
        },
        "accessDetails": access_details(roles),
    })
}

/// A weak etag in the style GDAP returns.
pub fn etag(gen: &mut Gen) -> String {
    format!("W/\"JyI{}Ig==\"", gen.hex(28))
}

/// The customer's `organization` entity with its verified domains.
pub fn organization(org: &Org, created: DateTime<Utc>) -> Value {
    json!({
        "id": org.tenant_id,
        "deletedDateTime": null,
        "displayName": org.display_name,
        "businessPhones": ["+61 2 5550 0100"],
        "city": "Sydney",
        "country": null,
        "countryLetterCode": "AU",
        "createdDateTime": format_time(created),
        "defaultUsageLocation": "AU",
        "marketingNotificationEmails": [],
        "mobileDeviceManagementAuthority": "intune",
        "onPremisesLastSyncDateTime": null,
        "onPremisesSyncEnabled": null,
        "partnerTenantType": null,
        "postalCode": "2000",
        "preferredLanguage": "en",
        "securityComplianceNotificationMails": [],
        "securityComplianceNotificationPhones": [],
        "state": "NSW",
        "street": "1 Market Street",
        "technicalNotificationMails": [format!("it@{}", org.domain)],
        "tenantType": "AAD",
        "assignedPlans": [],
        "provisionedPlans": [],
        "privacyProfile": null,
        "verifiedDomains": [
            {
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": true, "isInitial": false,
                "name": org.domain, "type": "Managed",
            },
            {
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": false, "isInitial": true,
                "name": org.initial_domain, "type": "Managed",
            },
        ],
    })
}
