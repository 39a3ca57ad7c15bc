/**
 * The few JID operations the adapter needs. Accounts are compared as lower-cased bare JIDs
 * (`name@host`), the form the core and the store use.
 *
 * @module
 */
import { canonicalAddress, checkJid } from "../text/address.ts";

/**
 * The bare part of a JID (`name@host/resource` -> `name@host`), lower-cased, the domain as
 * A-labels (the form addresses are compared in, src/core/address.ts).
 */
export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return canonicalAddress(slash < 0 ? jid : jid.slice(0, slash));
}

/** The domain of a JID (`name@host/resource` -> `host`), lower-cased. */
export function domainOfJid(jid: string): string {
  const bare = bareJid(jid);
  return bare.slice(bare.indexOf("@") + 1);
}

/** The local part of a JID (`name@host` -> `name`), or `""` for a server JID. */
export function localOfJid(jid: string): string {
  const bare = bareJid(jid);
  const at = bare.indexOf("@");
  return at < 0 ? "" : bare.slice(0, at);
}

/**
 * Whether `jid` is a valid user account JID (`name@host`, with or without a resource, RFC 7622:
 * no control character, noncharacter or lone surrogate, parts of at most 1023 octets, a domain
 * that is a valid IDN) rather than a server, a component or something malformed: only those can
 * be bridge users or get a stanza.
 */
export function isAccountJid(jid: string): boolean {
  return checkJid(jid, true).ok;
}
