//! The rules an incident update must meet before anything is sent to
//! Graph. They mirror what the product promises analysts: classify only a
//! resolved incident, give a determination only to a true positive, assign
//! only to a user of the customer tenant, and never write where GDAP or the
//! settings forbid it.

use crate::model::{Classification, Incident, IncidentStatus, IncidentUpdate, Tenant};
use crate::{Error, Result};

/// Longest comment accepted; Defender's portal caps comments near this.
pub const MAX_COMMENT_CHARS: usize = 30_000;

/// Checks `update` against the cached `incident` of `tenant`. Returns the
/// first refusal, tied to the field it concerns.
pub fn check_update(
    tenant: &Tenant,
    incident: &Incident,
    update: &IncidentUpdate,
    read_only: bool,
) -> Result<()> {
    if read_only {
        return Err(Error::Forbidden(
            "Read-only mode is on: turn it off in Settings to write to customer tenants".into(),
        ));
    }
    if !tenant.capability.can_manage() {
        return Err(Error::Forbidden(format!(
            "{} does not grant Security Operator or Security Administrator through GDAP, \
             so incidents there can be read but not updated",
            tenant.display_name
        )));
    }
    if update.is_empty() {
        return Err(Error::Invalid {
            field: None,
            message: "Nothing to update".into(),
        });
    }

    check_status(update)?;
    check_classification(incident, update)?;
    check_determination(incident, update)?;
    if let Some(upn) = &update.assigned_to {
        check_assignee(tenant, upn)?;
    }
    if let Some(comment) = &update.comment {
        check_comment(comment)?;
    }
    Ok(())
}

fn check_status(update: &IncidentUpdate) -> Result<()> {
    match &update.status {
        None | Some(IncidentStatus::Active) | Some(IncidentStatus::Resolved) => Ok(()),
        Some(other) => Err(Error::invalid(
            "status",
            format!("Status can be set to active or resolved; `{other}` is set by Defender itself"),
        )),
    }
}

/// The status the incident will have once the update applies.
fn resulting_status<'a>(incident: &'a Incident, update: &'a IncidentUpdate) -> &'a IncidentStatus {
    update.status.as_ref().unwrap_or(&incident.status)
}

fn check_classification(incident: &Incident, update: &IncidentUpdate) -> Result<()> {
    let Some(classification) = &update.classification else {
        return Ok(());
    };
    if !classification.is_known() {
        return Err(Error::invalid(
            "classification",
            format!("`{classification}` is not a classification Defender accepts"),
        ));
    }
    if *resulting_status(incident, update) != IncidentStatus::Resolved {
        return Err(Error::invalid(
            "classification",
            "Classify after resolving: set status to resolved in the same update",
        ));
    }
    Ok(())
}

fn check_determination(incident: &Incident, update: &IncidentUpdate) -> Result<()> {
    let Some(determination) = &update.determination else {
        return Ok(());
    };
    if !determination.is_known() {
        return Err(Error::invalid(
            "determination",
            format!("`{determination}` is not a determination Defender accepts"),
        ));
    }
    let classification = update
        .classification
        .as_ref()
        .or(incident.classification.as_ref());
    if classification != Some(&Classification::TruePositive) {
        return Err(Error::invalid(
            "determination",
            "A determination is only for true positives: classify as true positive first",
        ));
    }
    Ok(())
}

/// An assignee must be a user of the customer tenant: Defender knows
/// nothing of the MSP's own technicians. An empty value clears the owner.
fn check_assignee(tenant: &Tenant, upn: &str) -> Result<()> {
    let upn = upn.trim();
    if upn.is_empty() {
        return Ok(());
    }
    check_tenant_user(
        tenant,
        upn,
        "assignedTo",
        "Defender does not know users of other tenants",
    )
}

