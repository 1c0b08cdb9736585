//! Secure Score snapshots and control profiles on the wire, and the join
//! that turns them into per-tenant recommendations.

use std::collections::HashMap;

use serde::Deserialize;

use super::{missing, optional_time, required_time};
use crate::graph::Error;
use crate::model::{Recommendation, ScoreSnapshot};

/// `microsoft.graph.secureScore` (an open type; extras are ignored).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecureScoreWire {
    /// `{tenantId}_{yyyy-mm-dd}`.
    pub id: Option<String>,
    /// When Microsoft computed it.
    pub created_date_time: Option<String>,
    /// Points earned.
    pub current_score: Option<f64>,
    /// Points available.
    pub max_score: Option<f64>,
    /// Per-control points.
    pub control_scores: Option<Vec<ControlScoreWire>>,
}

/// `microsoft.graph.controlScore` (open type).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlScoreWire {
    /// Matches a control profile's id.
    pub control_name: Option<String>,
    /// Points earned on this control.
    pub score: Option<f64>,
}

impl SecureScoreWire {
    /// Into a snapshot. Null scores count as 0 (nullable in the schema;
    /// a snapshot without points still shows the day); a missing
    /// createdDateTime is a decode error.
    pub fn to_snapshot(&self, tenant: &str) -> Result<ScoreSnapshot, Error> {
        let what = format!("secure score {}", self.id.as_deref().unwrap_or("?"));
        Ok(ScoreSnapshot {
            tenant_id: tenant.to_string(),
            created_at: required_time(self.created_date_time.as_deref(), &what, "createdDateTime")?,
            current_score: self.current_score.unwrap_or(0.0),
            max_score: self.max_score.unwrap_or(0.0),
        })
    }

    fn scores_by_control(&self) -> HashMap<&str, f64> {
        self.control_scores
            .iter()
            .flatten()
            .filter_map(|c| Some((c.control_name.as_deref()?, c.score?)))
            .collect()
    }
}

/// `microsoft.graph.secureScoreControlProfile` (open type).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlProfileWire {
    /// The control name.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Identity / Data / Device / Apps / Infrastructure.
    pub control_category: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Points available.
    pub max_score: Option<f64>,
    /// Microsoft's rank.
    pub rank: Option<i32>,
    /// Config / Review / Behavior.
    pub action_type: Option<String>,
    /// Where Graph says to act.
    pub action_url: Option<String>,
    /// Core / Defense in Depth / Advanced.
    pub tier: Option<String>,
    /// Low / Moderate / High.
    pub user_impact: Option<String>,
    /// Low / Moderate / High.
    pub implementation_cost: Option<String>,
    /// How to do it (may be HTML).
    pub remediation: Option<String>,
    /// Deprecated by Microsoft.
    pub deprecated: Option<bool>,
    /// Analyst state history.
    pub control_state_updates: Option<Vec<ControlStateUpdateWire>>,
}

/// `microsoft.graph.secureScoreControlStateUpdate`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlStateUpdateWire {
    /// Default / Ignored / ThirdParty / Reviewed.
    pub state: Option<String>,
    /// When it was set.
    pub updated_date_time: Option<String>,
}

/// The Defender portal page for an improvement action.
///
/// The Graph docs are silent on a per-action portal link; this is the
/// Secure Score "Recommended actions" view filtered to the action, which is
/// the URL shape the portal itself uses, with `tid` so an MSP analyst lands
/// in the customer's tenant. Always a Microsoft host, whatever `actionUrl`
/// says.
pub fn portal_url(portal_host: &str, tenant: &str, control: &str) -> String {
    let mut url = url::Url::parse(&format!("https://{portal_host}/securescore"))
        .unwrap_or_else(|_| url::Url::parse("https://security.microsoft.com/securescore").unwrap());
    url.query_pairs_mut()
        .append_pair("viewid", "actions")
        .append_pair("actionId", control)
        .append_pair("tid", tenant);
    url.to_string()
}

impl ControlProfileWire {
    fn latest_state(&self, what: &str) -> Result<Option<String>, Error> {
        let mut latest = None;
        for update in self.control_state_updates.iter().flatten() {
            let at = optional_time(update.updated_date_time.as_deref(), what, "updatedDateTime")?;
            if latest.as_ref().is_none_or(|(t, _)| at >= *t) {
                latest = Some((at, update.state.clone()));
            }
        }
        Ok(latest.and_then(|(_, state)| state))
    }
}

/// Joins control profiles with the latest score's controlScores:
/// current = controlScores[].score where controlName == profile id,
/// max = the profile's maxScore. A profile without an id is a decode error.
pub fn recommendations_from_wire(
    tenant: &str,
    portal_host: &str,
    profiles: Vec<ControlProfileWire>,
    latest: Option<&SecureScoreWire>,
) -> Result<Vec<Recommendation>, Error> {
    let scores = latest
        .map(SecureScoreWire::scores_by_control)
        .unwrap_or_default();
    profiles
        .into_iter()
        .map(|p| {
            let id =
                p.id.clone()
                    .ok_or_else(|| missing("control profile", "id"))?;
            let state = p.latest_state(&format!("control profile {id}"))?;
            Ok(Recommendation {
                tenant_id: tenant.to_string(),
                current_score: scores.get(id.as_str()).copied(),
                portal_url: portal_url(portal_host, tenant, &id),
                title: p.title.unwrap_or_else(|| id.clone()),
                id,
                category: p.control_category,
                service: p.service,
                max_score: p.max_score,
                rank: p.rank,
                action_type: p.action_type,
                tier: p.tier,
                user_impact: p.user_impact,
                implementation_cost: p.implementation_cost,
                remediation: p.remediation,
                action_url: p.action_url,
                state,
                deprecated: p.deprecated.unwrap_or(false),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::wire::decode;

    #[test]
    fn current_points_come_from_the_matching_control_score() {
        let score: SecureScoreWire = decode(
            br#"{"createdDateTime":"2024-01-01T00:00:00Z","currentScore":10.5,"maxScore":20,
                "controlScores":[{"controlName":"AdminMFA","score":7.0}]}"#,
            "score",
        )
        .unwrap();
        let profiles: Vec<ControlProfileWire> = decode(
            br#"[{"id":"AdminMFA","maxScore":10.0,"controlStateUpdates":[
                {"state":"Default","updatedDateTime":"2020-01-01T00:00:00Z"},
                {"state":"Reviewed","updatedDateTime":"2021-01-01T00:00:00Z"}]},
                {"id":"DLPEnabled","title":"DLP"}]"#,
            "profiles",
        )
        .unwrap();

        let recs =
            recommendations_from_wire("t1", "security.microsoft.com", profiles, Some(&score))
                .unwrap();
        assert_eq!(recs[0].current_score, Some(7.0));
        assert_eq!(recs[0].max_score, Some(10.0));
        assert_eq!(recs[0].state.as_deref(), Some("Reviewed"));
        assert_eq!(recs[1].current_score, None);
        assert_eq!(score.to_snapshot("t1").unwrap().current_score, 10.5);
    }

    #[test]
    fn portal_links_stay_on_the_microsoft_host() {
        let url = portal_url("security.microsoft.com", "t&1", "A B");

        assert_eq!(
            url,
            "https://security.microsoft.com/securescore?viewid=actions&actionId=A+B&tid=t%261"
        );
    }
}
