import { describe, expect, it } from "vitest";
import type { Evidence } from "../api/types";
import { evidenceFields, groupEvidence } from "./evidence";

const ev = (kind: string, label: string, raw: unknown): Evidence => ({
  kind,
  label,
  verdict: null,
  remediationStatus: null,
  roles: [],
  raw,
});

describe("evidence fields", () => {
  it("picks the known fields of a device and skips the label repeat", () => {
    const e = ev("device", "ws-0042.contoso.com", {
      deviceDnsName: "ws-0042.contoso.com",
      osPlatform: "Windows11",
      riskScore: "high",
    });

    expect(evidenceFields(e)).toEqual([
      { name: "OS", value: "Windows11" },
      { name: "Risk", value: "high" },
    ]);
  });

  it("follows nested paths for files", () => {
    const e = ev("file", "invoice.js", { fileDetails: { fileName: "invoice.js", sha256: "ab12" } });

    expect(evidenceFields(e)).toEqual([{ name: "SHA-256", value: "ab12" }]);
  });

  it("shows the plain fields of a kind it does not know", () => {
    const e = ev("kubernetesPodEvidence", "pod-1", {
      "@odata.type": "#microsoft.graph.security.kubernetesPodEvidence",
      name: "pod-1",
      namespace: { name: "prod" },
      podIp: "10.0.0.4",
      verdict: "suspicious",
    });

    expect(evidenceFields(e)).toEqual([
      { name: "name", value: "pod-1" },
      { name: "podIp", value: "10.0.0.4" },
    ]);
  });

  it("groups known kinds first in a fixed order, unknown ones after", () => {
    const groups = groupEvidence([
      ev("weirdEvidence", "w", {}),
      ev("url", "u", {}),
      ev("user", "a", {}),
      ev("user", "b", {}),
    ]);

    expect(groups.map((g) => [g.kind, g.items.length])).toEqual([
      ["user", 2],
      ["url", 1],
      ["weirdEvidence", 1],
    ]);
    expect(groups[2].title).toBe("weirdEvidence");
  });
});
