/**
 * Builds a core with real parts (in-memory SQLite store, list files in a temporary folder, the
 * shipped English texts) and fakes only for the network ports, for the core's unit tests.
 */
import { loadConfig, stateWords } from "../../src/config/mod.ts";
import type { Config } from "../../src/config/mod.ts";
import { openLists } from "../../src/lists/mod.ts";
import { loadTranslations } from "../../src/i18n/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import type {
  FediAccountInfo,
  FediDirectory,
  FediRelationship,
  FediStatusInfo,
} from "../../src/core/ports.ts";
import type { Effect } from "../../src/core/types.ts";
import type { CoreDeps } from "../../src/core/deps.ts";

export const BASE_CONFIG = `
ap_instance: social.test
xmpp_instance: chat.test
ap_admin: [admin@social.test]
xmpp_admin: [admin@chat.test, second@chat.test]
ap_bridge_jid: bridge@chat.test
ap_bridge_pass: secret-pass
xmpp_bridge_name: bridge@social.test
xmpp_bridge_token: secret-token
bridge-database-file: ":memory:"
bridge-files-dir: files
min-ap-activity-posts: 2
help-url:
  en: https://help.test/en
ahelp-url:
  en: https://help.test/admin/en
`;

/**
 * Turns the flood control off (flood.ts): most tests answer one account many times at one
 * instant, which the default budgets would silence. {@link makeCore} appends it unless asked for
 * the flood control with `{ flood: true }`.
 */
export const FLOOD_OFF = `
max-commands-per-hour: 0
max-refusals-per-hour: 0
max-registration-attempts-per-day: 0
max-reports-per-day: 0
max-answers-to-outsiders-per-hour: 0
negative-lookup-cache-minutes: 0
`;

/** A Fediverse account the fake directory knows, with its recent statuses. */
export interface FakeAccount {
  info: FediAccountInfo;
  statuses: FediStatusInfo[];
  app?: string | null;
}

/** A FediDirectory over a map, recording what was asked. */
export class FakeFediDirectory implements FediDirectory {
  readonly accounts = new Map<string, FakeAccount>();
  readonly calls: string[] = [];
  /** When set, every call throws it (a server that cannot be reached). */
  failure: Error | null = null;

  /** Adds an active, ordinary account with `posts` statuses in the last days. */
  add(address: string, opts: Partial<FediAccountInfo> & {
    posts?: number;
    lang?: string | null;
    app?: string | null;
    now?: number;
  } = {}): FakeAccount {
    const now = opts.now ?? Date.UTC(2026, 10, 25, 12);
    const posts = opts.posts ?? 10;
    const account: FakeAccount = {
      info: {
        id: opts.id ?? String(1000 + this.accounts.size),
        address,
        bot: opts.bot ?? false,
        group: opts.group ?? false,
        note: opts.note ?? "<p>Hello</p>",
        url: opts.url ?? `https://${address.split("@")[1]}/@${address.split("@")[0]}`,
      },
      statuses: Array.from({ length: posts }, (_, i) => ({
        createdAt: now - (i + 1) * 3600_000,
        language: opts.lang === undefined ? "en" : opts.lang,
      })),
      app: opts.app === undefined ? "Mastodon" : opts.app,
    };
    this.accounts.set(address, account);
    return account;
  }

  lookup(address: string): Promise<FediAccountInfo | null> {
    this.calls.push(`lookup ${address}`);
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(this.accounts.get(address)?.info ?? null);
  }

  recentStatuses(accountId: string, limit: number): Promise<FediStatusInfo[]> {
    this.calls.push(`statuses ${accountId} ${limit}`);
    if (this.failure) return Promise.reject(this.failure);
    for (const a of this.accounts.values()) {
      if (a.info.id === accountId) return Promise.resolve(a.statuses.slice(0, limit));
    }
    return Promise.resolve([]);
  }

  /** Relationships by account id; an id not here has none known (null). */
  readonly relationships = new Map<string, FediRelationship>();

  relationship(accountId: string): Promise<FediRelationship | null> {
    this.calls.push(`relationship ${accountId}`);
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(this.relationships.get(accountId) ?? null);
  }

  appName(domain: string): Promise<string | null> {
    this.calls.push(`app ${domain}`);
    for (const a of this.accounts.values()) {
      if (a.info.address.endsWith(`@${domain}`)) return Promise.resolve(a.app ?? null);
    }
    return Promise.resolve(null);
  }
}

export interface TestCore {
  readonly deps: CoreDeps;
  readonly config: Config;
  readonly fedi: FakeFediDirectory;
  /** Every effect emitted so far, in order. */
  readonly emitted: Effect[];
  /** The clock: set `clock.now` to move time. */
  readonly clock: { now: number };
  readonly dir: string;
  [Symbol.dispose](): void;
}

/**
 * A core on a fresh store and files folder; `extraConfig` is appended to {@link BASE_CONFIG}.
 * The flood control is off unless `opts.flood` (then its defaults apply, or `extraConfig`'s).
 */
export function makeCore(extraConfig = "", opts: { readonly flood?: boolean } = {}): TestCore {
  const dir = Deno.makeTempDirSync({ prefix: "core-test-" });
  const config = loadConfig({
    path: `${dir}/config.yml`,
    env: {},
    roles: ["fedi", "xmpp"],
    readFile: () => BASE_CONFIG + (opts.flood ? "" : FLOOD_OFF) + extraConfig,
  });
  const store = openStore(":memory:");
  const clock = { now: Date.UTC(2026, 10, 25, 12) };
  const i18n = loadTranslations(config);
  const lists = openLists({
    dir: config.filesDir,
    words: stateWords(config),
    now: () => clock.now,
  });
  const fedi = new FakeFediDirectory();
  const emitted: Effect[] = [];
  let ids = 0;
  const deps: CoreDeps = {
    config,
    store,
    lists,
    i18n,
    now: () => clock.now,
    fedi,
    fediLimits: () => ({ maxCharacters: config.maxCharPerPost, charactersReservedPerUrl: 23 }),
    emit: (effects) => emitted.push(...effects),
    newMessageId: () => `bridge-msg-${++ids}`,
    version: "0.0.0-test",
  };
  return {
    deps,
    config,
    fedi,
    emitted,
    clock,
    dir,
    [Symbol.dispose]() {
      store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
