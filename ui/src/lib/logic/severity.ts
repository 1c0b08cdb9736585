// Severity ordering, words and colour classes, the same everywhere (badge,
// row bar, charts). Unknown and unrecognised values sort last and are
// shown verbatim.

import type { Severity, SeverityCounts } from "../api/types";

/** Known severities, highest first. */
export const SEVERITIES = ["high", "medium", "low", "informational", "unknown"] as const;

/** Sort rank, highest first (high = 0); unknown 4, anything else 5. */
export function severityRank(s: Severity): number {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i === -1 ? 5 : i;
}

/** Compares two severities so that the highest comes first. */
export function bySeverity(a: Severity, b: Severity): number {
  return severityRank(a) - severityRank(b);
}

/** The word shown with the colour: "High", "Informational", or the raw value. */
export function severityLabel(s: Severity): string {
  switch (s) {
    case "high":
      return "High";
    case "medium":
      return "Medium";
    case "low":
      return "Low";
    case "informational":
      return "Informational";
    case "unknown":
      return "Unknown";
    default:
      return s;
  }
}

/** Short form for dense rows. */
export function severityShort(s: Severity): string {
  return s === "informational" ? "Info" : severityLabel(s);
}

/** CSS modifier naming the colour; unrecognised values take unknown's grey. */
export function severityTone(s: Severity): "high" | "medium" | "low" | "info" | "unknown" {
  if (s === "high" || s === "medium" || s === "low") return s as "high" | "medium" | "low";
  return s === "informational" ? "info" : "unknown";
}

/** Counts as ordered segments for the breakdown bar, zero counts dropped. */
export function severitySegments(c: SeverityCounts): { severity: Severity; count: number }[] {
  return SEVERITIES.map((severity) => ({ severity, count: c[severity] })).filter(
    (s) => s.count > 0,
  );
}

/** Product names in words: "true_positive" → "True positive". Raw if odd. */
export function humanize(value: string | null | undefined): string {
  if (!value) return "";
  if (!/^[a-z][a-z0-9_]*$/.test(value)) return value;
  const words = value.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
