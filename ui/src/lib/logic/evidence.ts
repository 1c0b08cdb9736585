// Which fields of an evidence object a person wants to see, per kind.
// The engine gives each evidence a `kind`, a one-line `label` and the raw
// Graph object; known kinds show chosen fields from the raw object, kinds
// this build does not know show their first few plain fields, so nothing
// Microsoft adds is hidden.

import type { Evidence } from "../api/types";

export interface EvidenceField {
  name: string;
  value: string;
}

/** Display order and titles of the common kinds. */
export const KIND_TITLES: Record<string, string> = {
  user: "Users",
  device: "Devices",
  ip: "IP addresses",
  file: "Files",
  process: "Processes",
  mailbox: "Mailboxes",
  message: "Email messages",
  url: "URLs",
  registry_key: "Registry keys",
  registry_value: "Registry values",
  cloud_application: "Cloud apps",
  oauth_application: "OAuth apps",
  mail_cluster: "Mail clusters",
  security_group: "Security groups",
};

const PICKS: Record<string, [string, string][]> = {
  user: [
    ["Display name", "userAccount.displayName"],
    ["UPN", "userAccount.userPrincipalName"],
    ["Account", "userAccount.accountName"],
    ["Domain", "userAccount.domainName"],
  ],
  device: [
    ["Host", "deviceDnsName"],
    ["OS", "osPlatform"],
    ["Risk", "riskScore"],
    ["Health", "healthStatus"],
    ["Defender id", "mdeDeviceId"],
  ],
  ip: [
    ["Address", "ipAddress"],
    ["Country", "countryLetterCode"],
  ],
  file: [
    ["Name", "fileDetails.fileName"],
    ["Path", "fileDetails.filePath"],
    ["SHA-256", "fileDetails.sha256"],
    ["Size", "fileDetails.fileSize"],
  ],
  process: [
    ["Command line", "processCommandLine"],
    ["Image", "imageFile.fileName"],
    ["PID", "processId"],
    ["Parent", "parentProcessImageFile.fileName"],
    ["Account", "userAccount.accountName"],
  ],
  mailbox: [
    ["Address", "primaryAddress"],
    ["Display name", "displayName"],
    ["UPN", "userAccount.userPrincipalName"],
  ],
  message: [
    ["Subject", "subject"],
    ["Sender", "p1Sender.emailAddress"],
    ["Sender IP", "senderIp"],
    ["Recipient", "recipientEmailAddress"],
    ["Delivery", "deliveryAction"],
    ["Message id", "internetMessageId"],
  ],
  url: [["URL", "url"]],
};

const SKIP = new Set([
  "@odata.type",
  "createdDateTime",
  "verdict",
  "remediationStatus",
  "roles",
  "tags",
  "detailedRoles",
  "remediationStatusDetails",
]);

function at(raw: unknown, path: string): unknown {
  let v: unknown = raw;
  for (const k of path.split(".")) {
    if (!v || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const plain = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** The fields to show for one evidence, never more than `max`. */
export function evidenceFields(e: Evidence, max = 6): EvidenceField[] {
  const picks = PICKS[e.kind];
  const out: EvidenceField[] = [];
  if (picks) {
    for (const [name, path] of picks) {
      const v = at(e.raw, path);
      if (plain(v) && String(v) !== "" && String(v) !== e.label)
        out.push({ name, value: String(v) });
    }
    return out.slice(0, max);
  }
  if (e.raw && typeof e.raw === "object" && !Array.isArray(e.raw)) {
    for (const [k, v] of Object.entries(e.raw as Record<string, unknown>)) {
      if (SKIP.has(k) || !plain(v) || String(v) === "") continue;
      out.push({ name: k, value: String(v) });
      if (out.length >= max) break;
    }
  }
  return out;
}

/** Evidence grouped by kind: known kinds in KIND_TITLES order, others after. */
export function groupEvidence(
  list: Evidence[],
): { kind: string; title: string; items: Evidence[] }[] {
  const groups = new Map<string, Evidence[]>();
  for (const e of list) groups.set(e.kind, [...(groups.get(e.kind) ?? []), e]);
  const order = Object.keys(KIND_TITLES);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([kind, items]) => ({ kind, title: KIND_TITLES[kind] ?? kind, items }));
}
