// App-wide state: the backend's status (mode, offline, sync progress), the
// header's tenant counts, toasts, the re-open inbox and the key help. It
// owns the event subscriptions; pages own their own data.

import * as api from "../api";
import type { AppStatus, LocalAlert, SyncRunSummary } from "../api";
import { syncWords } from "../logic/sync";
import { afterFirstRows } from "./startup";

export interface Toast {
  id: number;
  tone: "info" | "warn" | "error";
  text: string;
  action?: { label: string; run: () => void };
}

export class AppState {
  #status = $state<AppStatus | null>(null);
  #tenantCount = $state<number | null>(null);
  #skippedCount = $state(0);
  #failingCount = $state(0);
  #toasts = $state<Toast[]>([]);
  #inbox = $state<LocalAlert[]>([]);
  #keyHelp = $state(false);
  #nextToast = 1;
  #syncListeners: ((s: SyncRunSummary) => void)[] = [];

  get status() {
    return this.#status;
  }
  get offline() {
    return this.#status?.offline ?? false;
  }
  get readOnly() {
    return this.#status?.readOnly ?? false;
  }
  get demo() {
    return this.#status?.mode === "demo";
  }
  get syncing() {
    return this.#status?.syncing ?? null;
  }
  get toasts() {
    return this.#toasts;
  }
  get inbox() {
    return this.#inbox;
  }
  get keyHelp() {
    return this.#keyHelp;
  }
  set keyHelp(v: boolean) {
    this.#keyHelp = v;
  }
  /** Skipped plus failing tenants, for the Health badge. */
  get healthBadge() {
    return this.#skippedCount + this.#failingCount;
  }

  sync = $derived(
    syncWords(
      this.#status,
      this.#tenantCount === null ? null : { count: this.#tenantCount, skipped: this.#skippedCount },
    ),
  );

  /** Loads the status and subscribes to the backend's events. */
  async start(handlers: { openIncident: (t: string, i: string) => void }): Promise<void> {
    await Promise.all([
      api.onStatusChanged((s) => this.#applyStatus(s)),
      api.onSyncProgress((p) => {
        if (this.#status) this.#status = { ...this.#status, syncing: p };
      }),
      api.onSyncFinished((s) => this.#finished(s)),
      api.onIncidentReopened((a) => this.#reopened(a)),
      api.onOpenIncident((r) => handlers.openIncident(r.tenantId, r.incidentId)),
    ]);
    // The badges wait for the first rows; the status (mode, banners) not.
    afterFirstRows(() => void Promise.all([this.loadInbox(), this.loadHealthCounts()]));
    await this.loadStatus();
  }

  async loadStatus(): Promise<void> {
    try {
      this.#applyStatus(await api.appStatus());
    } catch (e) {
      this.toast("error", api.BackendError.from(e).message);
    }
  }

  async loadInbox(): Promise<void> {
    try {
      this.#inbox = await api.localAlerts(false);
    } catch {
      // The inbox is a convenience; the pages still work without it.
    }
  }

  /** Health's skipped and failing counts, for the nav badge. */
  async loadHealthCounts(): Promise<void> {
    try {
      const h = await api.health();
      this.#skippedCount = h.skipped.length;
      this.#failingCount = h.tenants.filter((t) => !t.skipReason && t.lastError).length;
      this.#tenantCount = h.tenants.length;
    } catch {
      // Keep the last counts.
    }
  }

  /** Called by pages that learn the tenant counts from a portfolio page. */
  setTenantCounts(count: number, skipped: number): void {
    this.#tenantCount = count;
    this.#skippedCount = skipped;
  }

  onSyncFinished(fn: (s: SyncRunSummary) => void): () => void {
    this.#syncListeners.push(fn);
    return () => {
      this.#syncListeners = this.#syncListeners.filter((f) => f !== fn);
    };
  }

  async refresh(): Promise<void> {
    if (this.#status?.syncing) return;
    try {
      await api.syncNow();
      if (this.#status && !this.#status.syncing) {
        this.#status = {
          ...this.#status,
          syncing: { runId: 0, done: 0, total: this.#tenantCount ?? 0 },
        };
      }
    } catch (e) {
      const err = api.BackendError.from(e);
      this.toast("error", `${err.message} ${api.nextStep(err.code)}`.trim());
    }
  }

  async acknowledge(id: number): Promise<void> {
    try {
      await api.acknowledgeLocalAlert(id);
      this.#inbox = this.#inbox.filter((a) => a.id !== id);
    } catch (e) {
      this.toast("error", api.BackendError.from(e).message);
    }
  }

  toast(tone: Toast["tone"], text: string, action?: Toast["action"]): void {
    const id = this.#nextToast++;
    this.#toasts = [...this.#toasts, { id, tone, text, action }];
    setTimeout(() => this.dismiss(id), tone === "error" ? 12_000 : 8_000);
  }

  dismiss(id: number): void {
    this.#toasts = this.#toasts.filter((t) => t.id !== id);
  }

  #applyStatus(s: AppStatus): void {
    this.#status = s;
  }

  #finished(s: SyncRunSummary): void {
    if (this.#status) {
      this.#status = {
        ...this.#status,
        syncing: null,
        offline: s.outcome === "offline",
        dataAsOf:
          s.outcome === "offline" ? this.#status.dataAsOf : (s.finishedAt ?? this.#status.dataAsOf),
      };
    }
    void this.loadHealthCounts();
    for (const fn of this.#syncListeners) fn(s);
  }

  #reopened(a: LocalAlert): void {
    if (!this.#inbox.some((x) => x.id === a.id)) this.#inbox = [a, ...this.#inbox];
    this.toast("warn", a.message);
  }

  reset(): void {
    this.#status = null;
    this.#tenantCount = null;
    this.#skippedCount = 0;
    this.#failingCount = 0;
    this.#toasts = [];
    this.#inbox = [];
    this.#keyHelp = false;
    this.#syncListeners = [];
  }
}

export const app = new AppState();
