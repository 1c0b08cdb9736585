//! Calls about tenants rather than their security data: the partner's
//! GDAP customers with their effective roles, and a customer's verified
//! domains.

use super::http::encode;
use super::wire::{
    self, AccessAssignmentWire, CustomerWire, OrganizationWire, Page, RelationshipWire,
};
use super::{Error, GraphClient};
use crate::gdap::Customer;

impl GraphClient {
    /// Every GDAP customer of the partner tenant with the Entra role
    /// template ids it effectively grants (roles of active relationships
    /// that are also in one of their active access assignments).
    pub async fn customers(&self) -> Result<Vec<Customer>, Error> {
        let partner = self.inner.config.partner_tenant.clone();
        if partner.is_empty() {
            return Err(Error::Config("the partner tenant id is empty".into()));
        }
        let url = self
            .inner
            .url("/tenantRelationships/delegatedAdminCustomers", &[])?;
        let customers: Vec<CustomerWire> =
            self.inner.get_all(&partner, url, "GDAP customers").await?;
        let url = self
            .inner
            .url("/tenantRelationships/delegatedAdminRelationships", &[])?;
        let relationships: Vec<RelationshipWire> = self
            .inner
            .get_all(&partner, url, "GDAP relationships")
            .await?;

        let mut joined = Vec::with_capacity(relationships.len());
        for relationship in relationships {
            // Inactive relationships grant nothing; skip their assignments.
            let assignments = match (&relationship.id, relationship.is_active()) {
                (Some(id), true) => self.access_assignments(&partner, id).await?,
                _ => Vec::new(),
            };
            joined.push((relationship, assignments));
        }
        wire::customers_from_wire(customers, &joined)
    }

    async fn access_assignments(
        &self,
        partner: &str,
        relationship: &str,
    ) -> Result<Vec<AccessAssignmentWire>, Error> {
        let path = format!(
            "/tenantRelationships/delegatedAdminRelationships/{}/accessAssignments",
            encode(relationship)
        );
        let url = self.inner.url(&path, &[])?;
        self.inner
            .get_all(partner, url, "GDAP access assignments")
            .await
    }

    /// The customer's verified domain names (`GET /organization`).
    pub async fn verified_domains(&self, tenant: &str) -> Result<Vec<String>, Error> {
        let url = self.inner.url("/organization", &[])?;
        let page: Page<OrganizationWire> = self.inner.get_json(tenant, url, "organization").await?;
        Ok(page
            .value
            .iter()
            .flat_map(OrganizationWire::domain_names)
            .collect())
    }
}
