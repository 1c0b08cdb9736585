//! Secure Score: the improvement-action catalogue
//! (`secureScoreControlProfile`) and daily `secureScore` snapshots whose
//! `controlScores` refer to the profiles by `controlName` = profile `id`.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::rng::Gen;
use crate::clock::format_time;

/// id, title, category, service, maxScore, tier, actionType, cost, impact, url path.
type Control = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const CONTROLS: &[Control] = &[
    (
        "AdminMFAV2",
        "Ensure multifactor authentication is enabled for all users in administrative roles",
        "Identity",
        "AzureAD",
        10.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess",
    ),
    (
        "MFARegistrationV2",
        "Ensure multifactor authentication is enabled for all users",
        "Identity",
        "AzureAD",
        9.0,
        "Core",
        "Config",
        "Moderate",
        "Moderate",
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess",
    ),
    (
        "BlockLegacyAuthentication",
        "Enable Conditional Access policies to block legacy authentication",
        "Identity",
        "AzureAD",
        8.0,
        "Core",
        "Config",
        "Moderate",
        "Moderate",
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess",
    ),
    (
        "SelfServicePasswordReset",
        "Enable self-service password reset",
        "Identity",
        "AzureAD",
        1.0,
        "Core",
        "Config",
        "Low",
        "Moderate",
        "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/PasswordResetMenuBlade",
    ),
    (
        "OneAdmin",
        "Designate more than one global admin",
        "Identity",
        "AzureAD",
        1.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://admin.microsoft.com/#/users",
    ),
    (
        "SigninRiskPolicy",
        "Ensure a sign-in risk policy is enabled",
        "Identity",
        "AzureAD",
        7.0,
        "Defense in Depth",
        "Config",
        "Moderate",
        "Moderate",
        "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/IdentityProtectionMenuBlade",
    ),
    (
        "UserRiskPolicy",
        "Ensure a user risk policy is enabled",
        "Identity",
        "AzureAD",
        7.0,
        "Defense in Depth",
        "Config",
        "Moderate",
        "Moderate",
        "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/IdentityProtectionMenuBlade",
    ),
    (
        "IntegratedApps",
        "Do not allow users to grant consent to unreliable applications",
        "Apps",
        "AzureAD",
        4.0,
        "Defense in Depth",
        "Config",
        "Moderate",
        "Moderate",
        "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ConsentPoliciesMenuBlade",
    ),
    (
        "DLPEnabled",
        "Apply Data Loss Prevention policies",
        "Data",
        "IP",
        10.0,
        "Advanced",
        "Config",
        "Moderate",
        "Moderate",
        "https://compliance.microsoft.com/datalossprevention",
    ),
    (
        "mdo_safelinksforemail",
        "Create Safe Links policies for email messages",
        "Apps",
        "MDO",
        9.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://security.microsoft.com/safelinksv2",
    ),
    (
        "mdo_safeattachments",
        "Turn on Safe Attachments in block mode",
        "Apps",
        "MDO",
        8.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://security.microsoft.com/safeattachmentv2",
    ),
    (
        "mdo_antiphishingpolicies",
        "Set the phishing email level threshold at 2 or higher",
        "Apps",
        "MDO",
        9.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://security.microsoft.com/antiphishing",
    ),
    (
        "AuditLogSearch",
        "Ensure audit data recording is enabled",
        "Apps",
        "EXO",
        3.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://purview.microsoft.com/audit/auditsearch",
    ),
    (
        "scid_2010",
        "Turn on PUA protection in block mode",
        "Device",
        "MDATP",
        8.0,
        "Core",
        "Config",
        "Low",
        "Low",
        "https://security.microsoft.com/securescore?viewid=actions",
    ),
    (
        "scid_5095",
        "Block credential stealing from the Windows local security authority subsystem",
        "Device",
        "MDATP",
        9.0,
        "Core",
        "Config",
        "Moderate",
        "Low",
        "https://security.microsoft.com/securescore?viewid=actions",
    ),
    (
        "CustomerLockBoxEnabled",
        "Turn on customer lockbox feature",
        "Data",
        "EXO",
        1.0,
        "Advanced",
        "Config",
        "Low",
        "Low",
        "https://admin.microsoft.com/#/Settings/Services",
    ),
];

/// The profile catalogue for one tenant.
pub fn control_profiles(gen: &mut Gen, tenant_id: &str, now: DateTime<Utc>) -> Vec<Value> {
    CONTROLS
        .iter()
        .enumerate()
        .map(|(rank, c)| profile(gen, tenant_id, now, rank as i32 + 1, c))
        .collect()
}

