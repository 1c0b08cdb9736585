// The "Remediate compromised user" playbook for the open incident: which
// users its evidence names, the confirmation dialog's choices, the run and
// its report.
//
// The temporary password a reset returns lives in one private field, only
// while the dialog that asked for it is open: close() clears it, the kept
// report is a copy without it, and it is never written to storage, logs or
// the URL. A refusal keeps the analyst's choices and puts the engine's
// message at the field it names (`user` or `steps`).

import * as api from "../api";
import type { RemediationReport } from "../api";
import {
  allSteps,
  chosenSteps,
  temporaryPassword,
  withoutPassword,
  type StepChoice,
} from "../logic/remediation";

export type RemediationErrors = Partial<Record<"user" | "steps" | "form", string>>;

export class RemediationState {
  #key = $state<string | null>(null);
  #candidates = $state<string[]>([]);
  #open = $state(false);
  #running = $state(false);
  #report = $state<RemediationReport | null>(null);
  #password = $state<string | null>(null);
  #errors = $state<RemediationErrors>({});
  /** The user the playbook runs on; one of the candidates. */
  upn = $state("");
  /** The ticked steps. */
  choice = $state<StepChoice>(allSteps());

  /** UPNs of the tenant's users that the incident's evidence names. */
  get candidates() {
    return this.#candidates;
  }
  get isOpen() {
    return this.#open;
  }
  get running() {
    return this.#running;
  }
  /** The last run's report, without its password (kept after closing). */
  get report() {
    return this.#report;
  }
  /** The one-time temporary password, while the dialog is open. */
  get password() {
    return this.#password;
  }
  get errors() {
    return this.#errors;
  }

  /** Asks which users the incident names; a new incident starts afresh. */
  async load(tenantId: string, incidentId: string): Promise<void> {
    const key = `${tenantId}/${incidentId}`;
    if (this.#key === key) return;
    this.reset();
    this.#key = key;
    try {
      const upns = await api.remediationCandidates(tenantId, incidentId);
      if (this.#key === key) this.#candidates = upns;
    } catch {
      // Without candidates the action is simply not offered; the incident
      // itself still shows, and the next open asks again.
      if (this.#key === key) this.#key = null;
    }
  }

  /** Opens the dialog with the first user and every step ticked. */
  openDialog(): void {
    this.upn = this.#candidates[0] ?? "";
    this.choice = allSteps();
    this.#report = null;
    this.#password = null;
    this.#errors = {};
    this.#open = true;
  }

  /** Closes the dialog; the password is gone for good. */
  close(): void {
    this.#open = false;
    this.#password = null;
    this.#errors = {};
  }

  /** Runs the ticked steps on the chosen user. True when a report came back. */
  async run(tenantId: string, incidentId: string): Promise<boolean> {
    if (this.#running) return false;
    const steps = chosenSteps(this.choice);
    if (!this.upn) {
      this.#errors = { user: "Choose the user to remediate." };
      return false;
    }
    if (steps.length === 0) {
      this.#errors = { steps: "Choose at least one step." };
      return false;
    }
    const key = this.#key;
    this.#running = true;
    this.#errors = {};
    try {
      const report = await api.remediateUser(tenantId, this.upn, steps, incidentId);
      if (this.#key !== key) return false;
      // A dialog closed while the playbook ran never gets the password.
      this.#password = this.#open ? temporaryPassword(report) : null;
      this.#report = withoutPassword(report);
      return true;
    } catch (e) {
      if (this.#key === key) this.#errors = errorsFrom(api.BackendError.from(e));
      return false;
    } finally {
      this.#running = false;
    }
  }

  reset(): void {
    this.#key = null;
    this.#candidates = [];
    this.#open = false;
    this.#running = false;
    this.#report = null;
    this.#password = null;
    this.#errors = {};
    this.upn = "";
    this.choice = allSteps();
  }
}

/** A refusal at its field (`user` or `steps`), anything else for the form. */
function errorsFrom(err: api.BackendError): RemediationErrors {
  const next = api.nextStep(err.code);
  const text = next ? `${err.message} ${next}` : err.message;
  if (err.field === "user" || err.field === "steps") return { [err.field]: text };
  return { form: text };
}

export const remediation = new RemediationState();
