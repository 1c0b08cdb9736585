//! Customer tenants reached through GDAP, their Entra roles, and what
//! those roles let the MSP do in Defender.
//!
//! Reading GDAP from Graph is `graph::GraphClient::customers`; this module
//! decides capability and the skip list from the role template ids.

use serde::{Deserialize, Serialize};

use crate::model::{Capability, SkipReason, Tenant};

/// Entra role template id of Security Reader.
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
/// Entra role template id of Security Administrator.
pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
/// Entra role template id of Security Operator.
pub const SECURITY_OPERATOR: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
/// Entra role template id of Global Reader.
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

/// A GDAP customer and the roles the partner effectively holds there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Customer tenant GUID.
    pub tenant_id: String,
    /// The customer's name.
    pub display_name: String,
    /// Effective Entra role template ids, lowercase, sorted.
    pub roles: Vec<String>,
}

fn has(roles: &[String], wanted: &str) -> bool {
    roles.iter().any(|r| r.eq_ignore_ascii_case(wanted))
}

/// What the roles allow: manage with Security Operator or Security
/// Administrator, read with Security Reader or Global Reader, else none.
pub fn capability(roles: &[String]) -> Capability {
    if has(roles, SECURITY_OPERATOR) || has(roles, SECURITY_ADMINISTRATOR) {
        Capability::Manage
    } else if has(roles, SECURITY_READER) || has(roles, GLOBAL_READER) {
        Capability::Read
    } else {
        Capability::None
    }
}

/// The product's tenant for a customer, skipped for missing Security roles
/// when its roles allow nothing.
pub fn to_tenant(customer: &Customer, domains: Vec<String>) -> Tenant {
    let capability = capability(&customer.roles);
    let skip_reason = (capability == Capability::None).then_some(SkipReason::MissingSecurityRoles);
    Tenant {
        id: customer.tenant_id.clone(),
        display_name: customer.display_name.clone(),
        domains,
        capability,
        skip_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn operators_and_administrators_may_manage() {
        assert_eq!(capability(&roles(&[SECURITY_OPERATOR])), Capability::Manage);
        assert_eq!(
            capability(&roles(&[SECURITY_ADMINISTRATOR])),
            Capability::Manage
        );
        assert_eq!(
            capability(&roles(&[GLOBAL_READER, SECURITY_OPERATOR])),
            Capability::Manage
        );
    }

    #[test]
    fn readers_may_only_read() {
        assert_eq!(capability(&roles(&[SECURITY_READER])), Capability::Read);
        assert_eq!(
            capability(&roles(&[&GLOBAL_READER.to_uppercase()])),
            Capability::Read
        );
    }

    #[test]
    fn tenants_without_security_roles_are_skipped() {
        let customer = Customer {
            tenant_id: "t".into(),
            display_name: "Contoso".into(),
            roles: roles(&["62e90394-69f5-4237-9190-012177145e10"]),
        };

        let tenant = to_tenant(&customer, vec!["contoso.com".into()]);
        assert_eq!(tenant.capability, Capability::None);
        assert_eq!(tenant.skip_reason, Some(SkipReason::MissingSecurityRoles));
        assert_eq!(tenant.domains, vec!["contoso.com"]);
    }

    #[test]
    fn readable_tenants_are_not_skipped() {
        let customer = Customer {
            tenant_id: "t".into(),
            display_name: "C".into(),
            roles: roles(&[SECURITY_READER]),
        };

        assert_eq!(to_tenant(&customer, vec![]).skip_reason, None);
    }
}
