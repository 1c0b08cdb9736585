//! The compromised-user playbook, launched from an incident: block
//! sign-in, revoke sessions, set a temporary password, clear mail
//! forwarding, each through Graph with the tenant's token, each audited,
//! none hiding another's result.
//!
//! The request is checked first and refused with nothing sent (read-only
//! mode, a tenant the MSP may only read, a UPN outside the tenant's
//! domains, no steps, an incident whose evidence does not name the user).
//! Then the user is looked up once by UPN and the steps run in their fixed
//! order (see [`RemediationStep`]); a failed step is reported and the next
//! one still runs. The temporary password is handed back in the report
//! only: never stored, audited or logged.

mod checks;
mod forwarding;
mod steps;

use tracing::{info, instrument};

use super::Desk;
use crate::model::RemediationStep;
use crate::views::RemediationReport;
use crate::Result;

impl Desk {
    /// Runs the chosen playbook `steps` on `upn` in `tenant_id`, optionally
    /// for the cached incident `incident_id` (whose user evidence must
    /// name `upn`). Refusals come back as errors with nothing sent; once
    /// anything was sent the answer is a report with one result per step.
    #[instrument(skip(self, steps), err)]
    pub async fn remediate_user(
        &self,
        tenant_id: &str,
        upn: &str,
        steps: &[RemediationStep],
        incident_id: Option<&str>,
    ) -> Result<RemediationReport> {
        let tenant = self.tenant(tenant_id).await?;
        let upn = upn.trim();
        let ordered = checks::check_request(&tenant, upn, steps, self.settings().read_only)?;
        if let Some(incident_id) = incident_id {
            let detail = self.incident_detail(tenant_id, incident_id).await?;
            checks::check_incident_names(&detail, upn)?;
        }
        let graph = self.require_client()?;

        let run = steps::Run {
            desk: self,
            graph: &graph,
            tenant: &tenant,
            incident_id,
        };
        let results = run.all(upn, &ordered).await;
        let failed = results.iter().filter(|r| r.outcome == "failed").count();
        info!(
            tenant_id,
            user = upn,
            steps = results.len(),
            failed,
            "remediation finished"
        );
        Ok(RemediationReport {
            tenant_id: tenant.id.clone(),
            user_principal_name: upn.to_string(),
            incident_id: incident_id.map(str::to_string),
            steps: results,
        })
    }

    /// The users an incident's evidence names that belong to the tenant:
    /// who "Remediate compromised user" may be started on. UPNs of other
    /// domains (guests, the attacker's own accounts) are left out.
    pub async fn remediation_candidates(
        &self,
        tenant_id: &str,
        incident_id: &str,
    ) -> Result<Vec<String>> {
        let tenant = self.tenant(tenant_id).await?;
        let detail = self.incident_detail(tenant_id, incident_id).await?;
        Ok(checks::candidates(&tenant, &detail))
    }
}
