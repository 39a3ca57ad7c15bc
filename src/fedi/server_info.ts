/**
 * What the bot learns from its server when it starts: whose token it holds, the posting limits,
 * the streaming address and the server's domain blocks. The results go to the store's `meta`
 * table, where the core and the XMPP process read them.
 *
 * @module
 */
import { FediStartupError } from "./startup_error.ts";
import type { Logger } from "@logtape/logtape";
import type { mastodon } from "masto";
import { type Config, fediAddress } from "../config/mod.ts";
import type { Store } from "../store/mod.ts";
import type { FediApi } from "./api.ts";
import { FediApiError } from "./errors.ts";
import { DEFAULT_URL_CHARS, META } from "./meta_keys.ts";
import { errorText } from "../text/errors.ts";

export { FediStartupError } from "./startup_error.ts";

/** The bot's own account, as the token shows it. */
export interface BotIdentity {
  readonly id: string;
  /** `name@host`, lower-cased: the configured handle. */
  readonly address: string;
  /** A locked account receives follow requests instead of follows. */
  readonly locked: boolean;
}

/** Checks that the token belongs to the configured bot account. */
export async function verifyIdentity(api: FediApi, config: Config): Promise<BotIdentity> {
  let me: mastodon.v1.CredentialAccount;
  try {
    me = await api.call(
      "verify credentials",
      (m) => api.rest.v1.accounts.verifyCredentials.$raw(undefined, m),
    );
  } catch (e) {
    if (e instanceof FediApiError && (e.status === 401 || e.status === 403)) {
      throw new FediStartupError(
        `The Fediverse server ${config.apApiUrl} refused the bot's access token ` +
          `(xmpp_bridge_token / XMPP_BRIDGE_TOKEN): HTTP ${e.status}. Create a new token for ` +
          `${config.fediHandle} and configure it.`,
      );
    }
    throw e;
  }
  const expected = config.fediHandle.toLowerCase();
  const [expectedName] = expected.split("@");
  const acct = me.acct.toLowerCase();
  const matches = acct.includes("@")
    ? fediAddress(acct, config.apInstance) === expected
    : acct === expectedName;
  if (!matches) {
    throw new FediStartupError(
      `The access token (xmpp_bridge_token / XMPP_BRIDGE_TOKEN) belongs to the account ` +
        `"${me.acct}" on ${config.apApiUrl}, but xmpp_bridge_name says the bot is ` +
        `"${config.fediHandle}". Use the bot account's token, or correct xmpp_bridge_name.`,
    );
  }
  return { id: me.id, address: expected, locked: me.locked };
}

/** The server's posting limits and where it streams. */
export interface ServerLimits {
  readonly maxCharacters: number;
  readonly charactersReservedPerUrl: number;
  /** The advertised streaming base URL, or null when the server gave none. */
  readonly streamingUrl: string | null;
  /** Which document the limits came from. */
  readonly source: "v2" | "v1" | "config";
}

function positive(n: unknown): number | null {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.floor(n) : null;
}

function text(s: unknown): string | null {
  return typeof s === "string" && s !== "" ? s : null;
}

/**
 * Reads the limits from the v2 instance document, else from v1 (where Pleroma and Akkoma put
 * `max_toot_chars`), else takes `max-char-per-post`. Only transport failures of both throw.
 */
export async function readServerLimits(api: FediApi, config: Config): Promise<ServerLimits> {
  try {
    const v2 = await api.call("instance v2", (m) => api.rest.v2.instance.fetch.$raw(undefined, m));
    const max = positive(v2.configuration?.statuses?.maxCharacters);
    if (max !== null) {
      return {
        maxCharacters: max,
        charactersReservedPerUrl: positive(v2.configuration?.statuses?.charactersReservedPerUrl) ??
          DEFAULT_URL_CHARS,
        streamingUrl: text(v2.configuration?.urls?.streaming),
        source: "v2",
      };
    }
  } catch {
    // An older server, or one without v2: v1 may say.
  }
  try {
    const v1 = await api.call("instance v1", (m) => api.rest.v1.instance.fetch.$raw(undefined, m));
    const loose = v1 as unknown as { maxTootChars?: unknown };
    const max = positive(v1.configuration?.statuses?.maxCharacters) ??
      positive(loose.maxTootChars);
    return {
      maxCharacters: max ?? config.maxCharPerPost,
      charactersReservedPerUrl: positive(v1.configuration?.statuses?.charactersReservedPerUrl) ??
        DEFAULT_URL_CHARS,
      streamingUrl: text(v1.urls?.streamingApi),
      source: max === null ? "config" : "v1",
    };
  } catch (e) {
    // Neither document readable for now: try again later. Both missing: use the configuration.
    if (!(e instanceof FediApiError) || !e.permanent) throw e;
  }
  return {
    maxCharacters: config.maxCharPerPost,
    charactersReservedPerUrl: DEFAULT_URL_CHARS,
    streamingUrl: null,
    source: "config",
  };
}

