//! The simulator's truth: the partner tenant, the customer tenants with
//! their GDAP relationships and security data, and the identity state
//! (issued tokens, device codes). Bodies are kept as Graph-shaped JSON so
//! generated data and fixture files are stored and served the same way.
//!
//! One `Mutex<World>` guards all of it; handlers hold the lock only while
//! reading or changing data, never across an await.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use serde_json::{json, Value};

use crate::clock::Stamper;
use crate::data::org::Org;
use crate::data::rng::Gen;
use crate::identity::AuthState;
use crate::roles::{access_of, Access};

/// The MSP's own tenant.
#[derive(Debug, Clone)]
pub struct Partner {
    /// Tenant id.
    pub tenant_id: String,
    /// Organisation name.
    pub display_name: String,
    /// Initial domain.
    pub domain: String,
    /// The analyst who signs in with the device-code flow.
    pub user_upn: String,
}

/// One customer tenant.
#[derive(Debug)]
pub struct Tenant {
    /// Identity, staff and devices.
    pub org: Org,
    /// Whether the app registration is consented here.
    pub consented: bool,
    /// GDAP relationships with the partner (active and historical).
    pub relationships: Vec<Value>,
    /// Access assignments per relationship id.
    pub assignments: HashMap<String, Vec<Value>>,
    /// Incidents without the alerts navigation property, newest first.
    pub incidents: Vec<Value>,
    /// All alerts; incident alerts carry `incidentId`.
    pub alerts: Vec<Value>,
    /// Secure Score snapshots, newest first.
    pub secure_scores: Vec<Value>,
    /// Secure Score control profiles.
    pub control_profiles: Vec<Value>,
    /// The `organization` entity.
    pub organization: Value,
    /// Instants of recent security requests, for the per-minute budget.
    pub budget_window: VecDeque<Instant>,
    /// Users, their mailboxes and the app permissions granted here.
    pub directory: crate::data::users::Directory,
}

impl Tenant {
    /// Tenant id.
    pub fn id(&self) -> &str {
        &self.org.tenant_id
    }

    /// Role template ids granted by the active relationships.
    pub fn roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = self
            .relationships
            .iter()
            .filter(|r| r["status"] == "active")
            .flat_map(|r| role_ids(&r["accessDetails"]))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// What the tenant's roles allow on the security paths.
    pub fn access(&self) -> Access {
        access_of(self.roles().iter().map(String::as_str))
    }

    /// Whether any relationship is active (required for GDAP sign-in).
    pub fn has_active_relationship(&self) -> bool {
        self.relationships.iter().any(|r| r["status"] == "active")
    }

    /// Verified domain names, lower-case.
    pub fn domains(&self) -> Vec<String> {
        self.organization["verifiedDomains"]
            .as_array()
            .map(|ds| {
                ds.iter()
                    .filter_map(|d| d["name"].as_str())
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Index of an incident by id.
    pub fn incident_index(&self, id: &str) -> Option<usize> {
        self.incidents.iter().position(|i| i["id"] == id)
    }
}

/// Role ids in an `accessDetails` object.
pub fn role_ids(access_details: &Value) -> Vec<String> {
    access_details["unifiedRoles"]
        .as_array()
        .map(|roles| {
            roles
                .iter()
                .filter_map(|r| r["roleDefinitionId"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// An `accessDetails` object for role ids.
pub fn access_details(roles: &[&str]) -> Value {
    let roles: Vec<Value> = roles
        .iter()
        .map(|r| json!({"roleDefinitionId": r}))
        .collect();
    json!({ "unifiedRoles": roles })
}

/// Settings the request handlers need besides the data.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Recognised client id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// Default page size.
    pub page_size: usize,
    /// Security requests per tenant per minute.
    pub budget_per_minute: u32,
    /// Access token lifetime in seconds.
    pub token_lifetime_secs: u64,
    /// Device-code polling interval in seconds.
    pub device_code_interval_secs: u64,
    /// Approve device codes on their first poll.
    pub auto_approve_device_code: bool,
}

/// Everything mutable the simulator knows.
pub struct World {
    /// The partner tenant.
    pub partner: Partner,
    /// Customer tenants in generation order.
    pub tenants: Vec<Tenant>,
    /// Tokens, refresh tokens and device codes.
    pub auth: AuthState,
    /// Randomness for data created at runtime (new incidents, touches).
    pub gen: Gen,
    /// Monotonic clock for `lastUpdateDateTime`.
    pub stamper: Stamper,
    /// Fixed settings.
    pub settings: Settings,
}

impl World {
    /// A customer tenant by id.
    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants
            .iter()
            .find(|t| t.id().eq_ignore_ascii_case(id))
    }

    /// A customer tenant by id, mutably.
    pub fn tenant_mut(&mut self, id: &str) -> Option<&mut Tenant> {
        self.tenants
            .iter_mut()
            .find(|t| t.id().eq_ignore_ascii_case(id))
    }

    /// Resolves the `{tenant}` segment of an identity URL (id or verified
    /// domain) to a tenant id; the partner tenant included.
    pub fn resolve_tenant(&self, segment: &str) -> Option<String> {
        let segment = segment.to_lowercase();
        if segment == self.partner.tenant_id || segment == self.partner.domain {
            return Some(self.partner.tenant_id.clone());
        }
        self.tenants
            .iter()
            .find(|t| t.id() == segment || t.domains().contains(&segment))
            .map(|t| t.id().to_string())
    }
}
