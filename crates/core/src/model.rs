//! The product's domain model: tenants, incidents, alerts, evidence and
//! recommendations, in the product's own words (`true_positive`,
//! `resolved`).
//!
//! Graph's wire names (camelCase, sometimes PascalCase in Microsoft's own
//! samples) never appear here; `graph::wire` maps them in one place. Every
//! enum keeps values it does not know as `Other(raw)` so that a member
//! Microsoft adds tomorrow is stored and shown as such, never dropped.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Declares a product enum: known members with their product names, plus an
/// `Other(String)` that keeps anything else verbatim. Serialized as the
/// product name string.
macro_rules! product_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("Product name `", $text, "`.")]
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this build does not know, kept as it arrived.
            Other(String),
        }

        impl $name {
            /// Every known member, in display order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The product name (`true_positive`), or the raw value for
            /// `Other`.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(raw) => raw,
                }
            }

            /// Parses a product name; anything else becomes `Other`.
            pub fn from_product(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }

            /// True when the value is one this build knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Ok($name::from_product(&text))
            }
        }
    };
}

product_enum! {
    /// Incident and alert severity. Graph has no `critical`.
    Severity {
        High => "high",
        Medium => "medium",
        Low => "low",
        Informational => "informational",
        Unknown => "unknown",
    }
}

impl Severity {
    /// Sort rank, highest first (high = 0); unknown and others last.
    pub fn rank(&self) -> u8 {
        match self {
            Severity::High => 0,
            Severity::Medium => 1,
            Severity::Low => 2,
            Severity::Informational => 3,
            Severity::Unknown => 4,
            Severity::Other(_) => 5,
        }
    }
}

product_enum! {
    /// Incident status as Defender's queue shows it.
    IncidentStatus {
        Active => "active",
        InProgress => "in_progress",
        Resolved => "resolved",
        Redirected => "redirected",
        /// Defender Experts waiting on the customer; set only by Microsoft.
        AwaitingAction => "awaiting_action",
        Unknown => "unknown",
    }
}

product_enum! {
    /// alerts_v2 alert status.
    AlertStatus {
        New => "new",
        InProgress => "in_progress",
        Resolved => "resolved",
        Unknown => "unknown",
    }
}

product_enum! {
    /// The analyst's verdict on an incident or alert.
    Classification {
        TruePositive => "true_positive",
        FalsePositive => "false_positive",
        InformationalExpectedActivity => "informational_expected_activity",
        Unknown => "unknown",
    }
}

product_enum! {
    /// The nature of the event; meaningful only for true positives.
    Determination {
        Apt => "apt",
        Malware => "malware",
        SecurityPersonnel => "security_personnel",
        SecurityTesting => "security_testing",
        UnwantedSoftware => "unwanted_software",
        OtherNature => "other",
        MultiStagedAttack => "multi_staged_attack",
        CompromisedAccount => "compromised_account",
        Phishing => "phishing",
        MaliciousUserActivity => "malicious_user_activity",
        NotMalicious => "not_malicious",
        NotEnoughDataToValidate => "not_enough_data_to_validate",
        ConfirmedActivity => "confirmed_activity",
        LineOfBusinessApplication => "line_of_business_application",
        Unknown => "unknown",
    }
}

product_enum! {
    /// What the MSP may do in a customer tenant, from its GDAP roles.
    Capability {
        /// No Security roles: the tenant is skipped.
        None => "none",
        /// `DEFENDER_READ`: Security Reader or Global Reader.
        Read => "read",
        /// `DEFENDER_MANAGE`: Security Operator or Security Administrator.
        Manage => "manage",
    }
}

impl Capability {
    /// True when incidents may be read.
    pub fn can_read(&self) -> bool {
        matches!(self, Capability::Read | Capability::Manage)
    }

    /// True when incidents may be updated.
    pub fn can_manage(&self) -> bool {
        matches!(self, Capability::Manage)
    }
}

product_enum! {
    /// Why a tenant's data is not being pulled.
    SkipReason {
        /// No Security role in GDAP, or Graph answered 403 on a security path.
        MissingSecurityRoles => "missing_security_roles",
        /// The app registration is not consented in the customer tenant.
        NotConsented => "not_consented",
    }
}

impl SkipReason {
    /// The words the UI and CLI show for this reason.
    pub fn label(&self) -> &str {
        match self {
            SkipReason::MissingSecurityRoles => "skipped: missing Security roles",
            SkipReason::NotConsented => "skipped: app not consented in tenant",
            SkipReason::Other(raw) => raw,
        }
    }

