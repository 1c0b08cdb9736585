//! Graph's JSON, in one place: serde structs with Graph's camelCase names,
//! and their conversion into the product's domain model (and back, for
//! request bodies).
//!
//! Nothing outside this module sees a wire name. Conversions take the
//! tenant we asked (not the `tenantId` in the body) because that is the
//! tenant whose token read the data. Where Graph promises a non-null value
//! but sends null and a safe default exists, the default is used and the
//! spot says so; otherwise the result is [`Error::Decode`](super::Error).

mod enums;
mod evidence;
mod requests;
mod score;
mod security;
mod tenants;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Error;

pub use enums::WireEnum;
pub use evidence::evidence_from_wire;
pub use requests::{
    AlertPatch, BatchItem, BatchRequest, CommentRequest, ControlProfilePatch, IncidentPatch,
    VendorInformation,
};
pub use score::{
    portal_url, recommendations_from_wire, ControlProfileWire, ControlScoreWire,
    ControlStateUpdateWire, SecureScoreWire,
};
pub use security::{AlertWire, CommentWire, CommentsResponse, IncidentWire};
pub use tenants::{
    customers_from_wire, AccessAssignmentWire, AccessDetailsWire, CustomerWire, OrganizationWire,
    RelationshipCustomer, RelationshipWire, RoleWire, VerifiedDomainWire,
};

/// One page of a Graph collection.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page's full URL, to follow verbatim.
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// Parses a JSON body into `T`, naming the failing field in the error.
pub fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Error> {
    // Tracking the path costs about a third of the parse on large pages,
    // so it is paid only to explain a body that failed.
    serde_json::from_slice(body).or_else(|_| decode_tracked(body, what))
}

/// [`decode`]'s slow path: parses again, keeping the path to the error.
fn decode_tracked<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let detail = if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        };
        Error::Decode {
            what: what.to_string(),
            detail,
        }
    })
}

/// A missing required value, as a decode error.
pub(crate) fn missing(what: &str, field: &str) -> Error {
    Error::Decode {
        what: what.to_string(),
        detail: format!("{field} is missing or null"),
    }
}

/// Parses a Graph timestamp: RFC 3339 with 0 to 7 (or more) fractional
/// digits. A value without an offset is read as UTC, since Graph's
/// DateTimeOffset values are always UTC even when the `Z` is dropped.
pub fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// A required timestamp field, or a decode error naming it.
pub(crate) fn required_time(
    raw: Option<&str>,
    what: &str,
    field: &str,
) -> Result<DateTime<Utc>, Error> {
    let raw = raw.ok_or_else(|| missing(what, field))?;
    parse_timestamp(raw).ok_or_else(|| Error::Decode {
        what: what.to_string(),
        detail: format!("{field} is not a timestamp: {raw:?}"),
    })
}

/// An optional timestamp field; present but unparseable is an error.
pub(crate) fn optional_time(
    raw: Option<&str>,
    what: &str,
    field: &str,
) -> Result<Option<DateTime<Utc>>, Error> {
    raw.map(|r| required_time(Some(r), what, field)).transpose()
}

/// Graph's error envelope `{"error": {code, message, innerError}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphErrorBody {
    /// The error itself.
    pub error: GraphErrorDetail,
}

/// The `error` object of Graph's envelope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphErrorDetail {
    /// Graph's error code; may be empty.
    #[serde(default)]
    pub code: Option<String>,
    /// A message for developers.
    #[serde(default)]
    pub message: Option<String>,
    /// Open object with `request-id`, `date`, `client-request-id`; the docs
    /// spell it `innererror`, payloads `innerError`.
    #[serde(rename = "innerError", alias = "innererror", default)]
    pub inner_error: Option<serde_json::Value>,
}

impl GraphErrorDetail {
    /// The `request-id` in innerError, looking into nested innerErrors.
    pub fn request_id(&self) -> Option<String> {
        let mut inner = self.inner_error.as_ref();
        while let Some(value) = inner {
            if let Some(id) = value.get("request-id").and_then(|v| v.as_str()) {
                return Some(id.to_string());
            }
            inner = value.get("innerError").or_else(|| value.get("innererror"));
        }
        None
    }
}

/// The identity platform's token error body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AadError {
    /// OAuth error: `invalid_client`, `invalid_grant`, `unauthorized_client`.
    pub error: String,
    /// `AADSTSnnnn: text` for people.
    #[serde(default)]
    pub error_description: Option<String>,
    /// The AADSTS numbers; the first one is what we classify on.
    #[serde(default)]
    pub error_codes: Vec<u32>,
    /// For a support ticket.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// For a support ticket.
    #[serde(default)]
    pub correlation_id: Option<String>,
}

impl AadError {
    /// The AADSTS number: `error_codes[0]`, or else the number in the
    /// `AADSTSnnnn:` prefix of the description, which the identity platform
    /// always writes (the code, not the message text, is what we read).
    pub fn aadsts(&self) -> Option<u32> {
        if let Some(first) = self.error_codes.first() {
            return Some(*first);
        }
        let rest = self.error_description.as_deref()?.strip_prefix("AADSTS")?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    #[cfg(test)]
    pub(crate) fn for_test(error: &str, codes: &[u32]) -> Self {
        AadError {
            error: error.to_string(),
            error_description: None,
            error_codes: codes.to_vec(),
            trace_id: None,
            correlation_id: None,
        }
    }
}

impl std::fmt::Display for AadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first_line = self
            .error_description
            .as_deref()
            .and_then(|d| d.lines().next());
        match first_line {
            Some(text) => write!(f, "{}: {text}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

impl oauth2::ErrorResponse for AadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_zero_to_seven_fraction_digits_parse() {
        for raw in [
            "2021-08-13T08:43:35Z",
            "2021-04-26T07:45:50.116Z",
            "2021-08-13T08:43:35.5533333Z",
            "2019-03-19T22:37:14.628799Z",
            "2020-08-18T12:51:51",
        ] {
            assert!(parse_timestamp(raw).is_some(), "{raw} should parse");
        }
        assert!(parse_timestamp("yesterday").is_none());
    }

    #[test]
    fn decode_errors_name_the_field() {
        let err =
            decode::<Page<IncidentWire>>(br#"{"value":[{"id":5}]}"#, "incidents page").unwrap_err();

        let text = err.to_string();
        assert!(text.contains("value[0].id"), "{text}");
        assert!(text.contains("incidents page"), "{text}");
    }

    #[test]
    fn aadsts_number_falls_back_to_the_description_prefix() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000222: expired"}"#;
        let error: AadError = serde_json::from_str(body).unwrap();

        assert_eq!(error.aadsts(), Some(7000222));
    }

    #[test]
    fn request_id_is_found_in_nested_inner_errors() {
        let body = r#"{"error":{"code":"x","innerError":{"innerError":{"request-id":"r2"}}}}"#;
        let parsed: GraphErrorBody = serde_json::from_str(body).unwrap();

        assert_eq!(parsed.error.request_id().as_deref(), Some("r2"));
    }
}
