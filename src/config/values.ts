/**
 * Value checks and helpers of the configuration reader: addresses, domains, web addresses,
 * language codes, how a wrong value is described, and the likely intended key of a misspelt one.
 *
 * @module
 */
import { canonicalAddress } from "../text/address.ts";

/** `@Name@Host` or `name` -> `name@host` (local accounts get the bot server's domain). */
export function fediAddress(s: string, apInstance: string): string {
  const a = s.trim().replace(/^@/, "").toLowerCase();
  if (a === "") return "";
  return canonicalAddress(a.includes("@") ? a : `${a}@${apInstance}`);
}

/** `xmpp:Name@Host/resource` -> `name@host`. */
export function bareJid(s: string): string {
  return canonicalAddress(s.trim().replace(/^xmpp:/i, "").replace(/\/.*$/, ""));
}

const LANG_RE = /^[a-z]{2,3}([-_][a-z0-9]{2,8})?$/i;

/** A language code such as `en` or `pt-BR` (a map key or a language setting). */
export function isLanguageCode(s: string): boolean {
  return LANG_RE.test(s);
}

/** A domain name such as example.org (ASCII labels). */
export function isDomain(s: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$/i.test(s);
}

/** `name@domain` with one `@`. */
export function isAddress(s: string): boolean {
  const at = s.indexOf("@");
  return at > 0 && at === s.lastIndexOf("@") && isDomain(s.slice(at + 1));
}

/** An http: or https: address. */
export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** How a wrong value is shown in a problem: its kind, and its text when it is short. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (typeof v === "string") return `the text "${v}"`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  return "a map";
}

/** The known key closest to a misspelt one, when it is close enough to be a likely typo. */
export function closest(key: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** Freezes the object and everything in it. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * `host:port` of a loopback listener (`127.x.x.x`, `localhost`, `[::1]`), or null. The metrics
 * are meant for a scraper on the same machine: nothing else may reach them.
 */
export function loopbackListen(text: string): { hostname: string; port: number } | null {
  const m = /^(?:\[(::1)\]|(localhost|127(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text.trim());
  if (m === null) return null;
  const hostname = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  if (hostname.startsWith("127.") && hostname.split(".").some((n) => Number(n) > 255)) return null;
  return { hostname, port };
}
