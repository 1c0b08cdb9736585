//! Deterministic world generation from a seed: the partner tenant, the
//! customer tenants (names, domains, staff, devices), their GDAP
//! relationships, incidents with alerts and evidence, standalone alerts and
//! Secure Score data. `fixtures` adds tenants loaded from JSON files.

pub mod alerts;
pub mod evidence;
pub mod gdap;
pub mod incidents;
pub mod names;
pub mod org;
pub mod rng;
pub mod scores;
pub mod users;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::clock::{parse_time, Stamper};
use crate::config::SimConfig;
use crate::identity::AuthState;
use crate::roles::{MANAGE_SET, OTHER_SET, READ_SET};
use crate::world::{Partner, Settings, Tenant, World};
use org::Org;
use rng::Gen;

/// What kind of customer a generated tenant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Managed,
    ReadOnly,
    NotConsented,
    NoSecurityRoles,
}

fn profile_of(index: usize, config: &SimConfig) -> Profile {
    let n = config.tenants;
    let without = config.without_security_roles.min(n);
    let not_consented = config.not_consented.min(n - without);
    let read_only = config.read_only.min(n - without - not_consented);
    if index >= n - without {
        Profile::NoSecurityRoles
    } else if index >= n - without - not_consented {
        Profile::NotConsented
    } else if index >= n - without - not_consented - read_only {
        Profile::ReadOnly
    } else {
        Profile::Managed
    }
}

/// Builds the world described by `config`, anchored at `now`.
pub fn build_world(
    config: &SimConfig,
    now: DateTime<Utc>,
) -> Result<World, crate::fixtures::FixtureError> {
    let mut gen = Gen::new(config.seed);
    let mut tenants: Vec<Tenant> = (0..config.tenants)
        .map(|i| generate_tenant(&mut gen, config, i, profile_of(i, config), now))
        .collect();
    if let Some(dir) = &config.fixtures {
        tenants.extend(crate::fixtures::load(dir, &mut gen, now)?);
    }
    crate::hostile::inject(&mut tenants, &config.hostile_payloads);

    let mut stamper = Stamper::new(now);
    for tenant in &tenants {
        let newest = tenant.incidents.iter().chain(&tenant.alerts);
        for body in newest {
            if let Some(t) = body["lastUpdateDateTime"].as_str().and_then(parse_time) {
                stamper.observe(t);
            }
        }
    }

    Ok(World {
        partner: partner(config),
        tenants,
        auth: AuthState::default(),
        gen: Gen::new(config.seed.wrapping_add(0x5eed)),
        stamper,
        settings: Settings {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            page_size: config.page_size.max(1),
            budget_per_minute: config.budget_per_minute,
            token_lifetime_secs: config.token_lifetime_secs,
            device_code_interval_secs: config.device_code_interval_secs,
            auto_approve_device_code: config.auto_approve_device_code,
        },
    })
}

fn partner(config: &SimConfig) -> Partner {
    let domain = "northbridgemsp.onmicrosoft.com".to_string();
    Partner {
        tenant_id: config.partner_tenant.to_lowercase(),
        display_name: "Northbridge Managed Security".into(),
        user_upn: format!("analyst@{domain}"),
        domain,
    }
}

fn generate_tenant(
    gen: &mut Gen,
    config: &SimConfig,
    index: usize,
    profile: Profile,
    now: DateTime<Utc>,
) -> Tenant {
    let org = Org::generate(gen, index);
    let roles: &[&str] = match profile {
        Profile::Managed | Profile::NotConsented => MANAGE_SET,
        Profile::ReadOnly => READ_SET,
        Profile::NoSecurityRoles => OTHER_SET,
    };
    let security = incidents::generate(
        gen,
        &org,
        now,
        config.incidents_per_tenant,
        config.alerts_per_incident,
        config.standalone_alerts_per_tenant,
    );
    let mut tenant = new_tenant(gen, org, roles, now);
    tenant.consented = profile != Profile::NotConsented;
    tenant.incidents = security.incidents;
    tenant.alerts = security.alerts;
    tenant.secure_scores = scores::secure_scores(gen, tenant.id(), now, config.secure_score_days);
    tenant.control_profiles = scores::control_profiles(gen, tenant.id(), now);

    // Every fourth tenant also has an old, expired relationship, so that
    // filtering on status eq 'active' matters to clients.
    if index % 4 == 3 {
        let old = gdap::relationship(
            gen,
            &tenant.org,
            READ_SET,
            "expired",
            now - Duration::days(400),
        );
        let created = old["createdDateTime"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut assignments = gdap::assignments(gen, READ_SET, &created);
        // Assignments of an ended relationship are removed with it.
        for a in &mut assignments {
            a["status"] = serde_json::json!("deleted");
        }
        tenant.assignments.insert(
            old["id"].as_str().unwrap_or_default().to_string(),
            assignments,
        );
        tenant.relationships.push(old);
    }
    tenant
}

/// A consented tenant with one active relationship granting `roles` and
/// no security data yet (fixtures and generation fill that in).
pub fn new_tenant(gen: &mut Gen, org: Org, roles: &[&str], now: DateTime<Utc>) -> Tenant {
    let relationship = gdap::relationship(gen, &org, roles, "active", now);
    let created = relationship["createdDateTime"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let id = relationship["id"].as_str().unwrap_or_default().to_string();
    let mut assignments = HashMap::new();
    assignments.insert(id, gdap::assignments(gen, roles, &created));
    let organization = gdap::organization(&org, gen.before(now, 86_400 * 400, 86_400 * 3000));
    let directory = users::Directory::generate(&org, now);
    Tenant {
        org,
        consented: true,
        relationships: vec![relationship],
        assignments,
        incidents: Vec::new(),
        alerts: Vec::new(),
        secure_scores: Vec::new(),
        control_profiles: Vec::new(),
        organization,
        budget_window: Default::default(),
        directory,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_assigned_from_the_end() {
        let config = SimConfig {
            tenants: 6,
            without_security_roles: 2,
            not_consented: 1,
            read_only: 1,
            ..SimConfig::default()
        };
        let kinds: Vec<Profile> = (0..6).map(|i| profile_of(i, &config)).collect();
        assert_eq!(
            kinds,
            vec![
                Profile::Managed,
                Profile::Managed,
                Profile::ReadOnly,
                Profile::NotConsented,
                Profile::NoSecurityRoles,
                Profile::NoSecurityRoles
            ]
        );
    }

    #[test]
    fn same_seed_gives_same_world() {
        let now = Utc::now();
        let a = build_world(&SimConfig::default(), now).expect("world");
        let b = build_world(&SimConfig::default(), now).expect("world");
        assert_eq!(a.tenants[0].incidents, b.tenants[0].incidents);
        assert_eq!(a.tenants[2].id(), b.tenants[2].id());
    }
}
