// Portfolio filters: their shape, how they become a PortfolioQuery, and how
// they are kept across restarts (localStorage). Parsing is defensive: a
// stored value from an older build, or one edited by hand, yields the valid
// parts and drops the rest.

import type { Classification, IncidentStatus, PortfolioQuery, Severity } from "../api/types";

/** The filter part of a PortfolioQuery (everything but paging). */
export interface Filters {
  severity: Severity[];
  status: IncidentStatus[];
  tenant: string[];
  assignedTo: string[];
  unassignedOnly: boolean;
  classification: Classification[];
  mitre: string[];
  text: string;
}

/** Rows per backend page. */
export const PAGE_SIZE = 200;

export function emptyFilters(): Filters {
  return {
    severity: [],
    status: [],
    tenant: [],
    assignedTo: [],
    unassignedOnly: false,
    classification: [],
    mitre: [],
    text: "",
  };
}

/** How many filter groups are narrowing the list. */
export function activeFilterCount(f: Filters): number {
  const lists = [f.severity, f.status, f.tenant, f.classification, f.mitre];
  let n = lists.filter((l) => l.length > 0).length;
  if (f.assignedTo.length > 0 || f.unassignedOnly) n += 1;
  if (f.text.trim()) n += 1;
  return n;
}

export function isEmptyFilters(f: Filters): boolean {
  return activeFilterCount(f) === 0;
}

/** The query for one page of rows. */
export function toQuery(f: Filters, offset: number, limit = PAGE_SIZE): PortfolioQuery {
  const text = f.text.trim();
  return {
    severity: [...f.severity],
    status: [...f.status],
    tenant: [...f.tenant],
    assignedTo: [...f.assignedTo],
    unassignedOnly: f.unassignedOnly,
    classification: [...f.classification],
    mitre: [...f.mitre],
    text: text ? text : null,
    offset,
    limit,
  };
}

/** Adds the value when absent, removes it when present; returns a new list. */
export function toggle<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** "T1566, t1110.001 ,,T1078" → ["T1566", "T1110.001", "T1078"]; junk dropped. */
export function parseMitreList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    const id = part.trim().toUpperCase();
    if (/^T\d{4}(\.\d{3})?$/.test(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

/** Serializes for localStorage, with a version so a later shape can migrate. */
export function serializeFilters(f: Filters): string {
  return JSON.stringify({ v: 1, ...f });
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.length < 320) : [];

/** Parses what serializeFilters wrote; anything unreadable gives empty filters. */
export function parseFilters(raw: string | null | undefined): Filters {
  const f = emptyFilters();
  if (!raw) return f;
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(raw);
    if (!v || typeof v !== "object" || Array.isArray(v)) return f;
    o = v as Record<string, unknown>;
  } catch {
    return f;
  }
  if (o.v !== 1) return f;

  f.severity = strings(o.severity);
  f.status = strings(o.status);
  f.tenant = strings(o.tenant);
  f.assignedTo = strings(o.assignedTo);
  f.unassignedOnly = o.unassignedOnly === true;
  f.classification = strings(o.classification);
  f.mitre = parseMitreList(strings(o.mitre).join(","));
  f.text = typeof o.text === "string" ? o.text.slice(0, 200) : "";
  return f;
}
