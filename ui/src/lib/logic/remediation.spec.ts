import { describe, expect, it } from "vitest";
import type { RemediationReport } from "../api/types";
import {
  PLAYBOOK_STEPS,
  allSteps,
  chosenSteps,
  confirmBlocked,
  confirmLabel,
  outcomeLabel,
  outcomeTone,
  remediationBlocked,
  reportSummary,
  stepHint,
  stepLabel,
  temporaryPassword,
  withoutPassword,
} from "./remediation";

const report: RemediationReport = {
  tenantId: "t1",
  userPrincipalName: "alex@contoso.com",
  incidentId: "1001",
  steps: [
    { step: "disable_sign_in", outcome: "already", message: "Already blocked", details: [] },
    { step: "revoke_sessions", outcome: "failed", message: "403 Forbidden", details: [] },
    {
      step: "reset_password",
      outcome: "done",
      message: "Temporary password set",
      temporaryPassword: "Kx7!temporary",
      details: [],
    },
    { step: "clear_forwarding", outcome: "done", message: "Removed 1 rule", details: ["rule"] },
  ],
};

const open = { offline: false, readOnly: false, capability: "manage", tenantName: "Contoso" };

describe("steps", () => {
  it("start all ticked and are sent in the engine's order whatever the ticking order", () => {
    const choice = allSteps();

    expect(chosenSteps(choice)).toEqual([...PLAYBOOK_STEPS]);
    expect(chosenSteps({ ...choice, revoke_sessions: false, disable_sign_in: false })).toEqual([
      "reset_password",
      "clear_forwarding",
    ]);
  });

  it("have the product's names, and an unknown step is shown humanized", () => {
    expect(PLAYBOOK_STEPS.map(stepLabel)).toEqual([
      "Disable sign-in",
      "Revoke sessions",
      "Reset password",
      "Clear mail forwarding",
    ]);
    expect(stepLabel("wipe_device")).toBe("Wipe device");
    expect(stepHint("reset_password")).toMatch(/must change at next sign-in/);
  });
});

describe("outcomes", () => {
  it("have a word and a tone each, and an unknown outcome is shown as it is", () => {
    expect(["done", "already", "failed", "skipped"].map(outcomeLabel)).toEqual([
      "Done",
      "Already so",
      "Failed",
      "Skipped",
    ]);
    expect(["done", "already", "failed", "skipped"].map(outcomeTone)).toEqual([
      "ok",
      "neutral",
      "error",
      "muted",
    ]);
    expect(outcomeLabel("partial")).toBe("partial");
    expect(outcomeTone("partial")).toBe("muted");
  });

  it("are summarised by count, zero counts left out", () => {
    expect(reportSummary(report)).toBe("2 done · 1 already so · 1 failed");
    expect(reportSummary({ ...report, steps: [] })).toBe("no steps ran");
  });
});

describe("the temporary password", () => {
  it("is read only from a done reset step", () => {
    expect(temporaryPassword(report)).toBe("Kx7!temporary");
    const failed = {
      ...report,
      steps: report.steps.map((s) => ({ ...s, outcome: "failed" })),
    };
    expect(temporaryPassword(failed)).toBeNull();
  });

  it("is gone from the copy of the report that is kept", () => {
    const kept = withoutPassword(report);

    expect(temporaryPassword(kept)).toBeNull();
    expect(JSON.stringify(kept)).not.toContain("Kx7!temporary");
    expect(kept.steps.map((s) => s.outcome)).toEqual(report.steps.map((s) => s.outcome));
  });
});

describe("starting the playbook", () => {
  it("follows the update form's rules: offline, then read-only, then capability", () => {
    expect(remediationBlocked(open)).toBeNull();
    expect(remediationBlocked({ ...open, offline: true, readOnly: true })).toMatch(/^Offline/);
    expect(remediationBlocked({ ...open, readOnly: true })).toMatch(/Read-only mode is on/);
    expect(remediationBlocked({ ...open, capability: "read" })).toBe(
      "No manage rights in Contoso: GDAP needs Security Operator or Security Administrator.",
    );
    expect(remediationBlocked({ ...open, capability: "someNewCapability" })).toMatch(
      /No manage rights/,
    );
  });

  it("needs a user and at least one step before confirming, and says which is missing", () => {
    const base = { blocked: null, upn: "alex@contoso.com", choice: allSteps(), running: false };
    const none = {
      disable_sign_in: false,
      revoke_sessions: false,
      reset_password: false,
      clear_forwarding: false,
    };

    expect(confirmBlocked(base)).toBeNull();
    expect(confirmBlocked({ ...base, upn: " " })).toBe("Choose a user");
    expect(confirmBlocked({ ...base, choice: none })).toBe("Choose at least one step");
    expect(confirmBlocked({ ...base, running: true })).toBe("Running…");
    expect(confirmBlocked({ ...base, blocked: "Offline" })).toBe("Offline");
  });

  it("names the tenant on the confirm button", () => {
    expect(confirmLabel("Contoso Health", false)).toBe("Remediate in Contoso Health");
    expect(confirmLabel("Contoso Health", true)).toBe("Remediating in Contoso Health…");
  });
});