/** Stores the limits where {@link fediLimitsFromMeta} reads them. */
export function storeLimits(store: Store, limits: ServerLimits): void {
  store.transaction(() => {
    store.meta.set(META.maxCharacters, String(limits.maxCharacters));
    store.meta.set(META.urlChars, String(limits.charactersReservedPerUrl));
  });
}

/**
 * Reads the server's domain blocks. Returns null when the server does not show them (401, 403,
 * 404: not an error); obfuscated entries (`exa***.com`) are left out, as they match nothing.
 */
export async function readDomainBlocks(api: FediApi): Promise<string[] | null> {
  const { status, data } = await api.getJson("domain blocks", "api/v1/instance/domain_blocks");
  if (status === 401 || status === 403 || status === 404) return null;
  if (status !== 200 || !Array.isArray(data)) {
    throw new FediApiError("domain blocks", status, `unexpected answer (HTTP ${status})`, false);
  }
  const domains = new Set<string>();
  for (const entry of data) {
    const domain = (entry as { domain?: unknown } | null)?.domain;
    if (typeof domain === "string" && domain !== "" && !domain.includes("*")) {
      domains.add(domain.toLowerCase());
    }
  }
  return [...domains].sort();
}

/** Stores the domain blocks (or forgets them when they are not readable). */
export function storeDomainBlocks(store: Store, domains: readonly string[] | null): void {
  if (domains === null) store.meta.delete(META.domainBlocks);
  else store.meta.set(META.domainBlocks, JSON.stringify(domains));
}

/** The streaming base URL: the configured override, else the advertised one, else the API's. */
export function streamingBase(config: Config, advertised: string | null): string {
  const chosen = config.apStreamingUrl ?? advertised ?? config.apApiUrl;
  return chosen.replace(/^http(s?):\/\//i, "ws$1://").replace(/\/+$/, "");
}

/** What start-up learnt, beside what it stored. */
export interface ServerSettings {
  readonly identity: BotIdentity;
  /** The streaming base URL to connect to. */
  readonly streamingUrl: string;
}

/**
 * Start-up's reads: checks the token's account, stores the limits and (when readable) the domain
 * blocks, and picks the streaming URL. A failure to read the domain blocks keeps the list read
 * last time. Throws on transport failures (the caller retries) and {@link FediStartupError}.
 */
export async function readServerSettings(
  api: FediApi,
  config: Config,
  store: Store,
  log: Logger,
): Promise<ServerSettings> {
  const identity = await verifyIdentity(api, config);
  const limits = await readServerLimits(api, config);
  storeLimits(store, limits);
  let blocks: string[] | null = null;
  try {
    blocks = await readDomainBlocks(api);
    storeDomainBlocks(store, blocks);
  } catch (e) {
    log.warning("Could not read the server's domain blocks: {error}", {
      error: errorText(e),
    });
  }
  logServerInfo(log, identity, limits, blocks);
  return { identity, streamingUrl: streamingBase(config, limits.streamingUrl) };
}

/** Logs what start-up found, without secrets. */
export function logServerInfo(
  log: Logger,
  identity: BotIdentity,
  limits: ServerLimits,
  blocks: readonly string[] | null,
): void {
  log.info("Signed in as {address} (account {id}, locked: {locked})", { ...identity });
  if (identity.locked) log.info("The account is locked: follows arrive as follow requests");
  log.info("Post limit {max} characters, {url} per URL (from {source})", {
    max: limits.maxCharacters,
    url: limits.charactersReservedPerUrl,
    source: limits.source,
  });
  if (blocks === null) log.info("The server's domain blocks are not available");
  else log.info("The server blocks {count} domain(s)", { count: blocks.length });
}
