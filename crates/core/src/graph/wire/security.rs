//! Incidents, alerts_v2 and their comments on the wire.

use serde::{Deserialize, Serialize};

use super::{evidence_from_wire, missing, optional_time, required_time, WireEnum};
use crate::graph::Error;
use crate::model::{
    Alert, AlertStatus, Classification, Comment, Determination, Incident, IncidentStatus, Severity,
};

/// `microsoft.graph.security.alertComment`, in both shapes Graph's docs
/// show: the schema's `createdByDisplayName`/`createdDateTime` and the
/// incident samples' `createdBy`/`createdTime`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CommentWire {
    /// The text.
    pub comment: Option<String>,
    /// Schema spelling of the author.
    pub created_by_display_name: Option<String>,
    /// Sample spelling of the author.
    pub created_by: Option<String>,
    /// Schema spelling of the time (non-null in the schema).
    pub created_date_time: Option<String>,
    /// Sample spelling of the time.
    pub created_time: Option<String>,
}

impl CommentWire {
    /// Into the domain comment. A null time is tolerated (the comment is
    /// still worth showing) and a null text becomes empty.
    pub fn into_domain(self) -> Result<Comment, Error> {
        let time = self.created_date_time.or(self.created_time);
        Ok(Comment {
            comment: self.comment.unwrap_or_default(),
            created_by: self.created_by_display_name.or(self.created_by),
            created_at: optional_time(time.as_deref(), "comment", "createdDateTime")?,
        })
    }
}

/// The answer to `POST .../comments`: the whole comment collection.
#[derive(Debug, Clone, Deserialize)]
pub struct CommentsResponse {
    /// Every comment on the incident or alert after the post.
    #[serde(default)]
    pub value: Vec<CommentWire>,
}

impl CommentsResponse {
    /// The comments, oldest first.
    pub fn into_domain(self) -> Result<Vec<Comment>, Error> {
        comments_from_wire(Some(self.value))
    }
}

fn comments_from_wire(wire: Option<Vec<CommentWire>>) -> Result<Vec<Comment>, Error> {
    let mut comments = wire
        .unwrap_or_default()
        .into_iter()
        .map(CommentWire::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
    // Stable: comments without a time keep their relative place up front.
    comments.sort_by_key(|c| c.created_at);
    Ok(comments)
}

/// `microsoft.graph.security.incident`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IncidentWire {
    /// Key.
    pub id: Option<String>,
    /// Title.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// alertSeverity.
    pub severity: Option<String>,
    /// incidentStatus.
    pub status: Option<String>,
    /// alertClassification.
    pub classification: Option<String>,
    /// alertDetermination.
    pub determination: Option<String>,
    /// Owner.
    pub assigned_to: Option<String>,
    /// Non-null per the schema.
    pub created_date_time: Option<String>,
    /// Non-null per the schema; the sync watermark.
    pub last_update_date_time: Option<String>,
    /// Portal link.
    pub incident_web_url: Option<String>,
    /// Merge target.
    pub redirect_incident_id: Option<String>,
    /// Analyst tags.
    pub custom_tags: Option<Vec<String>>,
    /// Microsoft's tags.
    pub system_tags: Option<Vec<String>>,
    /// Comments.
    pub comments: Option<Vec<CommentWire>>,
    /// Present with `$expand=alerts`.
    pub alerts: Option<Vec<AlertWire>>,
}

impl IncidentWire {
    /// Into the domain incident and its expanded alerts.
    ///
    /// Tolerated nulls: severity and status (non-null in the schema) become
    /// `unknown`; a null createdDateTime falls back to lastUpdateDateTime.
    /// A missing id or lastUpdateDateTime is a decode error: without them
    /// the incident cannot be stored or synced incrementally.
    pub fn into_domain(self, tenant: &str) -> Result<(Incident, Vec<Alert>), Error> {
        let id = self.id.ok_or_else(|| missing("incident", "id"))?;
        let what = format!("incident {id}");
        let last_update_at = required_time(
            self.last_update_date_time.as_deref(),
            &what,
            "lastUpdateDateTime",
        )?;
        let created_at = match self.created_date_time.as_deref() {
            Some(raw) => required_time(Some(raw), &what, "createdDateTime")?,
            None => last_update_at,
        };
        let alerts = self
            .alerts
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.into_domain(tenant))
            .collect::<Result<Vec<_>, _>>()?;

        let incident = Incident {
            tenant_id: tenant.to_string(),
            id,
            display_name: self.display_name.unwrap_or_default(),
            description: self.description,
            severity: parse_or_unknown(self.severity.as_deref(), Severity::Unknown),
            status: parse_or_unknown(self.status.as_deref(), IncidentStatus::Unknown),
            classification: self
                .classification
                .as_deref()
                .map(Classification::from_wire),
            determination: self.determination.as_deref().map(Determination::from_wire),
            assigned_to: self.assigned_to,
            created_at,
            last_update_at,
            web_url: self.incident_web_url,
            redirect_incident_id: self.redirect_incident_id,
            custom_tags: self.custom_tags.unwrap_or_default(),
            system_tags: self.system_tags.unwrap_or_default(),
            comments: comments_from_wire(self.comments)?,
        };
        Ok((incident, alerts))
    }
}

