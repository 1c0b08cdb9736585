//! Knobs of the simulator: what data it generates, which tenants misbehave,
//! how fast and how reliably it answers. `SimConfig::default()` is a small,
//! healthy world; the binary maps every field to a command-line flag.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Client id of the one app registration the simulator recognises unless
/// `SimConfig::client_id` says otherwise.
pub const DEFAULT_CLIENT_ID: &str = "6a1f1c2e-5b7d-4e0a-9c43-2f8d1e6b7a90";

/// Client secret of that app registration.
pub const DEFAULT_CLIENT_SECRET: &str = "sim~secret.Q8w_rT5yUe2-pA9sD4fG7hJ1kL3zX6cV";

/// Tenant id of the MSP (partner) tenant that holds the GDAP relationships.
pub const DEFAULT_PARTNER_TENANT: &str = "9c6b2e1f-4a37-4d58-8e0b-7f3a5d2c1b90";

/// Security service limit per app per tenant from the reference (§6).
pub const DEFAULT_BUDGET_PER_MINUTE: u32 = 150;

/// Everything that shapes a simulated world. Tenant roles are assigned by
/// position: of `tenants` customers, the last `without_security_roles` get
/// no security role, the `not_consented` before those have no consent for
/// the app, and the `read_only` before those get only reader roles.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of every generated name, id and timestamp offset.
    pub seed: u64,
    /// Number of generated customer tenants (fixture tenants come on top).
    pub tenants: usize,
    /// Customer tenants whose GDAP roles include no security role.
    pub without_security_roles: usize,
    /// Customer tenants where the app registration is not consented.
    pub not_consented: usize,
    /// Customer tenants with only Security Reader / Global Reader.
    pub read_only: usize,
    /// Incidents generated per tenant.
    pub incidents_per_tenant: usize,
    /// Inclusive range of alerts per incident.
    pub alerts_per_incident: (usize, usize),
    /// Standalone alerts (no incident) per tenant.
    pub standalone_alerts_per_tenant: usize,
    /// Days of Secure Score snapshots per tenant.
    pub secure_score_days: usize,
    /// Page size used when a list request has no `$top`.
    pub page_size: usize,
    /// Security requests allowed per tenant per rolling minute.
    pub budget_per_minute: u32,
    /// Added delay before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Partner (MSP) tenant id.
    pub partner_tenant: String,
    /// The recognised app registration's client id.
    pub client_id: String,
    /// The recognised app registration's secret.
    pub client_secret: String,
    /// Lifetime of issued access tokens, in seconds.
    pub token_lifetime_secs: u64,
    /// Polling interval announced by the device-code endpoint, in seconds.
    pub device_code_interval_secs: u64,
    /// Approve a device code by itself once it has been polled once.
    pub auto_approve_device_code: bool,
    /// Directory of Graph-shaped JSON tenants to load (see README).
    pub fixtures: Option<PathBuf>,
    /// The instant generated timestamps count back from; `None` = start time.
    /// Set it to make bodies byte-for-byte reproducible.
    pub now: Option<DateTime<Utc>>,
    /// Initial fault settings (changeable at runtime via `/_sim/faults`).
    pub faults: FaultConfig,
    /// Script-injection and other hostile strings to place in every text
    /// field the desktop UI shows (titles, descriptions, evidence names,
    /// paths, command lines, subjects, comments, tenant names, UPNs,
    /// recommendation text and links). Empty = the normal generated text.
    /// They are still plain JSON strings, so bodies stay schema-conformant.
    pub hostile_payloads: Vec<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            tenants: 5,
            without_security_roles: 1,
            not_consented: 0,
            read_only: 1,
            incidents_per_tenant: 12,
            alerts_per_incident: (1, 4),
            standalone_alerts_per_tenant: 3,
            secure_score_days: 7,
            page_size: 50,
            budget_per_minute: DEFAULT_BUDGET_PER_MINUTE,
            latency_ms: 0,
            partner_tenant: DEFAULT_PARTNER_TENANT.to_string(),
            client_id: DEFAULT_CLIENT_ID.to_string(),
            client_secret: DEFAULT_CLIENT_SECRET.to_string(),
            token_lifetime_secs: 3599,
            device_code_interval_secs: 5,
            auto_approve_device_code: false,
            fixtures: None,
            now: None,
            faults: FaultConfig::default(),
            hostile_payloads: Vec::new(),
        }
    }
}

/// Injected failures. Rates are probabilities in `0.0..=1.0`, rolled per
/// request on identity and Graph paths (never on `/_sim/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Share of requests answered 503 with `Retry-After`.
    pub rate_503: f64,
    /// `Retry-After` sent with injected 503s, in seconds.
    pub retry_after_503_secs: f64,
    /// Share of requests answered 429 `TooManyRequests` with `Retry-After`
    /// (a throttling storm on top of the per-tenant budget).
    pub rate_429: f64,
    /// `Retry-After` sent with injected 429s, in seconds.
    pub retry_after_429_secs: f64,
    /// Share of requests whose connection is reset without an answer.
    pub rate_reset: f64,
    /// Share of responses cut off half-way through the body.
    pub rate_truncate: f64,
    /// Share of responses delayed by `slow_ms`.
    pub rate_slow: f64,
    /// Delay of a slow response, in milliseconds.
    pub slow_ms: u64,
    /// When true the token and device-code endpoints answer 503.
    pub token_endpoint_down: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            rate_503: 0.0,
            retry_after_503_secs: 1.0,
            rate_429: 0.0,
            retry_after_429_secs: 1.0,
            rate_reset: 0.0,
            rate_truncate: 0.0,
            rate_slow: 0.0,
            slow_ms: 30_000,
            token_endpoint_down: false,
        }
    }
}

impl FaultConfig {
    /// Checks that every rate is a probability.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("rate503", self.rate_503),
            ("rate429", self.rate_429),
            ("rateReset", self.rate_reset),
            ("rateTruncate", self.rate_truncate),
            ("rateSlow", self.rate_slow),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if self.retry_after_503_secs < 0.0 || self.retry_after_429_secs < 0.0 {
            return Err("retryAfter503Secs and retryAfter429Secs must not be negative".into());
        }
        Ok(())
    }
}
