import { describe, expect, it } from "vitest";
import type { AppStatus } from "../api/types";
import { formatClock } from "./time";
import { syncWords } from "./sync";

const status: AppStatus = {
  mode: "connected",
  offline: false,
  dataAsOf: "2025-03-12T09:42:00Z",
  syncing: null,
  readOnly: false,
  notifications: true,
  version: "0.1.0",
};
const clock = formatClock(status.dataAsOf);

describe("sync words", () => {
  it("says when it synced, how many tenants and how many skipped", () => {
    expect(syncWords(status, { count: 17, skipped: 3 }).text).toBe(
      `synced ${clock} · 17 tenants · 3 skipped`,
    );
    expect(syncWords(status, { count: 1, skipped: 0 }).text).toBe(`synced ${clock} · 1 tenant`);
  });

  it("shows progress while syncing", () => {
    const s = { ...status, syncing: { runId: 1, done: 12, total: 17 } };

    expect(syncWords(s, null)).toEqual({ tone: "busy", text: "syncing 12/17 tenants" });
  });

  it("says offline with the time of the data", () => {
    expect(syncWords({ ...status, offline: true }, null).text).toBe(
      `offline — data as of ${clock}`,
    );
  });
});
