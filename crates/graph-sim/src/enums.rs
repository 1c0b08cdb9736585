//! Enum members of the security types the simulator accepts or rewrites,
//! copied from the v1.0 schema, and Graph's handling of evolvable members.
//!
//! Members listed after `unknownFutureValue` are evolvable: Graph sends
//! them only to clients that asked with
//! `Prefer: include-unknown-enum-members` and sends `unknownFutureValue`
//! to everybody else. `hide_evolvable` applies that rule to a body.

use serde_json::Value;

/// alertClassification.
pub const CLASSIFICATION: &[&str] = &[
    "unknown",
    "falsePositive",
    "truePositive",
    "informationalExpectedActivity",
    "unknownFutureValue",
];

/// alertDetermination.
pub const DETERMINATION: &[&str] = &[
    "unknown",
    "apt",
    "malware",
    "securityPersonnel",
    "securityTesting",
    "unwantedSoftware",
    "other",
    "multiStagedAttack",
    "compromisedAccount",
    "phishing",
    "maliciousUserActivity",
    "notMalicious",
    "notEnoughDataToValidate",
    "confirmedActivity",
    "lineOfBusinessApplication",
    "unknownFutureValue",
];

/// incidentStatus (awaitingAction is evolvable).
pub const INCIDENT_STATUS: &[&str] = &[
    "active",
    "resolved",
    "inProgress",
    "redirected",
    "unknownFutureValue",
    "awaitingAction",
];

/// alertStatus.
pub const ALERT_STATUS: &[&str] = &[
    "unknown",
    "new",
    "inProgress",
    "resolved",
    "unknownFutureValue",
];

/// alertSeverity.
pub const SEVERITY: &[&str] = &[
    "unknown",
    "informational",
    "low",
    "medium",
    "high",
    "unknownFutureValue",
];

/// serviceSource.
pub const SERVICE_SOURCE: &[&str] = &[
    "unknown",
    "microsoftDefenderForEndpoint",
    "microsoftDefenderForIdentity",
    "microsoftDefenderForCloudApps",
    "microsoftDefenderForOffice365",
    "microsoft365Defender",
    "azureAdIdentityProtection",
    "microsoftAppGovernance",
    "dataLossPrevention",
    "unknownFutureValue",
    "microsoftDefenderForCloud",
    "microsoftSentinel",
    "microsoftInsiderRiskManagement",
    "microsoftThreatIntelligence",
    "microsoftSecurityForAI",
];

/// detectionSource.
pub const DETECTION_SOURCE: &[&str] = &[
    "unknown",
    "microsoftDefenderForEndpoint",
    "antivirus",
    "smartScreen",
    "customTi",
    "microsoftDefenderForOffice365",
    "automatedInvestigation",
    "microsoftThreatExperts",
    "customDetection",
    "microsoftDefenderForIdentity",
    "cloudAppSecurity",
    "microsoft365Defender",
    "azureAdIdentityProtection",
    "manual",
    "microsoftDataLossPrevention",
    "appGovernancePolicy",
    "appGovernanceDetection",
    "unknownFutureValue",
    "microsoftDefenderForCloud",
    "microsoftDefenderForIoT",
    "microsoftDefenderForServers",
    "microsoftDefenderForStorage",
    "microsoftDefenderForDNS",
    "microsoftDefenderForDatabases",
    "microsoftDefenderForContainers",
    "microsoftDefenderForNetwork",
    "microsoftDefenderForAppService",
    "microsoftDefenderForKeyVault",
    "microsoftDefenderForResourceManager",
    "microsoftDefenderForApiManagement",
    "nrtAlerts",
    "scheduledAlerts",
    "microsoftDefenderThreatIntelligenceAnalytics",
    "builtInMl",
    "microsoftInsiderRiskManagement",
    "microsoftThreatIntelligence",
    "microsoftDefenderForAIServices",
    "securityCopilot",
    "microsoftSentinel",
];

/// evidenceRemediationStatus.
pub const REMEDIATION_STATUS: &[&str] = &[
    "none",
    "remediated",
    "prevented",
    "blocked",
    "notFound",
    "unknownFutureValue",
    "active",
    "pendingApproval",
    "declined",
    "unremediated",
    "running",
    "partiallyRemediated",
];

/// Finds `value` among `members` ignoring case (Graph's enum parsing is
/// case-insensitive, the docs samples send PascalCase) and returns the
/// canonical camelCase spelling.
pub fn canonical(members: &[&'static str], value: &str) -> Option<&'static str> {
    members
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(value))
}

/// True when `value` comes after `unknownFutureValue` in `members`.
pub fn is_evolvable(members: &[&str], value: &str) -> bool {
    let cut = members.iter().position(|m| *m == "unknownFutureValue");
    let at = members.iter().position(|m| *m == value);
    matches!((cut, at), (Some(c), Some(a)) if a > c)
}

/// Properties whose values are evolvable enums, by JSON name. The names
/// are unambiguous inside incident and alert bodies (`status` is rewritten
/// only where `INCIDENT_STATUS` makes it evolvable).
const EVOLVABLE_PROPS: &[(&str, &[&str])] = &[
    ("status", INCIDENT_STATUS),
    ("serviceSource", SERVICE_SOURCE),
    ("detectionSource", DETECTION_SOURCE),
    ("remediationStatus", REMEDIATION_STATUS),
];

/// Replaces evolvable enum members with `unknownFutureValue`, recursively.
pub fn hide_evolvable(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let members = EVOLVABLE_PROPS
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, m)| *m);
                match (members, item.as_str()) {
                    (Some(members), Some(text)) if is_evolvable(members, text) => {
                        *item = Value::String("unknownFutureValue".into());
                    }
                    _ => hide_evolvable(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(hide_evolvable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evolvable_members_become_unknown_future_value() {
        let mut body = json!({"status": "awaitingAction", "alerts": [{"serviceSource": "microsoftSentinel",
            "detectionSource": "antivirus", "evidence": [{"remediationStatus": "running"}]}]});
        hide_evolvable(&mut body);
        assert_eq!(body["status"], "unknownFutureValue");
        assert_eq!(body["alerts"][0]["serviceSource"], "unknownFutureValue");
        assert_eq!(body["alerts"][0]["detectionSource"], "antivirus");
        assert_eq!(
            body["alerts"][0]["evidence"][0]["remediationStatus"],
            "unknownFutureValue"
        );
    }

    #[test]
    fn canonical_accepts_pascal_case() {
        assert_eq!(
            canonical(CLASSIFICATION, "TruePositive"),
            Some("truePositive")
        );
        assert_eq!(canonical(CLASSIFICATION, "bogus"), None);
    }
}
