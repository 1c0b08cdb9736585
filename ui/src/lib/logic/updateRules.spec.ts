import { describe, expect, it } from "vitest";
import type { Incident } from "../api/types";
import {
  CLASSIFY_AFTER_RESOLVING,
  ONLY_FOR_TRUE_POSITIVES,
  assigneeProblem,
  buildUpdate,
  classificationBlocked,
  determinationBlocked,
  formFrom,
  saveLabel,
  writeBlocked,
} from "./updateRules";

const incident: Incident = {
  tenantId: "t1",
  id: "42",
  displayName: "Phish",
  description: null,
  severity: "high",
  status: "active",
  classification: null,
  determination: null,
  assignedTo: null,
  createdAt: "2025-03-12T09:00:00Z",
  lastUpdateAt: "2025-03-12T09:00:00Z",
  webUrl: null,
  redirectIncidentId: null,
  customTags: [],
  systemTags: [],
  comments: [],
};

describe("form", () => {
  it("shows Graph's unknown classification and determination as not set", () => {
    const f = formFrom({ ...incident, classification: "unknown", determination: "unknown" });

    expect(f.classification).toBe("");
    expect(f.determination).toBe("");
    expect(buildUpdate(incident, { ...f, status: "resolved" })).toEqual({ status: "resolved" });
  });
});

describe("classification rule", () => {
  it("is blocked until the incident is or becomes resolved", () => {
    const f = formFrom(incident);

    expect(classificationBlocked(f)).toBe(CLASSIFY_AFTER_RESOLVING);
    expect(classificationBlocked({ ...f, status: "resolved" })).toBeNull();
  });

  it("is not sent when the status is moved away from resolved", () => {
    const resolved = { ...incident, status: "resolved" };
    const f = { ...formFrom(resolved), status: "active", classification: "false_positive" };

    expect(buildUpdate(resolved, f)).toEqual({ status: "active" });
  });
});

describe("determination rule", () => {
  it("is allowed only for true positives on a resolved incident", () => {
    const f = { ...formFrom(incident), status: "resolved" };

    expect(determinationBlocked(formFrom(incident))).toBe(CLASSIFY_AFTER_RESOLVING);
    expect(determinationBlocked({ ...f, classification: "false_positive" })).toBe(
      ONLY_FOR_TRUE_POSITIVES,
    );
    expect(determinationBlocked({ ...f, classification: "true_positive" })).toBeNull();
  });

  it("is dropped from the update when the classification is not true positive", () => {
    const f = {
      ...formFrom(incident),
      status: "resolved",
      classification: "false_positive",
      determination: "phishing",
    };

    expect(buildUpdate(incident, f)).toEqual({
      status: "resolved",
      classification: "false_positive",
    });
  });
});

describe("assigned-to check", () => {
  const domains = ["contoso.com", "contoso.onmicrosoft.com"];

  it("accepts a UPN in a verified domain, case-insensitively, and blank", () => {
    expect(assigneeProblem("Alex@Contoso.COM", domains, "Contoso")).toBeNull();
    expect(assigneeProblem("  ", domains, "Contoso")).toBeNull();
  });

  it("refuses an MSP technician and names the domains to use", () => {
    const msg = assigneeProblem("tech@msp.example", domains, "Contoso");

    expect(msg).toContain("not a user in Contoso");
    expect(msg).toContain("@contoso.com or @contoso.onmicrosoft.com");
  });

  it("refuses a sub-domain look-alike and text that is not a UPN", () => {
    expect(assigneeProblem("a@evil.contoso.com.example", domains, "Contoso")).not.toBeNull();
    expect(assigneeProblem("alex", domains, "Contoso")).toMatch(/user principal name/);
    expect(assigneeProblem("@contoso.com", domains, "Contoso")).toMatch(/user principal name/);
  });
});

describe("building the update", () => {
  it("sends only what changed, with a trimmed comment", () => {
    const f = {
      ...formFrom(incident),
      status: "resolved",
      classification: "true_positive",
      determination: "phishing",
      assignedTo: " sec-lead@contoso.com ",
      comment: "  closed after reset  ",
    };

    expect(buildUpdate(incident, f)).toEqual({
      status: "resolved",
      classification: "true_positive",
      determination: "phishing",
      assignedTo: "sec-lead@contoso.com",
      comment: "closed after reset",
    });
  });

  it("sends nothing for an untouched form", () => {
    expect(buildUpdate(incident, formFrom(incident))).toEqual({});
  });

  it("names the tenant on the button and says Resolve when resolving", () => {
    const f = formFrom(incident);

    expect(saveLabel(incident, f, "Contoso Health")).toBe("Save in Contoso Health");
    expect(saveLabel(incident, { ...f, status: "resolved" }, "Contoso Health")).toBe(
      "Resolve in Contoso Health",
    );
  });

  it("blocks writes offline, read-only, or without manage rights", () => {
    const base = { offline: false, readOnly: false, capability: "manage", tenantName: "C" };

    expect(writeBlocked(base)).toBeNull();
    expect(writeBlocked({ ...base, offline: true })).toMatch(/Offline/);
    expect(writeBlocked({ ...base, readOnly: true })).toMatch(/Read-only/);
    expect(writeBlocked({ ...base, capability: "read" })).toMatch(/No update rights in C/);
  });
});
