import { describe, expect, it } from "vitest";
import { isPortalUrl } from "./portalUrl";

describe("portal URL allow-list", () => {
  it("accepts Microsoft portal hosts over https", () => {
    expect(isPortalUrl("https://security.microsoft.com/incidents/42?tid=abc")).toBe(true);
    expect(isPortalUrl("https://security.microsoft.us/securescore")).toBe(true);
    expect(isPortalUrl("https://portal.azure.cn/")).toBe(true);
    expect(isPortalUrl("https://login.microsoftonline.com/x")).toBe(true);
  });

  it("refuses other schemes, hosts and look-alikes", () => {
    expect(isPortalUrl("http://security.microsoft.com/")).toBe(false);
    expect(isPortalUrl("javascript:alert(1)")).toBe(false);
    expect(isPortalUrl("https://evil.example/security.microsoft.com")).toBe(false);
    expect(isPortalUrl("https://security.microsoft.com.evil.example/")).toBe(false);
    expect(isPortalUrl("https://notmicrosoft.com/")).toBe(false);
    expect(isPortalUrl("https://user:pw@security.microsoft.com/")).toBe(false);
    expect(isPortalUrl("https://security.microsoft.com:8443/")).toBe(false);
    expect(isPortalUrl("not a url")).toBe(false);
    expect(isPortalUrl(null)).toBe(false);
  });
});
