//! Enum members of the security types the simulator accepts or rewrites,
//! copied from the v1.0 schema, and Graph's handling of evolvable members.
//!
//! Members listed after `unknownFutureValue` are evolvable: Graph sends
//! them only to clients that asked with
//! `Prefer: include-unknown-enum-members` and sends `unknownFutureValue`
//! to everybody else. `hide_evolvable` applies that rule to a body.

use serde::ser::{Serialize, SerializeMap, Serializer};
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

/// Whether `item`, the value of property `key`, is an evolvable enum
/// member that callers without the Prefer header see as
/// `unknownFutureValue`.
fn hidden(key: &str, item: &Value) -> bool {
    let members = EVOLVABLE_PROPS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, m)| *m);
    matches!((members, item.as_str()), (Some(members), Some(text)) if is_evolvable(members, text))
}

/// Replaces evolvable enum members with `unknownFutureValue`, recursively.
pub fn hide_evolvable(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if hidden(key, item) {
                    *item = Value::String(UNKNOWN_FUTURE_VALUE.into());
                } else {
                    hide_evolvable(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(hide_evolvable),
        _ => {}
    }
}

const UNKNOWN_FUTURE_VALUE: &str = "unknownFutureValue";

/// A body borrowed from the world, written out as [`hide_evolvable`]
/// would leave a copy of it when `hide` is set, and as it is otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Shaped<'a> {
    pub value: &'a Value,
    pub hide: bool,
}

impl Serialize for Shaped<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.hide {
            return self.value.serialize(serializer);
        }
        let inner = |value| Shaped { value, hide: true };
        match self.value {
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, item) in map {
                    if hidden(key, item) {
                        out.serialize_entry(key, UNKNOWN_FUTURE_VALUE)?;
                    } else {
                        out.serialize_entry(key, &inner(item))?;
                    }
                }
                out.end()
            }
            Value::Array(items) => serializer.collect_seq(items.iter().map(inner)),
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_shaped_body_is_written_as_its_hidden_copy() {
        let body = json!({"status": "awaitingAction", "alerts": [{"serviceSource": "microsoftSentinel",
            "detectionSource": "antivirus", "evidence": [{"remediationStatus": "running"}]}]});
        let mut copy = body.clone();
        hide_evolvable(&mut copy);

        let hidden = Shaped {
            value: &body,
            hide: true,
        };
        let shown = Shaped {
            value: &body,
            hide: false,
        };

        assert_eq!(serde_json::to_string(&hidden).unwrap(), copy.to_string());
        assert_eq!(serde_json::to_string(&shown).unwrap(), body.to_string());
    }

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
