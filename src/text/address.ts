/**
 * One address grammar for both networks, used where addresses are read (messages, stanzas,
 * notifications, commands, lists) and again before anything goes on the wire.
 *
 * - Domains are compared in one form: lower-case A-labels (`bücher.example` and
 *   `XN--BCHER-KVA.example` are both `xn--bcher-kva.example`), the form Mastodon reports in an
 *   acct. Each label is letters, digits and `-` after IDNA, at most 63 octets, at most 253 in all;
 *   a single label (`localhost`) is accepted for test servers.
 * - A JID follows RFC 7622: local part made of letters, marks, decimal digits and printable
 *   ASCII except `"&'/:<>@`, case-folded; resource part free text without controls; no part
 *   longer than 1023 octets in UTF-8; no control character, noncharacter (U+FDD0-U+FDEF,
 *   U+xFFFE, U+xFFFF) or lone surrogate anywhere.
 * - A Fediverse acct follows Mastodon's username rule (`[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?`,
 *   any case) and the domain rule above.
 *
 * Canonical addresses are `local@domain`, lower case, domain as A-labels. On the XMPP wire the
 * domain goes out as U-labels, as RFC 7622 wants ({@link wireJid}).
 *
 * @module
 */
import { domainToASCII, domainToUnicode } from "node:url";

/** An address checked: its canonical form, or why it is refused. */
export type AddressCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problem: string };

/** Longest part of a JID, in UTF-8 octets (RFC 7622 §3.1). */
export const MAX_JID_PART_BYTES = 1023;

/** C0 and C1 controls, DEL, noncharacters (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF), lone surrogates. */
const FORBIDDEN_ANYWHERE = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

/** A character of a JID local part (RFC 7622 §3.3 with the PRECIS IdentifierClass). */
const JID_LOCAL_CHAR =
  /^(?:[\x21\x23-\x25\x28-\x2E\x30-\x39\x3B\x3D\x3F\x41-\x7E]|[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Nd}\p{Mn}\p{Mc}])$/u;

