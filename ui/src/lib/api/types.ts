// Payload types that cross IPC, mirroring `crates/core/src/views.rs` and
// `crates/core/src/model.rs` field for field (camelCase, `Option` as
// `null`, times as ISO strings). Product enums are string unions plus
// `string`: a value the engine does not know arrives verbatim and is shown
// as it is.

/** An ISO 8601 UTC time, as chrono serializes `DateTime<Utc>`. */
export type IsoTime = string;

/** A product enum value this build does not know, kept verbatim. */
type Open<T extends string> = T | (string & {});

export type Severity = Open<"high" | "medium" | "low" | "informational" | "unknown">;
export type IncidentStatus = Open<
  "active" | "in_progress" | "resolved" | "redirected" | "awaiting_action" | "unknown"
>;
export type AlertStatus = Open<"new" | "in_progress" | "resolved" | "unknown">;
export type Classification = Open<
  "true_positive" | "false_positive" | "informational_expected_activity" | "unknown"
>;
export type Determination = Open<
  | "apt"
  | "malware"
  | "security_personnel"
  | "security_testing"
  | "unwanted_software"
  | "other"
  | "multi_staged_attack"
  | "compromised_account"
  | "phishing"
  | "malicious_user_activity"
  | "not_malicious"
  | "not_enough_data_to_validate"
  | "confirmed_activity"
  | "line_of_business_application"
  | "unknown"
>;
export type Capability = Open<"none" | "read" | "manage">;
export type SkipReason = Open<"missing_security_roles" | "not_consented">;
/** A step of the compromised-user playbook (model.rs `RemediationStep`). */
export type RemediationStep = Open<
  "disable_sign_in" | "revoke_sessions" | "reset_password" | "clear_forwarding"
>;
/** How a playbook step ended (views.rs `StepResult::outcome`). */
export type StepOutcome = Open<"done" | "already" | "failed" | "skipped">;

// ---- model.rs ----

export interface Tenant {
  id: string;
  displayName: string;
  domains: string[];
  capability: Capability;
  skipReason: SkipReason | null;
}

export interface Comment {
  comment: string;
  createdBy: string | null;
  createdAt: IsoTime | null;
}

export interface Incident {
  tenantId: string;
  id: string;
  displayName: string;
  description: string | null;
  severity: Severity;
  status: IncidentStatus;
  classification: Classification | null;
  determination: Determination | null;
  assignedTo: string | null;
  createdAt: IsoTime;
  lastUpdateAt: IsoTime;
  webUrl: string | null;
  redirectIncidentId: string | null;
  customTags: string[];
  systemTags: string[];
  comments: Comment[];
}

export interface Evidence {
  kind: string;
  label: string;
  verdict: string | null;
  remediationStatus: string | null;
  roles: string[];
  raw: unknown;
}

export interface Alert {
  tenantId: string;
  id: string;
  incidentId: string | null;
  title: string;
  description: string | null;
  category: string | null;
  severity: Severity;
  status: AlertStatus;
  classification: Classification | null;
  determination: Determination | null;
  assignedTo: string | null;
  mitreTechniques: string[];
  recommendedActions: string | null;
  serviceSource: string | null;
  detectionSource: string | null;
  createdAt: IsoTime | null;
  lastUpdateAt: IsoTime | null;
  firstActivityAt: IsoTime | null;
  lastActivityAt: IsoTime | null;
  webUrl: string | null;
  evidence: Evidence[];
}

export interface Recommendation {
  tenantId: string;
  id: string;
  title: string;
  category: string | null;
  service: string | null;
  currentScore: number | null;
  maxScore: number | null;
  rank: number | null;
  actionType: string | null;
  tier: string | null;
  userImpact: string | null;
  implementationCost: string | null;
  remediation: string | null;
  actionUrl: string | null;
  portalUrl: string;
  state: string | null;
  deprecated: boolean;
}

export interface ScoreSnapshot {
  tenantId: string;
  createdAt: IsoTime;
  currentScore: number;
  maxScore: number;
}

/** The fields an analyst may change; `null`/absent leaves a field as it is. */
export interface IncidentUpdate {
  status?: IncidentStatus | null;
  classification?: Classification | null;
  determination?: Determination | null;
  assignedTo?: string | null;
  comment?: string | null;
}

// ---- views.rs ----

export interface PortfolioQuery {
  severity: Severity[];
  status: IncidentStatus[];
  tenant: string[];
  assignedTo: string[];
  unassignedOnly: boolean;
  classification: Classification[];
  mitre: string[];
  text: string | null;
  offset: number;
  limit: number;
}

export interface IncidentRow {
  tenantId: string;
  tenantName: string;
  id: string;
  displayName: string;
  severity: Severity;
  status: IncidentStatus;
  classification: Classification | null;
  determination: Determination | null;
  assignedTo: string | null;
  alertCount: number;
  affectedEntities: string[];
  firstActivityAt: IsoTime | null;
  lastActivityAt: IsoTime | null;
  createdAt: IsoTime;
  lastUpdateAt: IsoTime;
  webUrl: string | null;
}

