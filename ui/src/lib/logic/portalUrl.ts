// The allow-list for links the app opens in the system browser. The shell
// checks again (open_in_portal refuses other hosts); checking here too lets
// the UI disable a link instead of failing after a click.

const HOST_SUFFIXES = [".microsoft.com", ".microsoft.us", ".azure.cn", ".microsoftonline.com"];
const EXACT_HOSTS = ["security.microsoft.com"];

/** True for an https URL on a Microsoft portal host, without credentials. */
export function isPortalUrl(url: string | null | undefined): url is string {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "https:" || u.username || u.password) return false;
  if (u.port && u.port !== "443") return false;
  const host = u.hostname.toLowerCase();
  return EXACT_HOSTS.includes(host) || HOST_SUFFIXES.some((s) => host.endsWith(s));
}
