/**
 * Which file URLs of XMPP messages the bridge may download (`media-hosts`): an entry is a host
 * name (any port) or `host:port` (that port only); the URL must be `http` or `https`. The same
 * list gives the Fediverse role its network permission (src/permissions.ts).
 *
 * @module
 */

/** Whether `url` points to one of `hosts`. */
export function mediaHostAllowed(url: string, hosts: readonly string[]): boolean {
  if (hosts.length === 0) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return false;
  if (parsed.username !== "" || parsed.password !== "") return false;
  const host = parsed.host.toLowerCase();
  const name = parsed.hostname.toLowerCase();
  return hosts.some((h) => h === host || (!h.includes(":") && h === name));
}
