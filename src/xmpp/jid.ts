/**
 * The few JID operations the adapter needs. Accounts are compared as lower-cased bare JIDs
 * (`name@host`), the form the core and the store use.
 *
 * @module
 */

/** The bare part of a JID (`name@host/resource` -> `name@host`), lower-cased. */
export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
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
 * Whether `jid` is a user account (`name@host`, with or without a resource) rather than a server
 * or a component: only those can be bridge users.
 */
export function isAccountJid(jid: string): boolean {
  return /^[^@/\s"&'<>:]+@[^@/\s]+$/.test(bareJid(jid));
}
