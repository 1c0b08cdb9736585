// Health and Audit: read-only pages loaded on entry and after each sync.

import * as api from "../api";
import type { AuditEntry, Health } from "../api";

export class HealthState {
  #data = $state<Health | null>(null);
  #error = $state<api.BackendError | null>(null);

  get data() {
    return this.#data;
  }
  get error() {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      this.#data = await api.health();
      this.#error = null;
    } catch (e) {
      this.#error = api.BackendError.from(e);
    }
  }

  reset(): void {
    this.#data = null;
    this.#error = null;
  }
}

export class AuditState {
  #entries = $state<AuditEntry[]>([]);
  #loaded = $state(false);
  #error = $state<api.BackendError | null>(null);

  get entries() {
    return this.#entries;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      this.#entries = await api.audit({ limit: 500 });
      this.#error = null;
    } catch (e) {
      this.#error = api.BackendError.from(e);
    } finally {
      this.#loaded = true;
    }
  }

  reset(): void {
    this.#entries = [];
    this.#loaded = false;
    this.#error = null;
  }
}

export const health = new HealthState();
export const auditLog = new AuditState();
