//! Request bodies we send (or may send) to Graph, in Graph's names.
//!
//! They also deserialize, so the docs' own example requests can be checked
//! against these shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::WireEnum;
use crate::model::{Classification, Determination, IncidentStatus, IncidentUpdate};

/// The body of `PATCH /security/incidents/{id}`: only changed fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentPatch {
    /// incidentStatus, camelCase.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
    /// alertClassification, camelCase.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub classification: Option<String>,
    /// alertDetermination, camelCase.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub determination: Option<String>,
    /// Owner UPN.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub assigned_to: Option<String>,
    /// Analyst tags (the product does not edit them yet).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub custom_tags: Option<Vec<String>>,
}

impl IncidentPatch {
    /// The wire body for a product update. The comment is not part of the
    /// PATCH; it goes through `POST .../comments`.
    pub fn from_update(update: &IncidentUpdate) -> Self {
        IncidentPatch {
            status: update.status.as_ref().map(WireEnum::to_wire),
            classification: update.classification.as_ref().map(WireEnum::to_wire),
            determination: update.determination.as_ref().map(WireEnum::to_wire),
            assigned_to: update.assigned_to.clone(),
            custom_tags: None,
        }
    }

    /// The product update this body expresses (tags are dropped).
    pub fn to_update(&self) -> IncidentUpdate {
        IncidentUpdate {
            status: self.status.as_deref().map(IncidentStatus::from_wire),
            classification: self
                .classification
                .as_deref()
                .map(Classification::from_wire),
            determination: self.determination.as_deref().map(Determination::from_wire),
            assigned_to: self.assigned_to.clone(),
            comment: None,
        }
    }
}

/// The body of `PATCH /security/alerts_v2/{id}` (not sent by the product
/// yet; kept so the shape is checked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertPatch {
    /// alertStatus, camelCase.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
    /// alertClassification.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub classification: Option<String>,
    /// alertDetermination.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub determination: Option<String>,
    /// Owner.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub assigned_to: Option<String>,
}

/// The body of `POST .../comments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentRequest {
    /// Always `microsoft.graph.security.alertComment`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// The text.
    pub comment: String,
}

impl CommentRequest {
    /// A comment body for `text`.
    pub fn new(text: &str) -> Self {
        CommentRequest {
            odata_type: "microsoft.graph.security.alertComment".to_string(),
            comment: text.to_string(),
        }
    }
}

/// The body of `PATCH /security/secureScoreControlProfiles/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlProfilePatch {
    /// Owner.
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// Analyst note.
    #[serde(default)]
    pub comment: Option<String>,
    /// Default / Ignored / ThirdParty / Reviewed.
    #[serde(default)]
    pub state: Option<String>,
    /// Required by Graph on this PATCH.
    pub vendor_information: VendorInformation,
}

/// `microsoft.graph.securityVendorInformation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorInformation {
    /// `SecureScore`.
    pub provider: String,
    /// Usually null.
    #[serde(default)]
    pub provider_version: Option<String>,
    /// Usually null.
    #[serde(default)]
    pub sub_provider: Option<String>,
    /// `Microsoft`.
    pub vendor: String,
}

/// `POST /$batch` body (not used: a batch is one tenant and every inner
/// request is throttled individually, so it does not speed up our fan-out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    /// Up to 20 requests.
    pub requests: Vec<BatchItem>,
}

/// One request inside a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    /// Correlates the response.
    pub id: String,
    /// HTTP method.
    pub method: String,
    /// Relative URL.
    pub url: String,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// Ordering dependencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classification, Determination};

    #[test]
    fn patch_contains_only_changed_fields_in_camel_case() {
        let update = IncidentUpdate {
            status: Some(IncidentStatus::InProgress),
            classification: Some(Classification::TruePositive),
            determination: Some(Determination::MultiStagedAttack),
            comment: Some("not sent here".into()),
            ..Default::default()
        };

        let body = serde_json::to_value(IncidentPatch::from_update(&update)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "status": "inProgress",
                "classification": "truePositive",
                "determination": "multiStagedAttack"
            })
        );
    }

    #[test]
    fn comment_body_names_its_odata_type() {
        let body = serde_json::to_value(CommentRequest::new("hi")).unwrap();

        assert_eq!(body["@odata.type"], "microsoft.graph.security.alertComment");
        assert_eq!(body["comment"], "hi");
    }
}
