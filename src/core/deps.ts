/**
 * What every rule of the core is handed ({@link CoreDeps}), and the small questions about
 * accounts and the configuration that rules and the flood control share.
 *
 * @module
 */
import { canonicalDomain } from "../text/address.ts";
import type { Config } from "../config/mod.ts";
import type { I18n } from "../i18n/mod.ts";
import type { Lists } from "../lists/mod.ts";
import type { CoreStore } from "./ports.ts";
import { type ParsedMessage, parseMessage } from "./parse.ts";
import type { FediDirectory, FediLimits } from "./ports.ts";
import { type Account, type AccountType, type Effect, FEDI } from "./types.ts";

/** The core's dependencies: configuration, store, lists, texts, clock, ports and the emitter. */
export interface CoreDeps {
  readonly config: Config;
  readonly store: CoreStore;
  readonly lists: Lists;
  readonly i18n: I18n;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Lookups on the Fediverse; null in a process that has no Fediverse connection. */
  readonly fedi: FediDirectory | null;
  /** The Fediverse server's limits (from the server when known, else the configuration). */
  readonly fediLimits: () => FediLimits;
  /**
   * Receives the effects of one event, inside the transaction that changes the state: an
   * outbox writes them to its table there, so both happen or neither.
   */
  readonly emit: (effects: readonly Effect[]) => void;
  /**
   * Resolves at the next settled send of this process's outbox (true), or false once
   * `timeoutMs` passed. Lets a reply wait for the post it answers. Absent: replies never wait.
   */
  readonly nextSettled?: (timeoutMs: number) => Promise<boolean>;
  /** A fresh id for a message the XMPP bot will send. */
  readonly newMessageId: () => string;
  readonly version: string;
}

/** The bots' own accounts. */
export function botAccounts(config: Config): { fedi: Account; xmpp: Account } {
  return {
    fedi: { network: FEDI, address: config.fediHandle },
    xmpp: { network: 1, address: config.xmppJid },
  };
}

/** Whether `account` is one of the bridge's admins (only from the network it is listed on). */
export function isAdmin(config: Config, account: Account): boolean {
  const list = account.network === FEDI ? config.apAdmins : config.xmppAdmins;
  return list.includes(account.address.toLowerCase());
}

/** The domain part of an address, lower-case, as A-labels when it is a valid IDN. */
export function domainOf(address: string): string {
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  return canonicalDomain(domain) ?? domain;
}

/** The domains of the bots' servers (as A-labels), which lists never exclude. */
export function botDomains(config: Config): Set<string> {
  return new Set([
    domainOf(config.apInstance),
    domainOf(config.xmppInstance),
    domainOf(config.fediHandle),
    domainOf(config.xmppJid),
  ]);
}

/** The language to write to `account` in: theirs when registered with one, else the default. */
export function languageOf(deps: CoreDeps, account: Account): string {
  return languageOfUser(
    deps,
    deps.store.users.get(account.network as AccountType, account.address),
  );
}

/** The language to write to the account of `user` (undefined: not known) in. */
export function languageOfUser(deps: CoreDeps, user: { readonly lang: string | null } | undefined) {
  return deps.i18n.resolve(user?.lang ?? null) ?? deps.i18n.resolve(deps.config.defaultLanguage) ??
    deps.config.unknownLanguage;
}

/** Parses a message from `from` with the configured prefixes, words and bot addresses. */
export function parseFor(config: Config, text: string, from: Account): ParsedMessage {
  return parseMessage(text, {
    prefixes: config.prefixes,
    commandWords: config.commandWords,
    apInstance: config.apInstance,
    botAddresses: { fedi: config.fediHandle, xmpp: config.xmppJid },
    from: from.network,
  });
}
