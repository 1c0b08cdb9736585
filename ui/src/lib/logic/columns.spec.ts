import { describe, expect, it } from "vitest";
import { COLUMNS, parsePrefs, visibleColumns, widthOf } from "./columns";

describe("column prefs", () => {
  it("round-trips widths and hidden columns and drops unknown ids", () => {
    const p = parsePrefs(
      JSON.stringify({ widths: { tenant: 200, bogus: 5 }, hidden: ["status", "nope"] }),
    );

    expect(p).toEqual({ widths: { tenant: 200 }, hidden: ["status"] });
  });

  it("never hides severity or title", () => {
    const ids = visibleColumns({ widths: {}, hidden: ["severity", "title", "status"] }).map(
      (c) => c.id,
    );

    expect(ids).toContain("severity");
    expect(ids).toContain("title");
    expect(ids).not.toContain("status");
  });

  it("clamps widths to the column minimum", () => {
    const tenant = COLUMNS.find((c) => c.id === "tenant")!;

    expect(widthOf(tenant, { widths: { tenant: 3 }, hidden: [] })).toBe(tenant.min);
    expect(parsePrefs("garbage").hidden).toEqual(["determination"]);
  });
});
