//! Builders for tenants, incidents, alerts and pulls, and a fresh store in
//! a temporary directory.

use chrono::{DateTime, Duration, TimeZone, Utc};
use manage365_core::model::{
    Alert, AlertStatus, Capability, Evidence, Incident, IncidentStatus, Severity, Tenant,
};
use manage365_core::store::{Store, TenantPull};
use serde_json::json;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A store in its own temporary directory (kept alive by the guard).
pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("cache.sqlite")).expect("store opens");
    (dir, store)
}

/// 2024-05-01 at `hour` o'clock plus `minutes`, UTC.
pub fn at(hour: i64, minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()
        + Duration::hours(hour)
        + Duration::minutes(minutes)
}

pub fn tenant(id: &str, name: &str, domain: &str) -> Tenant {
    Tenant {
        id: id.into(),
        display_name: name.into(),
        domains: vec![domain.into()],
        capability: Capability::Manage,
        skip_reason: None,
    }
}

/// Contoso (`t1`, contoso.com) and Fabrikam (`t2`, fabrikam.com).
pub fn two_tenants(store: &Store) {
    let tenants = [
        tenant("t1", "Contoso", "contoso.com"),
        tenant("t2", "Fabrikam", "fabrikam.com"),
    ];
    store.sync_tenants(&tenants).expect("tenants stored");
}

pub fn incident(tenant_id: &str, id: &str, created_at: DateTime<Utc>) -> Incident {
    Incident {
        tenant_id: tenant_id.into(),
        id: id.into(),
        display_name: format!("Incident {id}"),
        description: None,
        severity: Severity::Medium,
        status: IncidentStatus::Active,
        classification: None,
        determination: None,
        assigned_to: None,
        created_at,
        last_update_at: created_at,
        web_url: Some(format!("https://security.microsoft.com/incidents/{id}")),
        redirect_incident_id: None,
        custom_tags: vec![],
        system_tags: vec![],
        comments: vec![],
    }
}

pub fn evidence(kind: &str, label: &str) -> Evidence {
    Evidence {
        kind: kind.into(),
        label: label.into(),
        verdict: Some("suspicious".into()),
        remediation_status: None,
        roles: vec![],
        raw: serde_json::value::to_raw_value(
            &json!({"@odata.type": format!("#microsoft.graph.security.{kind}Evidence")}),
        )
        .unwrap(),
    }
}

pub fn alert(tenant_id: &str, id: &str, incident_id: Option<&str>) -> Alert {
    Alert {
        tenant_id: tenant_id.into(),
        id: id.into(),
        incident_id: incident_id.map(Into::into),
        title: format!("Alert {id}"),
        description: None,
        category: Some("CredentialAccess".into()),
        severity: Severity::Medium,
        status: AlertStatus::New,
        classification: None,
        determination: None,
        assigned_to: None,
        mitre_techniques: vec![],
        recommended_actions: None,
        service_source: Some("microsoftDefenderForEndpoint".into()),
        detection_source: None,
        created_at: Some(at(1, 0)),
        last_update_at: Some(at(1, 0)),
        first_activity_at: None,
        last_activity_at: None,
        web_url: None,
        evidence: vec![],
    }
}

pub fn pull(
    tenant_id: &str,
    full: bool,
    incidents: Vec<Incident>,
    alerts: Vec<Alert>,
) -> TenantPull {
    TenantPull {
        tenant_id: tenant_id.into(),
        full,
        pulled_at: at(12, 0),
        incidents,
        alerts,
        secure_score: None,
        watermark: None,
    }
}
