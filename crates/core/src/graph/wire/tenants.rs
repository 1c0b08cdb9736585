//! GDAP (delegatedAdminCustomers, delegatedAdminRelationships and their
//! accessAssignments) and `organization` on the wire, and the join that
//! gives each customer its effective roles.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::missing;
use crate::gdap::Customer;
use crate::graph::Error;

/// `microsoft.graph.delegatedAdminCustomer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerWire {
    /// Equals the tenant id.
    pub id: Option<String>,
    /// Customer tenant id (non-null in the schema).
    pub tenant_id: Option<String>,
    /// Customer name.
    pub display_name: Option<String>,
}

/// `microsoft.graph.delegatedAdminRelationship` (or its reseller subtype).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RelationshipWire {
    /// `{guid}-{guid}`.
    pub id: Option<String>,
    /// activating, active, approvalPending, ..., expired, terminated.
    pub status: Option<String>,
    /// The customer it reaches.
    pub customer: Option<RelationshipCustomer>,
    /// The roles it grants.
    pub access_details: Option<AccessDetailsWire>,
    /// Changes whenever the relationship does; keys the assignment cache.
    pub last_modified_date_time: Option<String>,
}

/// `microsoft.graph.delegatedAdminRelationshipCustomerParticipant`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RelationshipCustomer {
    /// Customer tenant id.
    pub tenant_id: Option<String>,
    /// Customer name.
    pub display_name: Option<String>,
}

/// `microsoft.graph.delegatedAdminAccessDetails`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessDetailsWire {
    /// Entra role template ids.
    pub unified_roles: Option<Vec<RoleWire>>,
}

/// `microsoft.graph.unifiedRole`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleWire {
    /// The Entra role template id.
    pub role_definition_id: Option<String>,
}

/// `microsoft.graph.delegatedAdminAccessAssignment`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessAssignmentWire {
    /// Key.
    pub id: Option<String>,
    /// pending, active, deleting, deleted, error.
    pub status: Option<String>,
    /// The roles assigned to the security group.
    pub access_details: Option<AccessDetailsWire>,
}

/// `microsoft.graph.organization`, the fields we read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrganizationWire {
    /// Tenant id.
    pub id: Option<String>,
    /// Verified domains (non-null collection in the schema).
    pub verified_domains: Option<Vec<VerifiedDomainWire>>,
}

/// `microsoft.graph.verifiedDomain`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifiedDomainWire {
    /// `contoso.com`.
    pub name: Option<String>,
}

impl OrganizationWire {
    /// The verified domain names, in Graph's order, nulls skipped.
    pub fn domain_names(&self) -> Vec<String> {
        self.verified_domains
            .iter()
            .flatten()
            .filter_map(|d| d.name.clone())
            .collect()
    }
}

fn role_ids(details: &Option<AccessDetailsWire>) -> BTreeSet<String> {
    details
        .iter()
        .flat_map(|d| d.unified_roles.iter().flatten())
        .filter_map(|r| {
            r.role_definition_id
                .as_ref()
                .map(|id| id.to_ascii_lowercase())
        })
        .collect()
}

fn is_active(status: &Option<String>) -> bool {
    status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("active"))
}

impl RelationshipWire {
    /// True when the relationship is active.
    pub fn is_active(&self) -> bool {
        is_active(&self.status)
    }

    /// The roles this relationship effectively gives: its own roles that
    /// also appear in one of its active access assignments.
    ///
    /// We cannot see whether the signed-in user or app is a member of the
    /// assignment's security group; every active assignment is assumed
    /// to include us, which is how MSPs set GDAP up for their SOC.
    pub fn effective_roles(&self, assignments: &[AccessAssignmentWire]) -> BTreeSet<String> {
        if !self.is_active() {
            return BTreeSet::new();
        }
        let granted = role_ids(&self.access_details);
        let assigned: BTreeSet<String> = assignments
            .iter()
            .filter(|a| is_active(&a.status))
            .flat_map(|a| role_ids(&a.access_details))
            .collect();
        granted.intersection(&assigned).cloned().collect()
    }
}

