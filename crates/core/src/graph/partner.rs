//! Calls about tenants rather than their security data: the partner's
//! GDAP customers with their effective roles, and a customer's verified
//! domains.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::http::encode;
use super::wire::{
    self, AccessAssignmentWire, CustomerWire, OrganizationWire, Page, RelationshipWire,
};
use super::{Error, GraphClient};
use crate::gdap::{capability, Customer};

/// `$top` on the GDAP lists: the documented maximum.
const GDAP_PAGE: u32 = 300;

/// How long cached access assignments of a readable tenant are trusted
/// while its relationship is unchanged. A role taken away sooner still
/// shows at once: Graph answers the next security call with 403 and the
/// tenant is skipped.
const ASSIGNMENTS_MAX_AGE: Duration = Duration::from_secs(3600);

/// Access assignments per relationship id, with the relationship's
/// `lastModifiedDateTime` they were read under.
#[derive(Default)]
pub(crate) struct AssignmentCache(Mutex<HashMap<String, CachedAssignments>>);

struct CachedAssignments {
    version: String,
    read_at: Instant,
    assignments: Vec<AccessAssignmentWire>,
}

impl AssignmentCache {
    /// The cached assignments of `relationship`, when they can stand in for
    /// a fresh read: same relationship version, younger than
    /// [`ASSIGNMENTS_MAX_AGE`], and granting a Security role. Tenants
    /// without one are always re-read, so a new grant unskips a tenant on
    /// the very next tick.
    fn fresh(&self, relationship: &RelationshipWire) -> Option<Vec<AccessAssignmentWire>> {
        let (id, version) = (
            relationship.id.as_ref()?,
            relationship.last_modified_date_time.as_ref()?,
        );
        let cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let cached = cache.get(id)?;
        let current = cached.version == *version && cached.read_at.elapsed() < ASSIGNMENTS_MAX_AGE;
        let roles: Vec<String> = relationship
            .effective_roles(&cached.assignments)
            .into_iter()
            .collect();
        (current && capability(&roles).can_read()).then(|| cached.assignments.clone())
    }

    fn store(&self, relationship: &RelationshipWire, assignments: &[AccessAssignmentWire]) {
        let (Some(id), Some(version)) = (&relationship.id, &relationship.last_modified_date_time)
        else {
            return;
        };
        let entry = CachedAssignments {
            version: version.clone(),
            read_at: Instant::now(),
            assignments: assignments.to_vec(),
        };
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), entry);
    }
}

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
            let cached = self.inner.assignments.fresh(&relationship);
            let (this, partner, limit) = (self.clone(), partner.to_string(), limit.clone());
            reads.spawn(async move {
                let assignments = match (id, cached) {
                    (None, _) => Ok(Vec::new()),
                    (Some(_), Some(cached)) => Ok(cached),
                    (Some(id), None) => {
                        let _permit = limit.acquire_owned().await.expect("never closed");
                        let read = this.access_assignments(&partner, &id).await;
                        if let Ok(assignments) = &read {
                            this.inner.assignments.store(&relationship, assignments);
                        }
                        read
                    }
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
