//! The forwarding step: delete inbox rules that forward, redirect or
//! forward as attachment, each delete audited, and tell the analyst how to
//! clear mailbox-level forwarding, which Graph v1.0 cannot see or change.

use crate::graph;
use crate::graph::users::{DirectoryUser, InboxRule, MailboxForwarding};
use crate::model::RemediationStep;
use crate::views::StepResult;

use super::steps::{failure, result, Plan, Run};

/// Exchange Online has no mailbox for this user (no licence, or on-premises).
fn no_mailbox(error: &graph::Error) -> bool {
    matches!(error, graph::Error::Api { status: 404, code, .. }
        if code.eq_ignore_ascii_case("MailboxNotEnabledForRESTAPI"))
}

/// How to clear mailbox-level forwarding, which Graph cannot change.
fn exchange_howto(upn: &str) -> String {
    format!(
        "in the Exchange admin center open Recipients > Mailboxes > {upn} > Mail flow settings > \
         Email forwarding and turn it off, or run Set-Mailbox -Identity {upn} \
         -ForwardingSmtpAddress $null -ForwardingAddress $null -DeliverToMailboxAndForward $false"
    )
}

impl Run<'_> {
    pub(super) async fn clear_forwarding(
        &self,
        step: &RemediationStep,
        user: &DirectoryUser,
    ) -> StepResult {
        let (listing, rules) = self.graph.list_inbox_rules(&self.tenant.id, &user.id).await;
        let rules = match rules {
            Ok(rules) => rules,
            Err(error) if no_mailbox(&error) => {
                let message = "The user has no Exchange Online mailbox: no inbox rules to clear";
                self.record(step, &listing, &format!("skipped: {message}"))
                    .await;
                return result(step, "skipped", message);
            }
            Err(error) => {
                let message = failure(step, &error);
                self.record(step, &listing, &format!("failed: {message}"))
                    .await;
                return result(step, "failed", message);
            }
        };
        let forwarding: Vec<&InboxRule> = rules.iter().filter(|r| r.forwards()).collect();
        if forwarding.is_empty() {
            self.record(step, &listing, "already: no inbox rule forwards mail")
                .await;
        }
        let mut outcome = self.delete_rules(step, user, &forwarding).await;
        outcome.details.push(self.mailbox_note(step, user).await);
        outcome
    }

    /// Deletes each forwarding rule; the step fails if any stays.
    async fn delete_rules(
        &self,
        step: &RemediationStep,
        user: &DirectoryUser,
        rules: &[&InboxRule],
    ) -> StepResult {
        let (mut removed, mut details, mut failures) = (0, Vec::new(), Vec::new());
        for rule in rules {
            let what = format!(
                "rule \"{}\" ({})",
                rule.display_name,
                rule.describe_forwarding()
            );
            if rule.is_read_only {
                failures.push(format!(
                    "{what} is read-only to Graph; remove it in Outlook or with Remove-InboxRule"
                ));
                continue;
            }
            let plan = Plan {
                method: "DELETE",
                path: format!(
                    "/v1.0/users/{}/mailFolders/inbox/messageRules/{}",
                    user.id, rule.id
                ),
                body: None,
                done: format!("removed {what}"),
            };
            let call = self
                .graph
                .delete_inbox_rule(&self.tenant.id, &user.id, &rule.id);
            match self.audited(step, plan, call).await {
                Ok(()) => {
                    removed += 1;
                    details.push(format!("removed {what}"));
                }
                Err(message) => failures.push(format!("could not remove {what}: {message}")),
            }
        }
        let total = rules.len();
        let mut outcome = match (removed, failures.first()) {
            (_, Some(first)) => result(
                step,
                "failed",
                format!("Removed {removed} of {total} forwarding rules; {first}"),
            ),
            (0, None) => result(step, "already", "No inbox rule forwards mail"),
            (n, None) => result(step, "done", format!("Removed {n} forwarding inbox rules")),
        };
        details.extend(failures);
        outcome.details = details;
        outcome
    }

    /// What to tell the analyst about mailbox-level forwarding, which
    /// Graph v1.0 neither shows nor changes.
    async fn mailbox_note(&self, step: &RemediationStep, user: &DirectoryUser) -> String {
        let upn = &user.user_principal_name;
        let (_, found) = self
            .graph
            .mailbox_forwarding(&self.tenant.id, &user.id)
            .await;
        match found {
            Ok(MailboxForwarding::Address(address)) => format!(
                "mailbox-level forwarding to {address} is set and Graph cannot change it: {}",
                exchange_howto(upn)
            ),
            Ok(MailboxForwarding::NotVisible) => format!(
                "mailbox-level forwarding cannot be checked or cleared through Graph: {}",
                exchange_howto(upn)
            ),
            Err(error) => format!(
                "mailbox settings could not be read ({}); check mailbox-level forwarding: {}",
                failure(step, &error),
                exchange_howto(upn)
            ),
        }
    }
}
