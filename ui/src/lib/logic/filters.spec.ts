import { describe, expect, it } from "vitest";
import {
  activeFilterCount,
  emptyFilters,
  parseFilters,
  parseMitreList,
  serializeFilters,
  toQuery,
  toggle,
} from "./filters";

describe("filter serialization", () => {
  it("round-trips every field", () => {
    const f = {
      ...emptyFilters(),
      severity: ["high", "medium"],
      status: ["active"],
      tenant: ["t-1"],
      assignedTo: ["alex@contoso.com"],
      unassignedOnly: true,
      classification: ["true_positive"],
      mitre: ["T1566.001"],
      text: "phish",
    };

    expect(parseFilters(serializeFilters(f))).toEqual(f);
  });

  it("gives empty filters for missing, broken or foreign values", () => {
    expect(parseFilters(null)).toEqual(emptyFilters());
    expect(parseFilters("{not json")).toEqual(emptyFilters());
    expect(parseFilters("[1,2]")).toEqual(emptyFilters());
    expect(parseFilters('{"v":99,"severity":["high"]}')).toEqual(emptyFilters());
  });

  it("keeps the valid parts of a damaged value", () => {
    const f = parseFilters('{"v":1,"severity":["high",3,null],"mitre":["x","t1110"],"text":5}');

    expect(f.severity).toEqual(["high"]);
    expect(f.mitre).toEqual(["T1110"]);
    expect(f.text).toBe("");
  });
});

describe("filters to query", () => {
  it("copies lists, trims text to null when blank and sets paging", () => {
    const f = { ...emptyFilters(), severity: ["low"], text: "   " };

    const q = toQuery(f, 400, 200);

    expect(q).toMatchObject({ severity: ["low"], text: null, offset: 400, limit: 200 });
    expect(q.severity).not.toBe(f.severity);
  });

  it("counts filter groups, treating assigned-to and unassigned as one", () => {
    const f = {
      ...emptyFilters(),
      severity: ["high"],
      assignedTo: ["a@b.c"],
      unassignedOnly: true,
    };

    expect(activeFilterCount(f)).toBe(2);
    expect(activeFilterCount(emptyFilters())).toBe(0);
  });

  it("toggles values in and out", () => {
    expect(toggle(["a"], "b")).toEqual(["a", "b"]);
    expect(toggle(["a", "b"], "a")).toEqual(["b"]);
  });

  it("parses MITRE ids, upper-casing and dropping junk and repeats", () => {
    expect(parseMitreList("t1566, T1110.001 ;; nonsense T1566")).toEqual(["T1566", "T1110.001"]);
  });
});
