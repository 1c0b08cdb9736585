// One subscription helper per backend event (docs/ipc.md). Each returns a
// function that stops listening.

import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppStatus, IncidentRef, LocalAlert, SyncProgress, SyncRunSummary } from "./types";

function on<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (e) => handler(e.payload));
}

export const onSyncProgress = (h: (p: SyncProgress) => void) => on("sync-progress", h);

export const onSyncFinished = (h: (s: SyncRunSummary) => void) => on("sync-finished", h);

export const onIncidentReopened = (h: (a: LocalAlert) => void) => on("incident-reopened", h);

export const onOpenIncident = (h: (r: IncidentRef) => void) => on("open-incident", h);

export const onStatusChanged = (h: (s: AppStatus) => void) => on("status-changed", h);
