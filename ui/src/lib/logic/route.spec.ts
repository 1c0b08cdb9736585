import { describe, expect, it } from "vitest";
import { parseRoute, routeHash, type Route } from "./route";

describe("routes", () => {
  it("round-trips every route shape", () => {
    const routes: Route[] = [
      { page: "portfolio", incident: null },
      { page: "portfolio", incident: { tenantId: "t/1", incidentId: "42" } },
      { page: "tenants" },
      { page: "tenant", tenantId: "t1", tab: "alerts", incident: null },
      {
        page: "tenant",
        tenantId: "t1",
        tab: "incidents",
        incident: { tenantId: "t1", incidentId: "7" },
      },
      { page: "health" },
      { page: "audit" },
      { page: "settings" },
    ];

    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
  });

  it("falls back to the portfolio for unknown hashes", () => {
    expect(parseRoute("#/nowhere")).toEqual({ page: "portfolio", incident: null });
    expect(parseRoute("")).toEqual({ page: "portfolio", incident: null });
  });
});
