// The open incident: its detail, the update form and the result of saving.
// A refused save keeps every value in the form and puts the engine's
// message at the field it names; a successful save shows the read-back
// incident at once.

import * as api from "../api";
import type { ErrorField, IncidentDetail, IncidentRow } from "../api";
import {
  assigneeProblem,
  buildUpdate,
  formFrom,
  isEmptyUpdate,
  type UpdateForm,
} from "../logic/updateRules";

export type FieldErrors = Partial<Record<ErrorField | "form", string>>;

export class IncidentState {
  #detail = $state<IncidentDetail | null>(null);
  #key = $state<string | null>(null);
  #loading = $state(false);
  #loadError = $state<api.BackendError | null>(null);
  #saving = $state(false);
  #errors = $state<FieldErrors>({});
  #savedAt = $state<string | null>(null);
  form = $state<UpdateForm>({
    status: "active",
    classification: "",
    determination: "",
    assignedTo: "",
    comment: "",
  });
  /** Called with the read-back row after a save, so lists update in place. */
  onSaved: ((row: IncidentRow) => void) | null = null;

  get detail() {
    return this.#detail;
  }
  get loading() {
    return this.#loading;
  }
  get loadError() {
    return this.#loadError;
  }
  get saving() {
    return this.#saving;
  }
  get errors() {
    return this.#errors;
  }
  get savedAt() {
    return this.#savedAt;
  }

  async open(tenantId: string, incidentId: string): Promise<void> {
    const key = `${tenantId}/${incidentId}`;
    if (this.#key === key && this.#detail) return;
    this.#key = key;
    this.#loading = true;
    this.#loadError = null;
    this.#errors = {};
    this.#savedAt = null;
    try {
      const d = await api.incidentDetail(tenantId, incidentId);
      if (this.#key !== key) return;
      this.#detail = d;
      this.form = formFrom(d.incident);
    } catch (e) {
      if (this.#key === key) {
        this.#detail = null;
        this.#loadError = api.BackendError.from(e);
      }
    } finally {
      if (this.#key === key) this.#loading = false;
    }
  }

  /** Re-reads the open incident after a sync, keeping unsaved form edits. */
  async refreshQuietly(): Promise<void> {
    const d = this.#detail;
    if (!d || this.#saving) return;
    try {
      const fresh = await api.incidentDetail(d.row.tenantId, d.row.id);
      if (this.#key === `${d.row.tenantId}/${d.row.id}`) this.#detail = fresh;
    } catch {
      // Keep what is shown; the next sync tries again.
    }
  }

  close(): void {
    this.#key = null;
    this.#detail = null;
    this.#loadError = null;
  }

  /** The local assigned-to check, shown as the analyst types. */
  get assigneeProblem(): string | null {
    const d = this.#detail;
    if (!d) return null;
    return assigneeProblem(this.form.assignedTo, d.tenantDomains, d.row.tenantName);
  }

  async save(): Promise<void> {
    const d = this.#detail;
    if (!d || this.#saving) return;
    const problem = this.assigneeProblem;
    if (problem) {
      this.#errors = { assignedTo: problem };
      return;
    }
    const update = buildUpdate(d.incident, this.form);
    if (isEmptyUpdate(update)) {
      this.#errors = { form: "Nothing to save: change a field or write a comment." };
      return;
    }

    this.#saving = true;
    this.#errors = {};
    this.#savedAt = null;
    try {
      const back = await api.updateIncident(d.row.tenantId, d.row.id, update);
      this.#detail = back;
      this.form = formFrom(back.incident);
      // A throwaway Date turned straight into a string; the rule flags any
      // Date built inside an exported class, but nothing here is mutable.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
      this.#savedAt = new Date().toISOString();
      this.onSaved?.(back.row);
    } catch (e) {
      const err = api.BackendError.from(e);
      const next = api.nextStep(err.code);
      const text = next ? `${err.message} ${next}` : err.message;
      this.#errors = err.field ? { [err.field]: text } : { form: text };
    } finally {
      this.#saving = false;
    }
  }

  reset(): void {
    this.#detail = null;
    this.#key = null;
    this.#loading = false;
    this.#loadError = null;
    this.#saving = false;
    this.#errors = {};
    this.#savedAt = null;
    this.onSaved = null;
  }
}

export const incident = new IncidentState();
