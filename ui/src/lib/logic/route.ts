// Hash routes, so a reload keeps the page and the open incident, and the
// app needs no server-side routing. The list stays mounted under an open
// incident, so opening one never loses the list's place.

export type TenantTab = "incidents" | "alerts" | "recommendations";

export interface IncidentKey {
  tenantId: string;
  incidentId: string;
}

export type Route =
  | { page: "portfolio"; incident: IncidentKey | null }
  | { page: "tenants" }
  | { page: "tenant"; tenantId: string; tab: TenantTab; incident: IncidentKey | null }
  | { page: "health" }
  | { page: "audit" }
  | { page: "settings" };

const TABS: TenantTab[] = ["incidents", "alerts", "recommendations"];

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [head, a, b, c, d] = parts;
  switch (head) {
    case "tenants":
      if (!a) return { page: "tenants" };
      return {
        page: "tenant",
        tenantId: a,
        tab: TABS.includes(b as TenantTab) ? (b as TenantTab) : "incidents",
        incident: c === "incident" && d ? { tenantId: a, incidentId: d } : null,
      };
    case "health":
    case "audit":
    case "settings":
      return { page: head };
    default:
      return { page: "portfolio", incident: a && b ? { tenantId: a, incidentId: b } : null };
  }
}

export function routeHash(r: Route): string {
  const e = encodeURIComponent;
  switch (r.page) {
    case "portfolio":
      return r.incident
        ? `#/portfolio/${e(r.incident.tenantId)}/${e(r.incident.incidentId)}`
        : "#/portfolio";
    case "tenant": {
      const base = `#/tenants/${e(r.tenantId)}/${r.tab}`;
      return r.incident ? `${base}/incident/${e(r.incident.incidentId)}` : base;
    }
    default:
      return `#/${r.page}`;
  }
}
