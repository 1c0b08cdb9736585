//! Graph's enum members (camelCase on the wire, PascalCase in some of
//! Microsoft's samples) to the product's enums and back.
//!
//! Parsing ignores case; anything unknown, `unknownFutureValue` included,
//! is kept verbatim as `Other(raw)` so a member Microsoft adds later is
//! stored and shown rather than dropped.

use crate::model::{AlertStatus, Classification, Determination, IncidentStatus, Severity};

/// A product enum that has a Graph wire spelling.
pub trait WireEnum: Sized {
    /// Parses a wire value, case-insensitively; unknown values become
    /// `Other(raw)`.
    fn from_wire(raw: &str) -> Self;

    /// The camelCase wire value Graph expects in a request body.
    fn to_wire(&self) -> String;
}

/// Implements [`WireEnum`] from a table of (wire, product) pairs. The first
/// pair for a product value is its canonical spelling; later pairs are
/// accepted aliases.
macro_rules! wire_enum {
    ($name:ident { $($wire:literal => $variant:ident),+ $(,)? }) => {
        impl WireEnum for $name {
            fn from_wire(raw: &str) -> Self {
                $(if raw.eq_ignore_ascii_case($wire) {
                    return $name::$variant;
                })+
                $name::Other(raw.to_string())
            }

            #[allow(unreachable_patterns)] // alias rows repeat a variant
            fn to_wire(&self) -> String {
                match self {
                    $($name::$variant => $wire.to_string(),)+
                    $name::Other(raw) => raw.clone(),
                }
            }
        }
    };
}

wire_enum!(Severity {
    "unknown" => Unknown,
    "informational" => Informational,
    "low" => Low,
    "medium" => Medium,
    "high" => High,
});

wire_enum!(IncidentStatus {
    "active" => Active,
    "resolved" => Resolved,
    "inProgress" => InProgress,
    "redirected" => Redirected,
    "awaitingAction" => AwaitingAction,
    // Not an incidentStatus member in the CSDL, but the product has it.
    "unknown" => Unknown,
});

wire_enum!(AlertStatus {
    "unknown" => Unknown,
    "new" => New,
    "inProgress" => InProgress,
    "resolved" => Resolved,
});

wire_enum!(Classification {
    "unknown" => Unknown,
    "falsePositive" => FalsePositive,
    "truePositive" => TruePositive,
    "informationalExpectedActivity" => InformationalExpectedActivity,
});

wire_enum!(Determination {
    "unknown" => Unknown,
    "apt" => Apt,
    "malware" => Malware,
    "securityPersonnel" => SecurityPersonnel,
    "securityTesting" => SecurityTesting,
    "unwantedSoftware" => UnwantedSoftware,
    "other" => OtherNature,
    "multiStagedAttack" => MultiStagedAttack,
    "compromisedAccount" => CompromisedAccount,
    "phishing" => Phishing,
    "maliciousUserActivity" => MaliciousUserActivity,
    "notMalicious" => NotMalicious,
    "notEnoughDataToValidate" => NotEnoughDataToValidate,
    "confirmedActivity" => ConfirmedActivity,
    "lineOfBusinessApplication" => LineOfBusinessApplication,
    // Older spellings still on some docs pages (graph-reference.md §1).
    "compromisedUser" => CompromisedAccount,
    "clean" => NotMalicious,
    "insufficientData" => NotEnoughDataToValidate,
    "confirmedUserActivity" => ConfirmedActivity,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_sample_values_parse() {
        assert_eq!(
            Classification::from_wire("TruePositive"),
            Classification::TruePositive
        );
        assert_eq!(
            Determination::from_wire("MultiStagedAttack"),
            Determination::MultiStagedAttack
        );
        assert_eq!(IncidentStatus::from_wire("Active"), IncidentStatus::Active);
        assert_eq!(Severity::from_wire("Medium"), Severity::Medium);
    }

    #[test]
    fn old_determination_spellings_are_aliases() {
        assert_eq!(
            Determination::from_wire("compromisedUser"),
            Determination::CompromisedAccount
        );
        assert_eq!(
            Determination::from_wire("clean"),
            Determination::NotMalicious
        );
        assert_eq!(
            Determination::from_wire("insufficientData"),
            Determination::NotEnoughDataToValidate
        );
        assert_eq!(
            Determination::from_wire("confirmedUserActivity"),
            Determination::ConfirmedActivity
        );
        assert_eq!(
            Determination::CompromisedAccount.to_wire(),
            "compromisedAccount"
        );
    }

    #[test]
    fn unknown_future_values_are_kept_raw() {
        assert_eq!(
            IncidentStatus::from_wire("unknownFutureValue"),
            IncidentStatus::Other("unknownFutureValue".into())
        );
        assert_eq!(
            Severity::from_wire("critical"),
            Severity::Other("critical".into())
        );
    }

    #[test]
    fn product_values_become_camel_case_wire_values() {
        assert_eq!(Classification::TruePositive.to_wire(), "truePositive");
        assert_eq!(IncidentStatus::InProgress.to_wire(), "inProgress");
        assert_eq!(Determination::OtherNature.to_wire(), "other");
        for value in Determination::KNOWN {
            assert_eq!(&Determination::from_wire(&value.to_wire()), value);
        }
    }
}
