//! Tenants loaded from a directory of Graph-shaped JSON files, so real or
//! documented bodies are served exactly as they are. Layout:
//!
//! ```text
//! DIR/<tenant-id>/tenant.json                      optional settings (below)
//! DIR/<tenant-id>/incidents.json                   list body {"value": [...]}
//! DIR/<tenant-id>/alerts_v2.json                   list body
//! DIR/<tenant-id>/secureScores.json                list body
//! DIR/<tenant-id>/secureScoreControlProfiles.json  list body
//! DIR/<tenant-id>/organization.json                list body (first item used)
//! ```
//!
//! Every file is optional. Incidents may carry expanded `alerts`; those
//! are moved to the alert store (alerts already in alerts_v2.json with the
//! same id are not duplicated). `tenant.json` holds
//! `{"displayName": "...", "domains": ["contoso.com", ...],
//! "securityAccess": "write" | "read" | "none", "consented": true}`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::data::gdap;
use crate::data::new_tenant;
use crate::data::org::Org;
use crate::data::rng::Gen;
use crate::roles::{MANAGE_SET, OTHER_SET, READ_SET};
use crate::world::Tenant;

/// Why a fixture directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON.
    #[error("{path} is not valid JSON: {source}")]
    Json {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A file is JSON but not the expected shape.
    #[error("{path}: {message}")]
    Shape {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Loads every tenant directory under `dir`, sorted by name.
pub fn load(dir: &Path, gen: &mut Gen, now: DateTime<Utc>) -> Result<Vec<Tenant>, FixtureError> {
    let io = |source| FixtureError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load_tenant(d, gen, now)).collect()
}

fn read(path: &Path) -> Result<Option<Value>, FixtureError> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read(path).map_err(|source| FixtureError::Io {
        path: path.into(),
        source,
    })?;
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|source| FixtureError::Json {
            path: path.into(),
            source,
        })
}

fn list(dir: &Path, name: &str) -> Result<Vec<Value>, FixtureError> {
    let path = dir.join(name);
    match read(&path)? {
        None => Ok(Vec::new()),
        Some(Value::Object(mut body)) => match body.remove("value") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(FixtureError::Shape {
                path,
                message: "expected a list body with \"value\": [...]".into(),
            }),
        },
        Some(_) => Err(FixtureError::Shape {
            path,
            message: "expected a JSON object".into(),
        }),
    }
}

fn load_tenant(dir: &Path, gen: &mut Gen, now: DateTime<Utc>) -> Result<Tenant, FixtureError> {
    let tenant_id = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let settings = read(&dir.join("tenant.json"))?.unwrap_or_else(|| json!({}));
    let organization = list(dir, "organization.json")?.into_iter().next();
    let domains = fixture_domains(&settings, organization.as_ref(), &tenant_id);
    let display_name = settings["displayName"]
        .as_str()
        .or_else(|| {
            organization
                .as_ref()
                .and_then(|o| o["displayName"].as_str())
        })
        .unwrap_or(&tenant_id)
        .to_string();
    let initial = domains
        .iter()
        .find(|d| d.ends_with(".onmicrosoft.com"))
        .cloned()
        .unwrap_or_else(|| domains[0].clone());
    let org = Org::with_identity(gen, tenant_id, display_name, domains[0].clone(), initial);
    let roles: &[&str] = match settings["securityAccess"].as_str().unwrap_or("write") {
        "read" => READ_SET,
        "none" => OTHER_SET,
        _ => MANAGE_SET,
    };

    let mut tenant = new_tenant(gen, org, roles, now);
    tenant.consented = settings["consented"].as_bool().unwrap_or(true);
    tenant.organization = organization.unwrap_or_else(|| gdap::organization(&tenant.org, now));
    if tenant.organization["verifiedDomains"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        tenant.organization["verifiedDomains"] = json!(domains.iter().enumerate().map(|(i, d)| json!({
            "capabilities": "Email", "isDefault": i == 0, "isInitial": d.ends_with(".onmicrosoft.com"),
            "name": d, "type": "Managed"})).collect::<Vec<_>>());
    }
    tenant.alerts = list(dir, "alerts_v2.json")?;
    for mut incident in list(dir, "incidents.json")? {
        if let Some(Value::Array(alerts)) =
            incident.as_object_mut().and_then(|o| o.remove("alerts"))
        {
            for alert in alerts {
                if !tenant.alerts.iter().any(|a| a["id"] == alert["id"]) {
                    tenant.alerts.push(alert);
                }
            }
        }
        tenant.incidents.push(incident);
    }
    tenant.secure_scores = list(dir, "secureScores.json")?;
    tenant.control_profiles = list(dir, "secureScoreControlProfiles.json")?;
    Ok(tenant)
}

fn fixture_domains(settings: &Value, organization: Option<&Value>, tenant_id: &str) -> Vec<String> {
    let from_settings = settings["domains"].as_array().map(|ds| {
        ds.iter()
            .filter_map(|d| d.as_str().map(str::to_lowercase))
            .collect::<Vec<_>>()
    });
    let from_org = organization
        .and_then(|o| o["verifiedDomains"].as_array())
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d["name"].as_str().map(str::to_lowercase))
                .collect::<Vec<_>>()
        });
    from_settings
        .filter(|d| !d.is_empty())
        .or(from_org.filter(|d| !d.is_empty()))
        .unwrap_or_else(|| {
            vec![format!(
                "{}.onmicrosoft.com",
                &tenant_id.replace('-', "")[..8.min(tenant_id.len())]
            )]
        })
}