/** An LDH label (letters, digits, hyphens inside). */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Mastodon's username rule. */
const FEDI_USERNAME = /^[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?$/i;

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** `text` with every character that cannot be shown safely written as `\uXXXX`. */
export function showAddress(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (FORBIDDEN_ANYWHERE.test(ch) || /[\p{Z}\p{Cf}]/u.test(ch)) {
      out += cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${hex4(cp)}`;
    } else out += ch;
  }
  return out;
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, "0");
}

/** Whether `text` holds a control, a noncharacter or a lone surrogate. */
export function hasForbiddenChar(text: string): boolean {
  return FORBIDDEN_ANYWHERE.test(text);
}

/**
 * The canonical form of a domain name (lower-case A-labels, no trailing dot), or why it is none.
 */
export function checkDomain(input: string): AddressCheck {
  let s = input;
  if (s.endsWith(".")) s = s.slice(0, -1);
  if (s === "") return refused("the domain is empty");
  if (hasForbiddenChar(s)) return refused("the domain holds a control or invalid character");
  if (utf8Length(s) > MAX_JID_PART_BYTES) return refused("the domain is too long");
  // Of ASCII only letters, digits, dots and hyphens: URL would also take `%`, `_`, a port...
  if ([...s].some((c) => c <= "\x7f" && !/[A-Za-z0-9.-]/.test(c))) {
    return refused("the domain holds a character no domain name may have");
  }
  let host: string;
  try {
    // deno-lint-ignore no-control-regex
    host = /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : new URL(`http://${s}`).hostname;
  } catch {
    return refused("the domain is no valid internationalised domain name");
  }
  if (host.length > 253) return refused("the domain is too long");
  const labels = host.split(".");
  if (!labels.every((label) => LDH_LABEL.test(label))) {
    return refused("the domain is no valid domain name");
  }
  // An A-label must decode (URL checks the ones it made; check those that came written).
  if (labels.some((l) => l.startsWith("xn--")) && domainToASCII(host) === "") {
    return refused("the domain holds an invalid A-label");
  }
  return { ok: true, value: host };
}

/** The canonical domain, or null. */
export function canonicalDomain(input: string): string | null {
  const checked = checkDomain(input);
  return checked.ok ? checked.value : null;
}

/**
 * Checks a JID and returns its canonical bare form (`local@domain`, lower case, A-label domain;
 * the resource is checked, then dropped). `account` (default true) requires a local part.
 */
export function checkJid(input: string, account = true): AddressCheck {
  if (hasForbiddenChar(input)) return refused("it holds a control or invalid character");
  const slash = input.indexOf("/");
  const bare = slash < 0 ? input : input.slice(0, slash);
  if (slash >= 0) {
    const resource = input.slice(slash + 1);
    if (resource === "") return refused("the resource is empty");
    if (utf8Length(resource) > MAX_JID_PART_BYTES) return refused("the resource is too long");
  }
  const at = bare.indexOf("@");
  const local = at < 0 ? "" : bare.slice(0, at);
  const domain = at < 0 ? bare : bare.slice(at + 1);
  if (at >= 0 || account) {
    if (local === "") return refused("the name before @ is empty");
    const folded = local.normalize("NFC").toLowerCase();
    if (utf8Length(folded) > MAX_JID_PART_BYTES) return refused("the name is too long");
    const bad = [...folded].find((c) => !JID_LOCAL_CHAR.test(c));
    if (bad !== undefined) {
      return refused(`the name holds "${showAddress(bad)}", which a JID may not have`);
    }
    const d = checkDomain(domain);
    if (!d.ok) return d;
    return { ok: true, value: `${folded}@${d.value}` };
  }
  return checkDomain(domain);
}

/** The canonical bare JID of a user account, or null when `input` is none. */
export function canonicalJid(input: string): string | null {
  const checked = checkJid(input, true);
  return checked.ok ? checked.value : null;
}

/** Checks a Fediverse acct (`name@domain`) and returns its canonical form. */
export function checkAcct(input: string): AddressCheck {
  if (hasForbiddenChar(input)) return refused("it holds a control or invalid character");
  const at = input.lastIndexOf("@");
  if (at <= 0) return refused("it has no name@server form");
  const name = input.slice(0, at);
  if (!FEDI_USERNAME.test(name) || utf8Length(name) > MAX_JID_PART_BYTES) {
    return refused("the user name may only hold letters a-z, digits, _ and . or - inside");
  }
  const d = checkDomain(input.slice(at + 1));
  if (!d.ok) return d;
  return { ok: true, value: `${name.toLowerCase()}@${d.value}` };
}

/** The canonical acct, or null. */
export function canonicalAcct(input: string): string | null {
  const checked = checkAcct(input);
  return checked.ok ? checked.value : null;
}

/**
 * The canonical form of a stored or compared address of either network: `name@domain` with the
 * domain as lower-case A-labels; anything that does not read as one is only trimmed and
 * lower-cased (old rows stay reachable).
 */
export function canonicalAddress(address: string): string {
  const s = address.trim().toLowerCase();
  const at = s.lastIndexOf("@");
  const domain = at < 0 ? s : s.slice(at + 1);
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(domain)) return s;
  const canonical = canonicalDomain(domain);
  return canonical === null ? s : `${s.slice(0, at + 1)}${canonical}`;
}

/** A canonical JID as it goes on the wire: domain in U-labels (RFC 7622 §3.2). */
export function wireJid(jid: string): string {
  const at = jid.lastIndexOf("@");
  const slash = jid.indexOf("/", at + 1);
  const domain = slash < 0 ? jid.slice(at + 1) : jid.slice(at + 1, slash);
  if (!domain.includes("xn--")) return jid;
  const unicode = domainToUnicode(domain);
  if (unicode === "") return jid;
  return jid.slice(0, at + 1) + unicode + (slash < 0 ? "" : jid.slice(slash));
}

function refused(problem: string): AddressCheck {
  return { ok: false, problem };
}

/**
 * Names reserved for documentation and tests (RFC 2606, RFC 6761): `example`, `test`, `invalid`,
 * `localhost` and `example.com/.net/.org`, with everything below them. No real server has one, so
 * the bridge never asks the public DNS or the Internet about them (an example configuration, a
 * test setup); a name that is not even a domain counts as reserved too.
 */
export function isReservedDomain(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "" || /^[\d.]+$/.test(name) || name.includes(":")) return false;
  return /(^|\.)(example|test|invalid|localhost)$/.test(name) ||
    /(^|\.)example\.(com|net|org)$/.test(name);
}
