// The tenant list and the open tenant's three panels: incidents (a paged
// IncidentList scoped to the tenant), alerts (filterable by MITRE
// technique) and Secure Score recommendations.

import * as api from "../api";
import type { TenantAlerts, TenantRecommendations, TenantSummary } from "../api";
import { IncidentList } from "./incidentList.svelte";

export class TenantsState {
  #list = $state<TenantSummary[]>([]);
  #loaded = $state(false);
  #error = $state<api.BackendError | null>(null);

  get list() {
    return this.#list;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }

  byId(id: string): TenantSummary | undefined {
    return this.#list.find((t) => t.tenantId === id);
  }

  async load(): Promise<void> {
    try {
      this.#list = await api.tenants();
      this.#error = null;
    } catch (e) {
      this.#error = api.BackendError.from(e);
    } finally {
      this.#loaded = true;
    }
  }

  reset(): void {
    this.#list = [];
    this.#loaded = false;
    this.#error = null;
  }
}

export class TenantDetailState {
  #tenantId = $state<string | null>(null);
  #alerts = $state<TenantAlerts | null>(null);
  #recs = $state<TenantRecommendations | null>(null);
  #mitre = $state("");
  #error = $state<api.BackendError | null>(null);
  incidents: IncidentList | null = $state(null);

  get tenantId() {
    return this.#tenantId;
  }
  get alerts() {
    return this.#alerts;
  }
  get recommendations() {
    return this.#recs;
  }
  get mitre() {
    return this.#mitre;
  }
  get error() {
    return this.#error;
  }

  /** Switches to a tenant; a no-op when it is already open. */
  open(tenantId: string): void {
    if (this.#tenantId === tenantId) return;
    this.#tenantId = tenantId;
    this.#alerts = null;
    this.#recs = null;
    this.#mitre = "";
    this.#error = null;
    this.incidents = new IncidentList((q) => api.tenantIncidents(tenantId, q), null);
    void this.incidents.load();
    void this.loadAlerts();
    void this.loadRecommendations();
  }

  async setMitre(technique: string): Promise<void> {
    this.#mitre = technique.trim().toUpperCase();
    await this.loadAlerts();
  }

  async loadAlerts(): Promise<void> {
    const id = this.#tenantId;
    if (!id) return;
    try {
      const a = await api.tenantAlerts(id, this.#mitre || undefined);
      if (this.#tenantId === id) this.#alerts = a;
    } catch (e) {
      this.#error = api.BackendError.from(e);
    }
  }

  async loadRecommendations(): Promise<void> {
    const id = this.#tenantId;
    if (!id) return;
    try {
      const r = await api.tenantRecommendations(id);
      if (this.#tenantId === id) this.#recs = r;
    } catch (e) {
      this.#error = api.BackendError.from(e);
    }
  }

  async reload(): Promise<void> {
    await Promise.all([this.incidents?.reload(), this.loadAlerts(), this.loadRecommendations()]);
  }

  reset(): void {
    this.#tenantId = null;
    this.#alerts = null;
    this.#recs = null;
    this.#mitre = "";
    this.#error = null;
    this.incidents = null;
  }
}

export const tenants = new TenantsState();
export const tenantDetail = new TenantDetailState();
