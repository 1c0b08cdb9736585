// The sync state in words for every page's header line:
// "synced 09:42 · 17 tenants · 3 skipped", "syncing 12/17 tenants",
// "offline — data as of 09:42".

import type { AppStatus } from "../api/types";
import { formatClock } from "./time";

export interface SyncWords {
  tone: "ok" | "busy" | "offline" | "never";
  text: string;
}

export function syncWords(
  status: AppStatus | null,
  tenants: { count: number; skipped: number } | null,
): SyncWords {
  if (!status) return { tone: "never", text: "connecting…" };
  if (status.syncing) {
    const p = status.syncing;
    return { tone: "busy", text: `syncing ${p.done}/${p.total} tenants` };
  }
  if (status.offline) {
    const asOf = status.dataAsOf ? formatClock(status.dataAsOf) : "never";
    return { tone: "offline", text: `offline — data as of ${asOf}` };
  }
  if (!status.dataAsOf) return { tone: "never", text: "not synced yet" };

  const parts = [`synced ${formatClock(status.dataAsOf)}`];
  if (tenants) {
    parts.push(`${tenants.count} ${tenants.count === 1 ? "tenant" : "tenants"}`);
    if (tenants.skipped > 0) parts.push(`${tenants.skipped} skipped`);
  }
  return { tone: "ok", text: parts.join(" · ") };
}
