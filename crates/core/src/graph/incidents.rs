//! Defender data of one customer tenant: incidents, alerts_v2, Secure
//! Score, and the two writes (update an incident, add a comment).

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::Value;

use super::http::encode;
use super::wire::{
    self, AlertWire, CommentRequest, CommentsResponse, ControlProfileWire, IncidentPatch,
    IncidentWire, Page, SecureScoreWire,
};
use super::{Error, Exchange, GraphClient, IncidentWithAlerts, SecureScoreData};
use crate::model::{Alert, Comment, Incident, IncidentUpdate};

/// Secure Score snapshots fetched: two weeks of daily scores.
const SCORE_DAYS: u32 = 14;

impl GraphClient {
    /// Query pairs shared by the list calls.
    fn list_query(&self, since: Option<DateTime<Utc>>) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(since) = since {
            // DateTimeOffset literals are unquoted in OData filters. Seconds
            // are truncated, which only widens the window.
            let literal = since.to_rfc3339_opts(SecondsFormat::Secs, true);
            query.push(("$filter", format!("lastUpdateDateTime ge {literal}")));
        }
        if let Some(top) = self.inner.config.page_size {
            query.push(("$top", top.to_string()));
        }
        query
    }

    /// Incidents with their alerts (`$expand=alerts`), all pages; only
    /// those updated at or after `since` when given.
    pub async fn list_incidents(
        &self,
        tenant: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<IncidentWithAlerts>, Error> {
        let mut query = vec![("$expand", "alerts".to_string())];
        query.extend(self.list_query(since));
        let url = self.inner.url("/security/incidents", &query)?;
        let wire: Vec<IncidentWire> = self.inner.get_all(tenant, url, "incidents").await?;
        wire.into_iter().map(|w| with_alerts(w, tenant)).collect()
    }

    /// Every incident without its alerts, all pages. A full pull reads
    /// alerts_v2 anyway (it also lists the alerts no incident holds), so
    /// expanding alerts here would send each of them twice for no saved
    /// round trip.
    pub async fn list_incidents_only(&self, tenant: &str) -> Result<Vec<Incident>, Error> {
        let url = self
            .inner
            .url("/security/incidents", &self.list_query(None))?;
        let wire: Vec<IncidentWire> = self.inner.get_all(tenant, url, "incidents").await?;
        wire.into_iter()
            .map(|w| with_alerts(w, tenant).map(|i| i.incident))
            .collect()
    }

    /// alerts_v2 alerts, all pages; only those updated since `since`.
    pub async fn list_alerts(
        &self,
        tenant: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Alert>, Error> {
        let url = self
            .inner
            .url("/security/alerts_v2", &self.list_query(since))?;
        let wire: Vec<AlertWire> = self.inner.get_all(tenant, url, "alerts").await?;
        wire.into_iter().map(|w| w.into_domain(tenant)).collect()
    }

    /// One incident with its alerts.
    pub async fn get_incident(&self, tenant: &str, id: &str) -> Result<IncidentWithAlerts, Error> {
        let path = format!("/security/incidents/{}", encode(id));
        let url = self
            .inner
            .url(&path, &[("$expand", "alerts".to_string())])?;
        let wire: IncidentWire = self.inner.get_json(tenant, url, "incident").await?;
        with_alerts(wire, tenant)
    }

    /// Recent Secure Score snapshots and the improvement actions, with
    /// each action's current points from the newest snapshot.
    pub async fn recommendations(&self, tenant: &str) -> Result<SecureScoreData, Error> {
        let url = self.inner.url(
            "/security/secureScores",
            &[("$top", SCORE_DAYS.to_string())],
        )?;
        // One page is enough: we asked for the newest two weeks only.
        let scores: Page<SecureScoreWire> =
            self.inner.get_json(tenant, url, "secure scores").await?;
        let mut snapshots = Vec::with_capacity(scores.value.len());
        for score in &scores.value {
            snapshots.push((score.to_snapshot(tenant)?, score));
        }
        // The docs say newest first; sorting costs nothing and makes sure.
        snapshots.sort_by_key(|s| std::cmp::Reverse(s.0.created_at));

        let query: Vec<_> = self.list_query(None);
        let url = self
            .inner
            .url("/security/secureScoreControlProfiles", &query)?;
        let profiles: Vec<ControlProfileWire> =
            self.inner.get_all(tenant, url, "control profiles").await?;
        let latest = snapshots.first().map(|(_, wire)| *wire);
        let recommendations =
            wire::recommendations_from_wire(tenant, self.portal_host(), profiles, latest)?;

        Ok(SecureScoreData {
            snapshots: snapshots
                .into_iter()
                .map(|(snapshot, _)| snapshot)
                .collect(),
            recommendations,
        })
    }

    /// The Defender portal host matching the configured cloud.
    fn portal_host(&self) -> &'static str {
        // GCC High / DoD have their own portal; every other cloud (and the
        // simulator) links to the global one.
        if self.inner.config.graph_url.contains("graph.microsoft.us") {
            "security.microsoft.us"
        } else {
            "security.microsoft.com"
        }
    }

    /// PATCHes the changed fields of `update` (not its comment) and
    /// returns the incident as Graph now has it. An update with no field
    /// set sends `{}`; callers skip the call instead.
    pub async fn update_incident(
        &self,
        tenant: &str,
        id: &str,
        update: &IncidentUpdate,
    ) -> (Exchange, Result<Incident, Error>) {
        let body = serde_json::to_value(IncidentPatch::from_update(update))
            .unwrap_or_else(|_| Value::Object(Default::default()));
        let path = format!("/security/incidents/{}", encode(id));
        let (exchange, reply) = self
            .inner
            .send_audited(Method::PATCH, tenant, &path, &[], Some(body), None)
            .await;
        let result = match reply {
            // The docs promise 200 with the full incident; if a 204 comes
            // instead, read the incident back rather than guess.
            Ok(reply) if reply.status == 204 || reply.body.is_empty() => {
                self.get_incident(tenant, id).await.map(|i| i.incident)
            }
            Ok(reply) => wire::decode::<IncidentWire>(&reply.body, "updated incident")
                .and_then(|w| w.into_domain(tenant))
                .map(|(incident, _)| incident),
            Err(error) => Err(error),
        };
        (exchange, result)
    }

    /// Adds a comment to an incident; returns every comment it now has.
    pub async fn add_comment(
        &self,
        tenant: &str,
        id: &str,
        text: &str,
    ) -> (Exchange, Result<Vec<Comment>, Error>) {
        let body = serde_json::to_value(CommentRequest::new(text))
            .unwrap_or_else(|_| Value::Object(Default::default()));
        let path = format!("/security/incidents/{}/comments", encode(id));
        let (exchange, reply) = self
            .inner
            .send_audited(Method::POST, tenant, &path, &[], Some(body), None)
            .await;
        let result = reply.and_then(|reply| {
            wire::decode::<CommentsResponse>(&reply.body, "comments")?.into_domain()
        });
        (exchange, result)
    }
}

fn with_alerts(wire: IncidentWire, tenant: &str) -> Result<IncidentWithAlerts, Error> {
    let (incident, alerts) = wire.into_domain(tenant)?;
    Ok(IncidentWithAlerts { incident, alerts })
}
