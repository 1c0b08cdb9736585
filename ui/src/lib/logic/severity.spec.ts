import { describe, expect, it } from "vitest";
import { bySeverity, humanize, severityLabel, severitySegments, severityTone } from "./severity";

describe("severity", () => {
  it("sorts high first and unrecognised values after unknown", () => {
    const list = ["low", "catastrophic", "unknown", "high", "informational", "medium"];

    list.sort(bySeverity);

    expect(list).toEqual(["high", "medium", "low", "informational", "unknown", "catastrophic"]);
  });

  it("shows unrecognised values verbatim with the unknown colour", () => {
    expect(severityLabel("catastrophic")).toBe("catastrophic");
    expect(severityTone("catastrophic")).toBe("unknown");
    expect(severityTone("informational")).toBe("info");
  });

  it("drops empty segments from the breakdown and keeps order", () => {
    const segs = severitySegments({ high: 2, medium: 0, low: 5, informational: 1, unknown: 0 });

    expect(segs.map((s) => s.severity)).toEqual(["high", "low", "informational"]);
  });

  it("humanizes product names but leaves foreign values alone", () => {
    expect(humanize("true_positive")).toBe("True positive");
    expect(humanize("someNewStatus")).toBe("someNewStatus");
    expect(humanize(null)).toBe("");
  });
});