/// Checks that `upn` names one user of `tenant`: one `@`, nothing
/// invisible, and a domain the tenant has verified. A refusal is tied to
/// `field`; `why_only_tenant_users` ends the message for a foreign domain.
pub(crate) fn check_tenant_user(
    tenant: &Tenant,
    upn: &str,
    field: &'static str,
    why_only_tenant_users: &str,
) -> Result<()> {
    let Some((user, domain)) = upn.rsplit_once('@') else {
        return Err(Error::invalid(
            field,
            format!("`{upn}` is not a user principal name (user@domain)"),
        ));
    };
    // A second `@` would let `x@evil.example@contoso.com` pass the domain
    // check; control, bidi and zero-width characters make a name look like
    // another one. None of them occur in a real user principal name.
    if user.is_empty() || user.contains('@') || upn.chars().any(is_hidden_or_space) {
        return Err(Error::invalid(
            field,
            format!("{upn:?} is not a valid UPN (one @, no spaces or invisible characters)"),
        ));
    }
    if tenant.domains.is_empty() {
        return Err(Error::invalid(
            field,
            format!(
                "{}'s verified domains are not known yet; sync the tenant, then try again",
                tenant.display_name
            ),
        ));
    }
    if !tenant
        .domains
        .iter()
        .any(|d| d.eq_ignore_ascii_case(domain))
    {
        return Err(Error::invalid(
            field,
            format!(
                "{upn} is not a user of {} ({}); {why_only_tenant_users}",
                tenant.display_name,
                tenant.domains.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Whitespace, control characters, and the invisible formatting
/// characters (bidi embeddings and overrides, zero-width marks, BOM).
fn is_hidden_or_space(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn check_comment(comment: &str) -> Result<()> {
    if comment.trim().is_empty() {
        return Err(Error::invalid("comment", "The comment is empty"));
    }
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(Error::invalid(
            "comment",
            format!("Comments are limited to {MAX_COMMENT_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::model::{Capability, Determination, Severity};

    fn tenant(capability: Capability) -> Tenant {
        Tenant {
            id: "t1".into(),
            display_name: "Contoso".into(),
            domains: vec!["contoso.com".into(), "contoso.onmicrosoft.com".into()],
            capability,
            skip_reason: None,
        }
    }

    fn incident(status: IncidentStatus) -> Incident {
        Incident {
            tenant_id: "t1".into(),
            id: "42".into(),
            display_name: "Credential access".into(),
            description: None,
            severity: Severity::High,
            status,
            classification: None,
            determination: None,
            assigned_to: None,
            created_at: Utc::now(),
            last_update_at: Utc::now(),
            web_url: None,
            redirect_incident_id: None,
            custom_tags: vec![],
            system_tags: vec![],
            comments: vec![],
        }
    }

    fn field_of(result: Result<()>) -> Option<&'static str> {
        result.expect_err("the update should be refused").field()
    }

    #[test]
    fn resolving_as_true_positive_phishing_to_a_customer_upn_is_allowed() {
        let update = IncidentUpdate {
            status: Some(IncidentStatus::Resolved),
            classification: Some(Classification::TruePositive),
            determination: Some(Determination::Phishing),
            assigned_to: Some("Sec-Lead@Contoso.com".into()),
            comment: Some("contained".into()),
        };

        let result = check_update(
            &tenant(Capability::Manage),
            &incident(IncidentStatus::Active),
            &update,
            false,
        );

        assert!(result.is_ok(), "a complete resolve should pass: {result:?}");
    }

    #[test]
    fn classification_on_an_active_incident_is_refused_at_its_field() {
        let update = IncidentUpdate {
            classification: Some(Classification::FalsePositive),
            ..Default::default()
        };

        let result = check_update(
            &tenant(Capability::Manage),
            &incident(IncidentStatus::Active),
            &update,
            false,
        );

        assert_eq!(field_of(result), Some("classification"));
    }

    #[test]
    fn determination_needs_a_true_positive() {
        let mut resolved = incident(IncidentStatus::Resolved);
        resolved.classification = Some(Classification::FalsePositive);
        let update = IncidentUpdate {
            determination: Some(Determination::Malware),
            ..Default::default()
        };

        let result = check_update(&tenant(Capability::Manage), &resolved, &update, false);

        assert_eq!(field_of(result), Some("determination"));
    }

    #[test]
    fn assignee_outside_the_tenant_domains_is_refused() {
        let update = IncidentUpdate {
            assigned_to: Some("tech@msp.example".into()),
            ..Default::default()
        };

        let result = check_update(
            &tenant(Capability::Manage),
            &incident(IncidentStatus::Active),
            &update,
            false,
        );

        assert_eq!(field_of(result), Some("assignedTo"));
    }

    #[test]
    fn disguised_assignees_are_refused() {
        for upn in [
            "x@evil.example@contoso.com",
            "x\u{0}@contoso.com",
            "x\u{202e}@contoso.com",
        ] {
            let update = IncidentUpdate {
                assigned_to: Some(upn.into()),
                ..Default::default()
            };

            let result = check_update(
                &tenant(Capability::Manage),
                &incident(IncidentStatus::Active),
                &update,
                false,
            );

            assert_eq!(field_of(result), Some("assignedTo"), "{upn:?}");
        }
    }

    #[test]
    fn read_capability_and_read_only_mode_refuse_every_write() {
        let update = IncidentUpdate {
            status: Some(IncidentStatus::Resolved),
            ..Default::default()
        };
        let active = incident(IncidentStatus::Active);

        let read = check_update(&tenant(Capability::Read), &active, &update, false);
        let read_only = check_update(&tenant(Capability::Manage), &active, &update, true);

        assert_eq!(read.unwrap_err().code(), crate::ErrorCode::Forbidden);
        assert_eq!(read_only.unwrap_err().code(), crate::ErrorCode::Forbidden);
    }

    #[test]
    fn statuses_defender_sets_itself_are_refused() {
        let update = IncidentUpdate {
            status: Some(IncidentStatus::InProgress),
            ..Default::default()
        };

        let result = check_update(
            &tenant(Capability::Manage),
            &incident(IncidentStatus::Active),
            &update,
            false,
        );

        assert_eq!(field_of(result), Some("status"));
    }
}
