// The "Remediate compromised user" playbook's words and rules, kept pure so
// they can be tested without a browser:
// - the four steps in the engine's fixed order (block sign-in first, so a
//   stolen session cannot get back in while the rest is done);
// - what each step and each outcome is called, and its tone;
// - when the playbook may be started (the update form's rules: not
//   offline, not read-only, `manage` in the tenant) and when the confirm
//   button may be pressed.
// The engine checks the same things again; checking here lets the dialog
// say why before anything is sent.

import type {
  Capability,
  RemediationReport,
  RemediationStep,
  StepOutcome,
  StepResult,
} from "../api/types";
import { humanize } from "./severity";

/** The playbook's steps, in the order the engine runs them. */
export const PLAYBOOK_STEPS = [
  "disable_sign_in",
  "revoke_sessions",
  "reset_password",
  "clear_forwarding",
] as const satisfies readonly RemediationStep[];

export type PlaybookStep = (typeof PLAYBOOK_STEPS)[number];

/** Which steps the analyst has ticked. */
export type StepChoice = Record<PlaybookStep, boolean>;

/** Every step on: the dialog's starting point. */
export function allSteps(): StepChoice {
  return {
    disable_sign_in: true,
    revoke_sessions: true,
    reset_password: true,
    clear_forwarding: true,
  };
}

/** The ticked steps in the playbook's order, as the engine wants them. */
export function chosenSteps(choice: StepChoice): PlaybookStep[] {
  return PLAYBOOK_STEPS.filter((s) => choice[s]);
}

/** A step's name for a person; an unknown step is shown humanized. */
export function stepLabel(step: RemediationStep): string {
  switch (step) {
    case "disable_sign_in":
      return "Disable sign-in";
    case "revoke_sessions":
      return "Revoke sessions";
    case "reset_password":
      return "Reset password";
    case "clear_forwarding":
      return "Clear mail forwarding";
    default:
      return humanize(step);
  }
}

/** One line under a step's checkbox: what it does in the tenant. */
export function stepHint(step: RemediationStep): string {
  switch (step) {
    case "disable_sign_in":
      return "Block the account so nobody can sign in with it.";
    case "revoke_sessions":
      return "End every session and refresh token; apps must sign in again.";
    case "reset_password":
      return "Temporary password, must change at next sign-in. Shown once here.";
    case "clear_forwarding":
      return "Delete inbox rules that forward or redirect mail.";
    default:
      return "";
  }
}

/** The outcome in words: "Done", "Already so", "Failed", "Skipped". */
export function outcomeLabel(outcome: StepOutcome): string {
  switch (outcome) {
    case "done":
      return "Done";
    case "already":
      return "Already so";
    case "failed":
      return "Failed";
    case "skipped":
      return "Skipped";
    default:
      return outcome;
  }
}

/** The colour an outcome takes; always shown with its word. */
export type OutcomeTone = "ok" | "neutral" | "error" | "muted";

export function outcomeTone(outcome: StepOutcome): OutcomeTone {
  switch (outcome) {
    case "done":
      return "ok";
    case "already":
      return "neutral";
    case "failed":
      return "error";
    default:
      return "muted";
  }
}

/** Counts per outcome, for the one-line summary after a run. */
export function reportSummary(report: RemediationReport): string {
  const count = (o: string) => report.steps.filter((s) => s.outcome === o).length;
  const parts = [
    [count("done"), "done"],
    [count("already"), "already so"],
    [count("failed"), "failed"],
    [count("skipped"), "skipped"],
  ] as const;
  const words = parts.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`);
  return words.length > 0 ? words.join(" · ") : "no steps ran";
}

/** The one-time temporary password in a report, if a reset was done. */
export function temporaryPassword(report: RemediationReport): string | null {
  const reset = report.steps.find((s) => s.step === "reset_password" && s.outcome === "done");
  return reset?.temporaryPassword ?? null;
}

/**
 * The report without any password in it: what may be kept in state after
 * the password has been shown. `temporaryPassword` becomes null.
 */
export function withoutPassword(report: RemediationReport): RemediationReport {
  return {
    ...report,
    steps: report.steps.map((s): StepResult => ({ ...s, temporaryPassword: null })),
  };
}

/** Why the playbook cannot start in this tenant now, or null when it can. */
export function remediationBlocked(opts: {
  offline: boolean;
  readOnly: boolean;
  capability: Capability;
  tenantName: string;
}): string | null {
  if (opts.offline) return "Offline: remediation is refused until Graph can be reached again.";
  if (opts.readOnly) return "Read-only mode is on. Turn it off in Settings to remediate users.";
  if (opts.capability !== "manage") {
    return `No manage rights in ${opts.tenantName}: GDAP needs Security Operator or Security Administrator.`;
  }
  return null;
}

/** Why the confirm button is disabled, or null when it may be pressed. */
export function confirmBlocked(opts: {
  blocked: string | null;
  upn: string;
  choice: StepChoice;
  running: boolean;
}): string | null {
  if (opts.blocked) return opts.blocked;
  if (opts.running) return "Running…";
  if (!opts.upn.trim()) return "Choose a user";
  if (chosenSteps(opts.choice).length === 0) return "Choose at least one step";
  return null;
}

/** The confirm button's words: they always name the tenant. */
export function confirmLabel(tenantName: string, running: boolean): string {
  return running ? `Remediating in ${tenantName}…` : `Remediate in ${tenantName}`;
}
