/**
 * The core's window on the Fediverse ({@link FediDirectory}) over the bot's server: account
 * lookups, recent statuses, and the software a user's server runs (nodeinfo).
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type {
  FediAccountInfo,
  FediDirectory,
  FediRelationship,
  FediStatusInfo,
} from "../core/ports.ts";
import type { FediApi } from "./api.ts";
import { FediApiError } from "./errors.ts";
import type { NodeInfoClient } from "./nodeinfo.ts";
import { accountAddress } from "./notification.ts";

export interface MastoDirectoryOptions {
  readonly api: FediApi;
  readonly config: Config;
  readonly nodeinfo: NodeInfoClient;
}

/** The base URL of a domain's server: our own API address for the bot's server. */
export function serverBaseUrl(config: Config, domain: string): string {
  return domain.toLowerCase() === config.apInstance ? config.apApiUrl : `https://${domain}`;
}

export class MastoDirectory implements FediDirectory {
  readonly #o: MastoDirectoryOptions;

  constructor(opts: MastoDirectoryOptions) {
    this.#o = opts;
  }

  async lookup(address: string): Promise<FediAccountInfo | null> {
    const { api, config } = this.#o;
    try {
      const a = await api.call(
        "account lookup",
        (m) => api.rest.v1.accounts.lookup.$raw({ acct: address }, m),
      );
      return {
        id: a.id,
        address: accountAddress(a.acct, config.apInstance),
        bot: a.bot === true,
        group: a.group === true,
        note: a.note ?? "",
        url: a.url || null,
      };
    } catch (e) {
      if (e instanceof FediApiError && e.status === 404) return null;
      throw e;
    }
  }

  async recentStatuses(accountId: string, limit: number): Promise<FediStatusInfo[]> {
    const { api } = this.#o;
    const n = Math.max(1, Math.min(40, Math.floor(limit)));
    const statuses = await api.call(
      "account statuses",
      () => api.rest.v1.accounts.$select(accountId).statuses.list.$raw({ limit: n }),
    );
    return statuses.slice(0, n).map((s) => ({
      createdAt: Date.parse(s.createdAt),
      language: s.language ?? null,
    })).filter((s) => Number.isFinite(s.createdAt));
  }

  appName(domain: string): Promise<string | null> {
    return this.#o.nodeinfo.appName(domain);
  }

  /** `GET /api/v1/accounts/relationships?id[]=…`: the bot's view of one account. */
  async relationship(accountId: string): Promise<FediRelationship | null> {
    const { api } = this.#o;
    const found = await api.call(
      "relationships",
      (m) => api.rest.v1.accounts.relationships.fetch.$raw({ id: [accountId] }, m),
    );
    const r = found.find((x) => x.id === accountId);
    if (r === undefined) return null;
    return { followedBy: r.followedBy === true, following: r.following === true };
  }
}
