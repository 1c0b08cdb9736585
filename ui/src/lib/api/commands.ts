// One typed async function per command in docs/ipc.md. This file and
// events.ts are the only places that touch Tauri's IPC; every rejection is
// turned into a BackendError here.

import { invoke } from "@tauri-apps/api/core";
import { BackendError } from "./errors";
import type {
  AppStatus,
  AuditEntry,
  DeviceCode,
  Evidence,
  Health,
  IncidentDetail,
  IncidentUpdate,
  LocalAlert,
  PortfolioPage,
  PortfolioQuery,
  RemediationReport,
  RemediationStep,
  SettingsInput,
  SettingsView,
  TenantAlerts,
  TenantRecommendations,
  TenantSummary,
} from "./types";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (raw) {
    throw BackendError.from(raw);
  }
}

export const appStatus = () => call<AppStatus>("app_status");

export const portfolio = (query: PortfolioQuery) => call<PortfolioPage>("portfolio", { query });

export const tenants = () => call<TenantSummary[]>("tenants");

export const tenantIncidents = (tenantId: string, query: PortfolioQuery) =>
  call<PortfolioPage>("tenant_incidents", { tenantId, query });

export const tenantAlerts = (tenantId: string, mitre?: string) =>
  call<TenantAlerts>("tenant_alerts", mitre ? { tenantId, mitre } : { tenantId });

/** One alert's evidence: `tenantAlerts` leaves it out of its alerts. */
export const alertEvidence = (tenantId: string, alertId: string) =>
  call<Evidence[]>("alert_evidence", { tenantId, alertId });

export const tenantRecommendations = (tenantId: string) =>
  call<TenantRecommendations>("tenant_recommendations", { tenantId });

export const incidentDetail = (tenantId: string, incidentId: string) =>
  call<IncidentDetail>("incident_detail", { tenantId, incidentId });

export const updateIncident = (tenantId: string, incidentId: string, update: IncidentUpdate) =>
  call<IncidentDetail>("update_incident", { tenantId, incidentId, update });

/** UPNs from the incident's user evidence that belong to the tenant. */
export const remediationCandidates = (tenantId: string, incidentId: string) =>
  call<string[]>("remediation_candidates", { tenantId, incidentId });

/**
 * Runs the compromised-user playbook. A refusal rejects (nothing sent); a
 * step Graph refuses is a `failed` step in the report. The report may carry
 * a one-time temporary password: callers show it once and keep it nowhere.
 */
export const remediateUser = (
  tenantId: string,
  upn: string,
  steps: RemediationStep[],
  incidentId?: string,
) =>
  call<RemediationReport>(
    "remediate_user",
    incidentId === undefined ? { tenantId, upn, steps } : { tenantId, upn, steps, incidentId },
  );

export const health = () => call<Health>("health");

export const audit = (opts: { tenantId?: string; incidentId?: string; limit?: number } = {}) =>
  call<AuditEntry[]>("audit", opts);

export const localAlerts = (includeAcknowledged: boolean) =>
  call<LocalAlert[]>("local_alerts", { includeAcknowledged });

export const acknowledgeLocalAlert = (id: number) => call<null>("acknowledge_local_alert", { id });

export const syncNow = () => call<null>("sync_now");

export const getSettings = () => call<SettingsView>("get_settings");

export const saveSettings = (settings: SettingsInput) =>
  call<SettingsView>("save_settings", { settings });

export const storeClientSecret = (secret: string) =>
  call<SettingsView>("store_client_secret", { secret });

export const startDeviceSignIn = () => call<DeviceCode>("start_device_sign_in");

export const finishDeviceSignIn = () => call<SettingsView>("finish_device_sign_in");

export const useDemoMode = () => call<SettingsView>("use_demo_mode");

export const openInPortal = (url: string) => call<null>("open_in_portal", { url });

/**
 * Tells the shell the portfolio's first `rows` rows are on screen, `pageMs` after navigation start and
 * `scriptMs` after the scripts began (logged once, with the time since the process started).
 */
export const markFirstRowsPainted = (rows: number, pageMs: number, scriptMs: number) =>
  call<null>("mark_first_rows_painted", { rows, pageMs, scriptMs });
