// The incident table's columns and the analyst's choice of widths and
// hidden columns, kept in localStorage. Severity and title cannot be
// hidden: without them a row means nothing.

export type ColumnId =
  | "severity"
  | "status"
  | "tenant"
  | "title"
  | "assignedTo"
  | "classification"
  | "determination"
  | "alerts"
  | "firstActivity"
  | "lastActivity";

export interface ColumnDef {
  id: ColumnId;
  label: string;
  width: number;
  min: number;
  fixed?: boolean;
  numeric?: boolean;
}

export const COLUMNS: ColumnDef[] = [
  { id: "severity", label: "Severity", width: 96, min: 70, fixed: true },
  { id: "status", label: "Status", width: 96, min: 60 },
  { id: "tenant", label: "Tenant", width: 140, min: 60 },
  { id: "title", label: "Incident", width: 360, min: 120, fixed: true },
  { id: "assignedTo", label: "Assigned to", width: 170, min: 60 },
  { id: "classification", label: "Classification", width: 130, min: 60 },
  { id: "determination", label: "Determination", width: 130, min: 60 },
  { id: "alerts", label: "Alerts", width: 64, min: 44, numeric: true },
  { id: "firstActivity", label: "First activity", width: 104, min: 60, numeric: true },
  { id: "lastActivity", label: "Last activity", width: 104, min: 60, numeric: true },
];

export interface ColumnPrefs {
  widths: Partial<Record<ColumnId, number>>;
  hidden: ColumnId[];
}

const IDS = new Set<string>(COLUMNS.map((c) => c.id));

export function defaultPrefs(): ColumnPrefs {
  return { widths: {}, hidden: ["determination"] };
}

/** Width of a column under the prefs, clamped to its minimum and 1200 px. */
export function widthOf(c: ColumnDef, prefs: ColumnPrefs): number {
  const w = prefs.widths[c.id] ?? c.width;
  return Math.min(1200, Math.max(c.min, Math.round(w)));
}

export function visibleColumns(prefs: ColumnPrefs): ColumnDef[] {
  return COLUMNS.filter((c) => c.fixed || !prefs.hidden.includes(c.id));
}

export function parsePrefs(raw: string | null): ColumnPrefs {
  const p = defaultPrefs();
  if (!raw) return p;
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (Array.isArray(o.hidden)) {
      p.hidden = o.hidden.filter((h): h is ColumnId => typeof h === "string" && IDS.has(h));
    }
    if (o.widths && typeof o.widths === "object") {
      for (const [k, v] of Object.entries(o.widths as Record<string, unknown>)) {
        if (IDS.has(k) && typeof v === "number" && Number.isFinite(v)) {
          p.widths[k as ColumnId] = v;
        }
      }
    }
  } catch {
    // A damaged value is replaced by the defaults.
  }
  return p;
}
