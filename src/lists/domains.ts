/** Domain names as the lists hold them: canonical form and matching (exact or `*.` wildcard). */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The canonical form of a domain name (lower case, punycode, no trailing dot),
 * or null when `input` is not one. `*.example.org` is kept as a wildcard.
 */
export function normalizeDomain(input: string): string | null {
  let s = input.trim().toLowerCase();
  let wildcard = "";
  if (s.startsWith("*.")) {
    wildcard = "*.";
    s = s.slice(2);
  }
  if (s.endsWith(".")) s = s.slice(0, -1);
  if (s === "" || s.length > 253) return null;
  const chars = [...s];
  if (chars.some((c) => c > "\x7f")) {
    // Beyond ASCII, only letters may come in: URL would also accept a port, a
    // user name or a path, which are not part of a domain.
    if (chars.some((c) => c <= "\x7f" && !/[a-z0-9.-]/.test(c))) return null;
    try {
      s = new URL(`http://${s}`).hostname;
    } catch {
      return null;
    }
  }
  if (s.length > 253 || !s.split(".").every((label) => LABEL.test(label))) return null;
  return wildcard + s;
}

/** Whether the (already normalized) domain is in the set, exactly or by a `*.` entry. */
export function domainListed(domain: string, set: ReadonlySet<string>): boolean {
  if (set.has(domain)) return true;
  for (let i = domain.indexOf("."); i !== -1; i = domain.indexOf(".", i + 1)) {
    if (set.has(`*${domain.slice(i)}`)) return true;
  }
  return false;
}