    /// What a person does to fix it.
    pub fn fix(&self) -> &str {
        match self {
            SkipReason::MissingSecurityRoles => {
                "add Security Reader or Security Administrator to the tenant's GDAP relationship"
            }
            SkipReason::NotConsented => {
                "grant admin consent for the Manage365 app registration in the customer tenant"
            }
            SkipReason::Other(_) => "see the tenant's last error on Health",
        }
    }
}

/// A customer tenant reachable through GDAP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// Customer tenant GUID.
    pub id: String,
    /// The customer's display name.
    pub display_name: String,
    /// Verified domains; an assigned-to UPN must end in one of them.
    pub domains: Vec<String>,
    /// What GDAP lets us do there.
    pub capability: Capability,
    /// Set when the tenant is skipped, with the reason.
    pub skip_reason: Option<SkipReason>,
}

/// One comment on an incident or alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The text, as written.
    pub comment: String,
    /// Who wrote it (display name or UPN), when Graph says.
    pub created_by: Option<String>,
    /// When it was written, when Graph says.
    pub created_at: Option<DateTime<Utc>>,
}

/// A Defender XDR incident, with the queue's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// The customer tenant it belongs to.
    pub tenant_id: String,
    /// Graph's incident id (a numeric-looking string).
    pub id: String,
    /// Title shown in the queue.
    pub display_name: String,
    /// Free text description, when any.
    pub description: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Status.
    pub status: IncidentStatus,
    /// Classification, when set.
    pub classification: Option<Classification>,
    /// Determination, when set.
    pub determination: Option<Determination>,
    /// Owner, a UPN in practice.
    pub assigned_to: Option<String>,
    /// When Defender created it.
    pub created_at: DateTime<Utc>,
    /// When Defender last changed it; the incremental sync watermark.
    pub last_update_at: DateTime<Utc>,
    /// Link to the incident in the Defender portal.
    pub web_url: Option<String>,
    /// Set when status is redirected (merged into that incident).
    pub redirect_incident_id: Option<String>,
    /// Analyst tags.
    pub custom_tags: Vec<String>,
    /// Microsoft's tags ("Defender Experts").
    pub system_tags: Vec<String>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
}

/// An alerts_v2 alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// The customer tenant it belongs to.
    pub tenant_id: String,
    /// Graph's alert id.
    pub id: String,
    /// The incident it correlated into; `None` for standalone alerts.
    pub incident_id: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Category, a MITRE tactic-like string ("CredentialAccess").
    pub category: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Status.
    pub status: AlertStatus,
    /// Classification, when set.
    pub classification: Option<Classification>,
    /// Determination, when set.
    pub determination: Option<Determination>,
    /// Owner.
    pub assigned_to: Option<String>,
    /// MITRE technique ids ("T1110", "T1564.001").
    pub mitre_techniques: Vec<String>,
    /// What Microsoft recommends doing.
    pub recommended_actions: Option<String>,
    /// Graph's serviceSource, as its wire value (product names are not
    /// needed: it is shown, never chosen).
    pub service_source: Option<String>,
    /// Graph's detectionSource, as its wire value.
    pub detection_source: Option<String>,
    /// When created.
    pub created_at: Option<DateTime<Utc>>,
    /// When last updated.
    pub last_update_at: Option<DateTime<Utc>>,
    /// First activity seen.
    pub first_activity_at: Option<DateTime<Utc>>,
    /// Last activity seen.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Link to the alert in the Defender portal.
    pub web_url: Option<String>,
    /// Evidence, in Graph's order.
    pub evidence: Vec<Evidence>,
}

/// One piece of evidence on an alert.
///
/// Graph has ~48 evidence subtypes and adds more; the common ones get a
/// `kind` and a `label`, every one keeps its raw JSON so nothing is lost.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Product kind: `user`, `device`, `ip`, `file`, `process`, `mailbox`,
    /// `message`, `url`, `registry_key`, `registry_value`,
    /// `cloud_application`, `oauth_application`, `mail_cluster`,
    /// `security_group`; otherwise the Graph type's short name as is
    /// (`kubernetesPodEvidence`), or `unknown` without `@odata.type`.
    pub kind: String,
    /// The one-line identity a person recognises (UPN, host name, IP,
    /// file name, command line, subject, URL).
    pub label: String,
    /// `unknown`, `suspicious`, `malicious`, `noThreatsFound` (wire value).
    pub verdict: Option<String>,
    /// Remediation status (wire value).
    pub remediation_status: Option<String>,
    /// Roles (wire values: `attacker`, `compromised`, ...).
    pub roles: Vec<String>,
    /// The evidence object exactly as Graph sent it, as its JSON text: the
    /// sync stores it and the app hands it to the evidence view, and
    /// neither needs it parsed (building a JSON tree of every item and
    /// writing it out again cost a full sync of 500 tenants ~1.5 of its
    /// ~20 CPU-seconds on our 2-core machine).
    pub raw: Box<serde_json::value::RawValue>,
}

