//! Calls about tenants rather than their security data: the partner's
//! GDAP customers with their effective roles, and a customer's verified
//! domains.

use super::http::encode;
use super::wire::{
    self, AccessAssignmentWire, CustomerWire, OrganizationWire, Page, RelationshipWire,
};
use super::{Error, GraphClient};
use crate::gdap::Customer;

/// `$top` on the GDAP lists: the documented maximum.
const GDAP_PAGE: u32 = 300;

/// Access-assignment reads in flight at once. GDAP calls are not under the
/// security service's per-tenant limits, only Graph's global ones.
const GDAP_FANOUT: usize = 32;

impl GraphClient {
    /// Every GDAP customer of the partner tenant with the Entra role
    /// template ids it effectively grants (roles of active relationships
    /// that are also in one of their active access assignments).
    pub async fn customers(&self) -> Result<Vec<Customer>, Error> {
        let partner = self.inner.config.partner_tenant.clone();
        if partner.is_empty() {
            return Err(Error::Config("the partner tenant id is empty".into()));
        }
        // Both lists at once, each at the largest page GDAP serves ($top is
        // documented up to 300 on relationships; the customers page is not
        // documented and we assume the same cap), so 500 customers take
        // two pages, not ten.
        let top = [("$top", GDAP_PAGE.to_string())];
        let customers_url = self
            .inner
            .url("/tenantRelationships/delegatedAdminCustomers", &top)?;
        let relationships_url = self
            .inner
            .url("/tenantRelationships/delegatedAdminRelationships", &top)?;
        let (customers, relationships) = tokio::join!(
            self.inner
                .get_all::<CustomerWire>(&partner, customers_url, "GDAP customers"),
            self.inner.get_all::<RelationshipWire>(
                &partner,
                relationships_url,
                "GDAP relationships"
            ),
        );
        let (customers, relationships) = (customers?, relationships?);
        let joined = self.with_assignments(&partner, relationships).await?;
        wire::customers_from_wire(customers, &joined)
    }

    /// Pairs each relationship with its access assignments, reading up to
    /// [`GDAP_FANOUT`] relationships at once: one request each, and an MSP
    /// has hundreds, so reading them one after another took longer than
    /// the whole security pull.
    async fn with_assignments(
        &self,
        partner: &str,
        relationships: Vec<RelationshipWire>,
    ) -> Result<Vec<(RelationshipWire, Vec<AccessAssignmentWire>)>, Error> {
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(GDAP_FANOUT));
        let mut reads = tokio::task::JoinSet::new();
        let count = relationships.len();
        for (index, relationship) in relationships.into_iter().enumerate() {
            // Inactive relationships grant nothing; skip their assignments.
            let id = match (&relationship.id, relationship.is_active()) {
                (Some(id), true) => Some(id.clone()),
                _ => None,
            };
            let (this, partner, limit) = (self.clone(), partner.to_string(), limit.clone());
            reads.spawn(async move {
                let assignments = match id {
                    Some(id) => {
                        let _permit = limit.acquire_owned().await.expect("never closed");
                        this.access_assignments(&partner, &id).await
                    }
                    None => Ok(Vec::new()),
                };
                (index, relationship, assignments)
            });
        }
        let mut joined = Vec::with_capacity(count);
        while let Some(done) = reads.join_next().await {
            let (index, relationship, assignments) = done.expect("GDAP read task panicked");
            joined.push((index, relationship, assignments?));
        }
        joined.sort_by_key(|(index, ..)| *index);
        Ok(joined.into_iter().map(|(_, r, a)| (r, a)).collect())
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