/// The customers with their effective roles: every delegatedAdminCustomer,
/// plus any customer only seen in an active relationship. Roles are the
/// union over that customer's relationships, sorted.
pub fn customers_from_wire(
    customers: Vec<CustomerWire>,
    relationships: &[(RelationshipWire, Vec<AccessAssignmentWire>)],
) -> Result<Vec<Customer>, Error> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, Customer> = HashMap::new();
    for wire in customers {
        let id = wire
            .tenant_id
            .or(wire.id)
            .ok_or_else(|| missing("customer", "tenantId"))?;
        let name = wire.display_name.unwrap_or_else(|| id.clone());
        if !by_id.contains_key(&id) {
            order.push(id.clone());
            by_id.insert(
                id.clone(),
                Customer {
                    tenant_id: id,
                    display_name: name,
                    roles: vec![],
                },
            );
        }
    }

    for (relationship, assignments) in relationships {
        let Some(customer) = &relationship.customer else {
            continue;
        };
        let Some(id) = customer.tenant_id.clone() else {
            continue;
        };
        let roles = relationship.effective_roles(assignments);
        if !relationship.is_active() {
            continue;
        }
        let entry = by_id.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            let name = customer.display_name.clone().unwrap_or_else(|| id.clone());
            Customer {
                tenant_id: id.clone(),
                display_name: name,
                roles: vec![],
            }
        });
        let mut merged: BTreeSet<String> = entry.roles.drain(..).collect();
        merged.extend(roles);
        entry.roles = merged.into_iter().collect();
    }

    Ok(order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gdap::SECURITY_READER;
    use crate::graph::wire::decode;

    fn relationship(status: &str, roles: &[&str]) -> RelationshipWire {
        let roles: Vec<_> = roles
            .iter()
            .map(|r| format!(r#"{{"roleDefinitionId":"{r}"}}"#))
            .collect();
        let body = format!(
            r#"{{"id":"r","status":"{status}","customer":{{"tenantId":"c1","displayName":"C"}},
               "accessDetails":{{"unifiedRoles":[{}]}}}}"#,
            roles.join(",")
        );
        decode(body.as_bytes(), "relationship").unwrap()
    }

    fn assignment(status: &str, roles: &[&str]) -> AccessAssignmentWire {
        let roles: Vec<_> = roles
            .iter()
            .map(|r| format!(r#"{{"roleDefinitionId":"{r}"}}"#))
            .collect();
        let body = format!(
            r#"{{"id":"a","status":"{status}","accessDetails":{{"unifiedRoles":[{}]}}}}"#,
            roles.join(",")
        );
        decode(body.as_bytes(), "assignment").unwrap()
    }

    #[test]
    fn effective_roles_need_both_an_active_relationship_and_assignment() {
        let rel = relationship("active", &[SECURITY_READER, "other-role"]);
        let active = assignment("active", &[SECURITY_READER]);
        let pending = assignment("pending", &["other-role"]);

        let roles = rel.effective_roles(&[active, pending]);
        assert_eq!(
            roles.into_iter().collect::<Vec<_>>(),
            vec![SECURITY_READER.to_string()]
        );
    }

    #[test]
    fn expired_relationships_give_no_roles() {
        let rel = relationship("expired", &[SECURITY_READER]);
        let customers = customers_from_wire(
            vec![],
            &[(rel, vec![assignment("active", &[SECURITY_READER])])],
        )
        .unwrap();

        assert!(customers.is_empty());
    }

    #[test]
    fn customers_only_seen_in_relationships_are_included() {
        let rel = relationship("active", &[SECURITY_READER]);
        let customers = customers_from_wire(
            vec![],
            &[(rel, vec![assignment("active", &[SECURITY_READER])])],
        )
        .unwrap();

        assert_eq!(customers.len(), 1);
        assert_eq!(customers[0].display_name, "C");
        assert_eq!(customers[0].roles, vec![SECURITY_READER.to_string()]);
    }
}