export interface SkippedTenant {
  tenantId: string;
  tenantName: string;
  reason: SkipReason;
  label: string;
  fix: string;
}

export interface SeverityCounts {
  high: number;
  medium: number;
  low: number;
  informational: number;
  unknown: number;
}

export interface PortfolioPage {
  items: IncidentRow[];
  total: number;
  counts: SeverityCounts;
  skipped: SkippedTenant[];
  tenantCount: number;
  lastSyncedAt: IsoTime | null;
}

export interface IncidentDetail {
  row: IncidentRow;
  incident: Incident;
  alerts: Alert[];
  knownUpns: string[];
  tenantDomains: string[];
  capability: Capability;
  audit: AuditEntry[];
}

/** The outcome of one playbook step. */
export interface StepResult {
  step: RemediationStep;
  outcome: StepOutcome;
  /** One sentence for a person: what happened, or Graph's message. */
  message: string;
  /**
   * Only on a done `reset_password`: the temporary password. Shown once;
   * never stored, logged or put in a URL.
   */
  temporaryPassword?: string | null;
  /** Extra lines: rules removed, mailbox-level forwarding to check. */
  details: string[];
}

/** What the compromised-user playbook did, step by step. */
export interface RemediationReport {
  tenantId: string;
  userPrincipalName: string;
  incidentId: string | null;
  /** One result per requested step, in the order they ran. */
  steps: StepResult[];
}

export interface TenantSummary {
  tenantId: string;
  tenantName: string;
  domains: string[];
  capability: Capability;
  skipped: SkippedTenant | null;
  openIncidents: number;
  openHigh: number;
  incidentsPerDay: number[];
  scoreTrend: ScoreSnapshot[];
}

/** A tenant's alerts; each alert's `evidence` is empty here (see `alertEvidence`). */
export interface TenantAlerts {
  standalone: Alert[];
  byIncident: IncidentAlerts[];
}

export interface IncidentAlerts {
  incidentId: string;
  displayName: string;
  alerts: Alert[];
}

export interface TenantRecommendations {
  latest: ScoreSnapshot | null;
  items: Recommendation[];
}

export interface SchedulerStatus {
  state: "running" | "idle" | (string & {});
  lastTickAt: IsoTime | null;
  lastDurationMs: number | null;
  nextTickAt: IsoTime | null;
  intervalSecs: number;
  progress: SyncProgress | null;
  offline: boolean;
}

export interface SyncProgress {
  runId: number;
  done: number;
  total: number;
}

export interface TenantHealth {
  tenantId: string;
  tenantName: string;
  capability: Capability;
  skipReason: SkipReason | null;
  lastAttemptAt: IsoTime | null;
  lastSuccessAt: IsoTime | null;
  lastError: string | null;
  incidents: number;
  alerts: number;
  recommendations: number;
}

export interface Health {
  skipped: SkippedTenant[];
  scheduler: SchedulerStatus;
  tenants: TenantHealth[];
  runs: SyncRunSummary[];
}

export interface SyncRunSummary {
  id: number;
  trigger: string;
  startedAt: IsoTime;
  finishedAt: IsoTime | null;
  outcome: string;
  tenantsOk: number;
  tenantsSkipped: number;
  tenantsFailed: number;
  incidents: number;
  alerts: number;
  requests: number;
}

export interface AuditEntry {
  id: number;
  at: IsoTime;
  actor: string;
  tenantId: string;
  incidentId: string | null;
  action: string;
  method: string;
  path: string;
  requestBody: unknown;
  status: number | null;
  requestId: string | null;
  responseBody: unknown;
  outcome: string;
}

export interface LocalAlert {
  id: number;
  dedupeKey: string;
  severity: Severity;
  title: string;
  message: string;
  tenantId: string;
  incidentId: string | null;
  raisedAt: IsoTime;
  acknowledgedAt: IsoTime | null;
}

// ---- docs/ipc.md (shell types) ----

export interface AppStatus {
  mode: "demo" | "connected" | "unconfigured";
  offline: boolean;
  dataAsOf: IsoTime | null;
  syncing: SyncProgress | null;
  readOnly: boolean;
  notifications: boolean;
  version: string;
}

export type Cloud = "global" | "us_government" | "china" | "custom";
export type SignIn = "client_secret" | "device_code" | "environment" | "demo";

export interface SettingsView {
  cloud: Cloud;
  graphUrl: string;
  loginUrl: string;
  partnerTenant: string;
  clientId: string;
  hasClientSecret: boolean;
  signIn: SignIn | null;
  refreshMinutes: number;
  notifications: boolean;
  readOnly: boolean;
  demo: boolean;
}

export type SettingsInput = Omit<SettingsView, "hasClientSecret" | "signIn" | "demo">;

export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresIn: number;
}

export interface IncidentRef {
  tenantId: string;
  incidentId: string;
}