fn parse_or_unknown<T: WireEnum>(raw: Option<&str>, unknown: T) -> T {
    raw.map(T::from_wire).unwrap_or(unknown)
}

/// `microsoft.graph.security.alert` (alerts_v2).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AlertWire {
    /// Key.
    pub id: Option<String>,
    /// Owning incident.
    pub incident_id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// MITRE tactic-like category.
    pub category: Option<String>,
    /// alertSeverity (non-null in the schema).
    pub severity: Option<String>,
    /// alertStatus (non-null in the schema).
    pub status: Option<String>,
    /// alertClassification.
    pub classification: Option<String>,
    /// alertDetermination.
    pub determination: Option<String>,
    /// Owner.
    pub assigned_to: Option<String>,
    /// MITRE technique ids.
    pub mitre_techniques: Option<Vec<String>>,
    /// Microsoft's advice.
    pub recommended_actions: Option<String>,
    /// serviceSource.
    pub service_source: Option<String>,
    /// detectionSource.
    pub detection_source: Option<String>,
    /// Created.
    pub created_date_time: Option<String>,
    /// Last updated.
    pub last_update_date_time: Option<String>,
    /// First activity.
    pub first_activity_date_time: Option<String>,
    /// Last activity.
    pub last_activity_date_time: Option<String>,
    /// Portal link.
    pub alert_web_url: Option<String>,
    /// Polymorphic evidence, dispatched on `@odata.type`.
    pub evidence: Option<Vec<Box<serde_json::value::RawValue>>>,
}

impl AlertWire {
    /// Into the domain alert. Null severity/status become `unknown`, a
    /// null title becomes empty; a missing id is a decode error.
    pub fn into_domain(self, tenant: &str) -> Result<Alert, Error> {
        let id = self.id.ok_or_else(|| missing("alert", "id"))?;
        let what = format!("alert {id}");
        let time = |raw: &Option<String>, field: &str| optional_time(raw.as_deref(), &what, field);

        Ok(Alert {
            tenant_id: tenant.to_string(),
            created_at: time(&self.created_date_time, "createdDateTime")?,
            last_update_at: time(&self.last_update_date_time, "lastUpdateDateTime")?,
            first_activity_at: time(&self.first_activity_date_time, "firstActivityDateTime")?,
            last_activity_at: time(&self.last_activity_date_time, "lastActivityDateTime")?,
            id,
            incident_id: self.incident_id,
            title: self.title.unwrap_or_default(),
            description: self.description,
            category: self.category,
            severity: parse_or_unknown(self.severity.as_deref(), Severity::Unknown),
            status: parse_or_unknown(self.status.as_deref(), AlertStatus::Unknown),
            classification: self
                .classification
                .as_deref()
                .map(Classification::from_wire),
            determination: self.determination.as_deref().map(Determination::from_wire),
            assigned_to: self.assigned_to,
            mitre_techniques: self.mitre_techniques.unwrap_or_default(),
            recommended_actions: self.recommended_actions,
            service_source: self.service_source,
            detection_source: self.detection_source,
            web_url: self.alert_web_url,
            evidence: self
                .evidence
                .unwrap_or_default()
                .into_iter()
                .map(evidence_from_wire)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::wire::decode;

    #[test]
    fn both_comment_shapes_parse() {
        let body = br#"[{"comment":"a","createdBy":"x@y","createdTime":"2021-09-30T12:07:37.2756993Z"},
            {"comment":"b","createdByDisplayName":"z@y","createdDateTime":"2022-10-13T07:08:45Z"}]"#;
        let wire: Vec<CommentWire> = decode(body, "comments").unwrap();

        let comments = comments_from_wire(Some(wire)).unwrap();
        assert_eq!(comments[0].created_by.as_deref(), Some("x@y"));
        assert_eq!(comments[1].created_by.as_deref(), Some("z@y"));
        assert!(comments.iter().all(|c| c.created_at.is_some()));
    }

    #[test]
    fn incident_without_watermark_is_a_decode_error() {
        let wire: IncidentWire = decode(br#"{"id":"7","severity":"high"}"#, "incident").unwrap();

        let err = wire.into_domain("t").unwrap_err();
        assert!(err.to_string().contains("lastUpdateDateTime"), "{err}");
    }

    #[test]
    fn null_severity_and_status_default_to_unknown() {
        let body = br#"{"id":"7","severity":null,"status":null,
            "lastUpdateDateTime":"2024-01-01T00:00:00Z","createdDateTime":null}"#;
        let wire: IncidentWire = decode(body, "incident").unwrap();

        let (incident, _) = wire.into_domain("t").unwrap();
        assert_eq!(incident.severity, Severity::Unknown);
        assert_eq!(incident.status, IncidentStatus::Unknown);
        assert_eq!(incident.created_at, incident.last_update_at);
        assert_eq!(incident.tenant_id, "t");
    }

    #[test]
    fn wrong_types_are_decode_errors_not_panics() {
        let result = decode::<IncidentWire>(br#"{"id":"7","customTags":"x"}"#, "incident");

        assert!(matches!(result, Err(Error::Decode { .. })));
    }
}
