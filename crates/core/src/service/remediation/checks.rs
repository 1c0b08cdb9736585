//! What a playbook request must meet before anything is sent, and the
//! users an incident's evidence names.

use crate::model::{RemediationStep, Tenant};
use crate::raw_json::text_at;
use crate::service::rules::check_tenant_user;
use crate::views::IncidentDetail;
use crate::{Error, Result};

/// Checks the request and returns the steps to run, without repeats, in
/// the playbook's fixed order (block sign-in first).
pub(super) fn check_request(
    tenant: &Tenant,
    upn: &str,
    steps: &[RemediationStep],
    read_only: bool,
) -> Result<Vec<RemediationStep>> {
    if read_only {
        return Err(Error::Forbidden(
            "Read-only mode is on: turn it off in Settings to write to customer tenants".into(),
        ));
    }
    if !tenant.capability.can_manage() {
        return Err(Error::Forbidden(format!(
            "{} does not grant Security Operator or Security Administrator through GDAP, \
             so users there cannot be remediated from here",
            tenant.display_name
        )));
    }
    if let Some(unknown) = steps.iter().find(|s| !s.is_known()) {
        let known: Vec<&str> = RemediationStep::KNOWN.iter().map(|s| s.as_str()).collect();
        return Err(Error::invalid(
            "steps",
            format!(
                "`{unknown}` is not a step; choose from {}",
                known.join(", ")
            ),
        ));
    }
    if steps.is_empty() {
        return Err(Error::invalid("steps", "Choose at least one step"));
    }
    check_upn(tenant, upn)?;
    Ok(RemediationStep::KNOWN
        .iter()
        .filter(|s| steps.contains(s))
        .cloned()
        .collect())
}

/// The UPN must be one user of the customer tenant (the same check as an
/// incident's assignee).
fn check_upn(tenant: &Tenant, upn: &str) -> Result<()> {
    check_tenant_user(
        tenant,
        upn,
        "user",
        "only the tenant's own users can be remediated",
    )
}

/// A playbook launched from an incident must be about a user that
/// incident's evidence names.
pub(super) fn check_incident_names(detail: &IncidentDetail, upn: &str) -> Result<()> {
    if evidence_upns(detail)
        .iter()
        .any(|named| named.eq_ignore_ascii_case(upn))
    {
        return Ok(());
    }
    Err(Error::invalid(
        "user",
        format!(
            "Incident {} names no user {upn} in its evidence; start the playbook from the \
             incident about that user",
            detail.incident.id
        ),
    ))
}

/// UPNs of the incident's user evidence that belong to the tenant, each
/// once (case-insensitively), sorted.
pub(super) fn candidates(tenant: &Tenant, detail: &IncidentDetail) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for upn in evidence_upns(detail) {
        let valid = check_upn(tenant, &upn).is_ok();
        if valid && !found.iter().any(|f| f.eq_ignore_ascii_case(&upn)) {
            found.push(upn);
        }
    }
    found.sort_by_key(|u| u.to_lowercase());
    found
}

/// `userAccount.userPrincipalName` of every user evidence item.
fn evidence_upns(detail: &IncidentDetail) -> Vec<String> {
    detail
        .alerts
        .iter()
        .flat_map(|a| &a.evidence)
        .filter(|e| e.kind == "user")
        .filter_map(|e| text_at(&e.raw, "userAccount/userPrincipalName"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Capability;

    fn tenant(capability: Capability) -> Tenant {
        Tenant {
            id: "t1".into(),
            display_name: "Contoso".into(),
            domains: vec!["contoso.com".into()],
            capability,
            skip_reason: None,
        }
    }

    #[test]
    fn steps_run_once_each_in_the_playbook_order() {
        let asked = [
            RemediationStep::ClearForwarding,
            RemediationStep::DisableSignIn,
            RemediationStep::ClearForwarding,
        ];

        let steps = check_request(&tenant(Capability::Manage), "a@Contoso.com", &asked, false);

        assert_eq!(
            steps.unwrap(),
            vec![
                RemediationStep::DisableSignIn,
                RemediationStep::ClearForwarding
            ]
        );
    }

    #[test]
    fn users_of_other_domains_and_disguised_upns_are_refused() {
        let all = RemediationStep::KNOWN;
        for upn in [
            "a@fabrikam.com",
            "a@evil.example@contoso.com",
            "a\u{202e}@contoso.com",
            "contoso.com",
        ] {
            let result = check_request(&tenant(Capability::Manage), upn, all, false);

            assert_eq!(result.unwrap_err().field(), Some("user"), "{upn:?}");
        }
    }

    #[test]
    fn read_access_read_only_mode_and_empty_or_unknown_steps_are_refused() {
        let all = RemediationStep::KNOWN;
        let read = check_request(&tenant(Capability::Read), "a@contoso.com", all, false);
        let read_only = check_request(&tenant(Capability::Manage), "a@contoso.com", all, true);
        let none = check_request(&tenant(Capability::Manage), "a@contoso.com", &[], false);
        let odd = [RemediationStep::Other("wipe_device".into())];
        let unknown = check_request(&tenant(Capability::Manage), "a@contoso.com", &odd, false);

        assert_eq!(read.unwrap_err().code(), crate::ErrorCode::Forbidden);
        assert_eq!(read_only.unwrap_err().code(), crate::ErrorCode::Forbidden);
        assert_eq!(none.unwrap_err().field(), Some("steps"));
        assert_eq!(unknown.unwrap_err().field(), Some("steps"));
    }
}