impl PartialEq for Evidence {
    /// Equal when every field is, the raw item compared as text.
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.label == other.label
            && self.verdict == other.verdict
            && self.remediation_status == other.remediation_status
            && self.roles == other.roles
            && self.raw.get() == other.raw.get()
    }
}

/// A Secure Score improvement action for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The customer tenant.
    pub tenant_id: String,
    /// The control name, e.g. `MFARegistrationV2`.
    pub id: String,
    /// Title, e.g. "Enable multi-factor authentication for all users".
    pub title: String,
    /// Identity / Data / Device / Apps / Infrastructure.
    pub category: Option<String>,
    /// The Microsoft service it concerns.
    pub service: Option<String>,
    /// Points earned now, from the latest secure score; `None` if unknown.
    pub current_score: Option<f64>,
    /// Points available.
    pub max_score: Option<f64>,
    /// Microsoft's rank (1 = do first).
    pub rank: Option<i32>,
    /// Config / Review / Behavior.
    pub action_type: Option<String>,
    /// Core / Defense in Depth / Advanced.
    pub tier: Option<String>,
    /// Low / Moderate / High.
    pub user_impact: Option<String>,
    /// Low / Moderate / High.
    pub implementation_cost: Option<String>,
    /// How to do it; Graph may send HTML here, shown only as text.
    pub remediation: Option<String>,
    /// Graph's actionUrl, as sent.
    pub action_url: Option<String>,
    /// The Defender portal page for this action (always a Microsoft host).
    pub portal_url: String,
    /// The analyst state from the latest controlStateUpdate.
    pub state: Option<String>,
    /// True when Microsoft deprecated the control.
    pub deprecated: bool,
}

/// One daily Secure Score snapshot for a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreSnapshot {
    /// The customer tenant.
    pub tenant_id: String,
    /// When Microsoft computed it.
    pub created_at: DateTime<Utc>,
    /// Points earned.
    pub current_score: f64,
    /// Points available.
    pub max_score: f64,
}

/// The fields an analyst may change on an incident, in product terms.
/// `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IncidentUpdate {
    /// New status.
    pub status: Option<IncidentStatus>,
    /// New classification; only on a resolved incident.
    pub classification: Option<Classification>,
    /// New determination; only with classification true positive.
    pub determination: Option<Determination>,
    /// New owner: a UPN in the customer tenant.
    pub assigned_to: Option<String>,
    /// A comment added alongside the update.
    pub comment: Option<String>,
}

impl IncidentUpdate {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.classification.is_none()
            && self.determination.is_none()
            && self.assigned_to.is_none()
            && self.comment.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_are_kept_verbatim() {
        let value: Severity = serde_json::from_str("\"catastrophic\"").unwrap();

        assert_eq!(value, Severity::Other("catastrophic".into()));
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"catastrophic\"");
    }

    #[test]
    fn product_names_round_trip() {
        for value in Determination::KNOWN {
            let text = serde_json::to_string(value).unwrap();
            let back: Determination = serde_json::from_str(&text).unwrap();
            assert_eq!(&back, value, "{text} should parse back to itself");
        }
    }
}

product_enum! {
    /// One step of the compromised-user playbook, in the order it runs:
    /// block sign-in first so a stolen session cannot get back in while
    /// the rest is done.
    RemediationStep {
        /// `PATCH /users/{id}` with `accountEnabled: false`.
        DisableSignIn => "disable_sign_in",
        /// `POST /users/{id}/revokeSignInSessions`.
        RevokeSessions => "revoke_sessions",
        /// A generated temporary password that must be changed at next
        /// sign-in.
        ResetPassword => "reset_password",
        /// Delete inbox rules that forward, redirect or forward as an
        /// attachment; report mailbox-level forwarding Graph cannot see.
        ClearForwarding => "clear_forwarding",
    }
}
