/**
 * The software a Fediverse server runs, from its nodeinfo: `/.well-known/nodeinfo` lists the
 * documents, the 2.1 or 2.0 one gives `software.name`. This is the only request the bridge makes
 * to a server other than its own, so it is made only when the process's permissions allow a
 * connection to that host; otherwise nothing is sent and the answer is "unknown".
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { logger } from "../log.ts";
import type { Clock } from "../core/ports.ts";
import { errorText } from "../text/errors.ts";

const SCHEMAS = [
  "http://nodeinfo.diaspora.software/ns/schema/2.1",
  "http://nodeinfo.diaspora.software/ns/schema/2.0",
];
/** A sane software name: nodeinfo asks for `[a-z0-9-]`, allow a little more. */
const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;
const MAX_BYTES = 64 * 1024;

/** Whether this process may connect to `host` (`name` or `name:port`) without asking. */
export function netGranted(host: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "net", host }).state === "granted";
  } catch {
    return false;
  }
}

export interface NodeInfoOptions {
  readonly userAgent: string;
  readonly timers: Clock;
  /** The base URL of `domain`'s server (`https://domain`, or the API URL for our own). */
  readonly baseUrl: (domain: string) => string;
  /** Whether a connection to the host is allowed (default: Deno's permissions). */
  readonly allowed?: (host: string) => boolean;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** How long an answer is kept (default a day; failures an hour). */
  readonly cacheMs?: number;
  /** The most answers kept (default {@link NODEINFO_CACHE_MAX}). */
  readonly maxCached?: number;
  readonly log?: Logger;
}

/** How many servers' answers {@link NodeInfoClient} keeps at most. */
export const NODEINFO_CACHE_MAX = 1_000;

/** Reads and caches the software names of servers. */
export class NodeInfoClient {
  /** The most answers kept (the oldest go first). */
  readonly maxCached: number;
  readonly #o: NodeInfoOptions;
  readonly #fetch: typeof fetch;
  readonly #allowed: (host: string) => boolean;
  readonly #log: Logger;
  readonly #cache = new Map<string, { name: string | null; until: number }>();

  constructor(opts: NodeInfoOptions) {
    this.#o = opts;
    this.#fetch = opts.fetch ?? fetch;
    this.#allowed = opts.allowed ?? netGranted;
    this.#log = opts.log ?? logger("fedi", "nodeinfo");
    this.maxCached = opts.maxCached ?? NODEINFO_CACHE_MAX;
  }

  /** How many answers are kept now. */
  get cached(): number {
    return this.#cache.size;
  }

  /** The capitalised software name of `domain`'s server, or null (unknown or not allowed). */
  async appName(domain: string): Promise<string | null> {
    const key = domain.toLowerCase();
    const now = this.#o.timers.now();
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.name;
    let base: URL;
    try {
      base = new URL(this.#o.baseUrl(key));
    } catch {
      return null;
    }
    if (!this.#allowed(base.host)) return null;
    let name: string | null = null;
    try {
      name = await this.#lookup(base);
    } catch (e) {
      this.#log.debug("No nodeinfo for {domain}: {error}", {
        domain: key,
        error: errorText(e),
      });
    }
    const day = this.#o.cacheMs ?? 24 * 3600_000;
    this.#cache.delete(key);
    this.#cache.set(key, { name, until: now + (name === null ? Math.min(day, 3600_000) : day) });
    // Bounded: the servers of many users' domains do not pile up (the oldest answer goes).
    while (this.#cache.size > this.maxCached) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
    return name;
  }

  async #lookup(base: URL): Promise<string | null> {
    const index = await this.#getJson(new URL("/.well-known/nodeinfo", base));
    const links = (index as { links?: unknown } | null)?.links;
    if (!Array.isArray(links)) return null;
    let href: string | null = null;
    for (const schema of SCHEMAS) {
      const link = links.find((l) => (l as { rel?: unknown } | null)?.rel === schema) as
        | { href?: unknown }
        | undefined;
      if (typeof link?.href === "string") {
        href = link.href;
        break;
      }
    }
    if (href === null) return null;
    const url = new URL(href, base);
    if (!/^https?:$/.test(url.protocol) || !this.#allowed(url.host)) return null;
    const doc = await this.#getJson(url);
    const raw = (doc as { software?: { name?: unknown } } | null)?.software?.name;
    if (typeof raw !== "string") return null;
    const name = raw.trim();
    if (!NAME_RE.test(name)) return null;
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  async #getJson(start: URL): Promise<unknown> {
    let url = start;
    // Redirects are followed by hand: each new host needs its own permission.
    for (let hops = 0; hops < 4; hops++) {
      const res = await this.#fetch(url, {
        headers: { "User-Agent": this.#o.userAgent, "Accept": "application/json" },
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
        redirect: "manual",
      });
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.body?.cancel();
        url = new URL(location, url);
        if (!/^https?:$/.test(url.protocol) || !this.#allowed(url.host)) {
          throw new Error("redirected to a host we may not reach");
        }
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      const text = await res.text();
      if (text.length > MAX_BYTES) throw new Error("answer too large");
      return JSON.parse(text);
    }
    throw new Error("too many redirects");
  }
}
