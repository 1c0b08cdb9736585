// The incident update form's rules, from the product doc:
// - classification only on a resolved incident (or one being resolved);
// - determination only when the classification is true positive;
// - assigned-to must be a customer UPN, i.e. end in one of the tenant's
//   verified domains (Defender does not know the MSP's technicians);
// - nothing is writable offline, in read-only mode, or without `manage`.
// The engine enforces the same rules; checking here lets the form say why
// before anything is sent.

import type {
  Capability,
  Classification,
  Determination,
  Incident,
  IncidentStatus,
  IncidentUpdate,
} from "../api/types";

/** What the form holds; '' means "not set". */
export interface UpdateForm {
  status: IncidentStatus;
  classification: Classification | "";
  determination: Determination | "";
  assignedTo: string;
  comment: string;
}

/** Statuses an analyst may choose (redirected and awaiting_action are Microsoft's). */
export const EDITABLE_STATUSES: IncidentStatus[] = ["active", "in_progress", "resolved"];

export const CLASSIFICATIONS: Classification[] = [
  "true_positive",
  "false_positive",
  "informational_expected_activity",
];

/** Determinations that describe a true positive. */
export const TRUE_POSITIVE_DETERMINATIONS: Determination[] = [
  "multi_staged_attack",
  "malicious_user_activity",
  "compromised_account",
  "malware",
  "phishing",
  "unwanted_software",
  "apt",
  "security_personnel",
  "security_testing",
  "other",
];

export const CLASSIFY_AFTER_RESOLVING = "Classify after resolving";
export const ONLY_FOR_TRUE_POSITIVES = "Only for true positives";

/** The form as it starts for an incident. */
export function formFrom(i: Incident): UpdateForm {
  return {
    status: i.status,
    classification: notUnknown(i.classification),
    determination: notUnknown(i.determination),
    assignedTo: i.assignedTo ?? "",
    comment: "",
  };
}

/** Graph sends `unknown` for "not classified yet": the form shows it as not set. */
function notUnknown<T extends string>(value: T | null): T | "" {
  return value && value !== "unknown" ? value : "";
}

/** Why classification is disabled, or null when it may be set. */
export function classificationBlocked(f: UpdateForm): string | null {
  return f.status === "resolved" ? null : CLASSIFY_AFTER_RESOLVING;
}

/** Why determination is disabled, or null when it may be set. */
export function determinationBlocked(f: UpdateForm): string | null {
  return (
    classificationBlocked(f) ??
    (f.classification === "true_positive" ? null : ONLY_FOR_TRUE_POSITIVES)
  );
}

/**
 * Checks an assigned-to value against the tenant's verified domains.
 * Returns the message to show beside the field, or null when acceptable.
 * An empty value is acceptable (it leaves the owner as it is).
 */
export function assigneeProblem(upn: string, domains: string[], tenantName: string): string | null {
  const value = upn.trim();
  if (!value) return null;
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1 || /\s/.test(value)) {
    return "Enter a user principal name, like alex@contoso.com.";
  }
  const domain = value.slice(at + 1).toLowerCase();
  if (domains.some((d) => d.toLowerCase() === domain)) return null;
  const list = domains.map((d) => "@" + d).join(" or ");
  const where = list ? `: use a UPN ending in ${list}` : "";
  return `${value} is not a user in ${tenantName}. Defender accepts only customer UPNs${where}.`;
}

/** Why the whole form is disabled, or null when writes are allowed. */
export function writeBlocked(opts: {
  offline: boolean;
  readOnly: boolean;
  capability: Capability;
  tenantName: string;
}): string | null {
  if (opts.offline) return "Offline: updates are refused until Graph can be reached again.";
  if (opts.readOnly) return "Read-only mode is on. Turn it off in Settings to update incidents.";
  if (opts.capability !== "manage") {
    return `No update rights in ${opts.tenantName}: GDAP needs Security Operator or Security Administrator.`;
  }
  return null;
}

/**
 * The IncidentUpdate to send: only fields that changed and that the rules
 * allow. A classification or determination the rules forbid is never sent,
 * even if the form still holds one from before.
 */
export function buildUpdate(original: Incident, f: UpdateForm): IncidentUpdate {
  const u: IncidentUpdate = {};
  if (f.status !== original.status) u.status = f.status;

  if (!classificationBlocked(f) && f.classification) {
    if (f.classification !== (original.classification ?? "")) u.classification = f.classification;
  }
  if (!determinationBlocked(f) && f.determination) {
    if (f.determination !== (original.determination ?? "")) u.determination = f.determination;
  }

  const owner = f.assignedTo.trim();
  if (owner && owner.toLowerCase() !== (original.assignedTo ?? "").toLowerCase()) {
    u.assignedTo = owner;
  }
  const comment = f.comment.trim();
  if (comment) u.comment = comment;
  return u;
}

/** True when the update would change nothing. */
export function isEmptyUpdate(u: IncidentUpdate): boolean {
  return Object.keys(u).length === 0;
}

/** The save button's words: it always names the tenant. */
export function saveLabel(original: Incident, f: UpdateForm, tenantName: string): string {
  const resolving = f.status === "resolved" && original.status !== "resolved";
  return `${resolving ? "Resolve" : "Save"} in ${tenantName}`;
}