fn profile(gen: &mut Gen, tenant_id: &str, now: DateTime<Utc>, rank: i32, c: &Control) -> Value {
    let (id, title, category, service, max, tier, action, cost, impact, url) = *c;
    let state = *gen.pick(&[
        "Default",
        "Default",
        "Default",
        "Reviewed",
        "Ignored",
        "ThirdParty",
    ]);
    let changed = gen.before(now, 86_400, 86_400 * 200);
    json!({
        "id": id,
        "azureTenantId": tenant_id,
        "actionType": action,
        "actionUrl": url,
        "controlCategory": category,
        "title": title,
        "deprecated": false,
        "implementationCost": cost,
        "lastModifiedDateTime": format_time(changed),
        "maxScore": max,
        "rank": rank,
        "remediation": format!("<p>{title}. Open the linked portal page and apply the recommended configuration.</p>"),
        "remediationImpact": format!("This change will have a {} impact on your users.", impact.to_lowercase()),
        "service": service,
        "threats": threats(category),
        "tier": tier,
        "userImpact": impact,
        "complianceInformation": [{
            "certificationName": "CIS Microsoft 365 Foundations Benchmark",
            "certificationControls": [{"name": format!("{rank}.1.{}", rank % 5 + 1), "url": ""}],
        }],
        "controlStateUpdates": [{
            "assignedTo": null,
            "comment": (state != "Default").then_some("Reviewed with the customer"),
            "state": state,
            "updatedBy": null,
            "updatedDateTime": format_time(changed),
        }],
        "vendorInformation": vendor(),
    })
}

fn threats(category: &str) -> Value {
    match category {
        "Identity" => json!([
            "Account Breach",
            "Elevation of Privilege",
            "Password Cracking"
        ]),
        "Data" => json!(["Data Exfiltration", "Data Spillage"]),
        "Device" => json!(["Malware", "Credential Theft"]),
        _ => json!(["Phishing", "Malicious Payload"]),
    }
}

fn vendor() -> Value {
    json!({"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"})
}

/// `days` daily snapshots, newest first, drifting slowly upward over time.
pub fn secure_scores(
    gen: &mut Gen,
    tenant_id: &str,
    now: DateTime<Utc>,
    days: usize,
) -> Vec<Value> {
    let ratios: Vec<f64> = CONTROLS.iter().map(|_| gen.unit()).collect();
    let users = gen.range(15, 900) as i64;
    let today = now
        .date_naive()
        .and_hms_opt(6, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or(now);
    (0..days)
        .map(|day| {
            let at = today - Duration::days(day as i64);
            let drift = 1.0 - (day as f64) * 0.01;
            snapshot(gen, tenant_id, at.min(now), &ratios, drift, users)
        })
        .collect()
}

fn snapshot(
    gen: &mut Gen,
    tenant_id: &str,
    at: DateTime<Utc>,
    ratios: &[f64],
    drift: f64,
    users: i64,
) -> Value {
    let mut current = 0.0;
    let mut max_total = 0.0;
    let mut controls = Vec::new();
    for (c, ratio) in CONTROLS.iter().zip(ratios) {
        let score = ((c.4 * ratio * drift) * 100.0).round() / 100.0;
        current += score;
        max_total += c.4;
        // Real controlScores are open types carrying these extras.
        controls.push(json!({
            "controlCategory": c.2,
            "controlName": c.0,
            "description": c.1,
            "score": score,
            "scoreInPercentage": ((score / c.4) * 10_000.0).round() / 100.0,
            "implementationStatus": format!("{} of {users} users protected", (users as f64 * ratio) as i64),
            "lastSynced": format_time(at),
            "on": format_time(at),
            "IsApplicable": "true",
        }));
    }
    let licensed = users + gen.range(0, 20) as i64;
    json!({
        "id": format!("{tenant_id}_{}", at.format("%Y-%m-%d")),
        "azureTenantId": tenant_id,
        "activeUserCount": users,
        "createdDateTime": format_time(at),
        "currentScore": (current * 100.0_f64).round() / 100.0,
        "enabledServices": ["HasExchange", "HasSharePoint", "HasOD4B", "HasMDEP", "HasDefenderForOffice"],
        "licensedUserCount": licensed,
        "maxScore": max_total,
        "averageComparativeScores": [
            {"basis": "AllTenants", "averageScore": 41.5},
            {"basis": "TotalSeats", "averageScore": 47.2},
        ],
        "controlScores": controls,
        "vendorInformation": vendor(),
    })
}
