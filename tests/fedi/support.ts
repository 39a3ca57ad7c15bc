/**
 * A Fediverse bot wired as main.ts will wire it, against the Mastodon test server: a real core
 * (in-memory store, list files in a temporary folder, shipped texts), the real FediApi,
 * MastoDirectory and FediSender, and, in place of the outbox, an in-memory queue that sends every
 * emitted effect through the FediSender as soon as the core's transaction is over.
 */
import { type Config, loadConfig, stateWords } from "../../src/config/mod.ts";
import { composeCore } from "../../src/compose.ts";
import type { Core } from "../../src/core/engine.ts";
import type { Effect, Inbound } from "../../src/core/types.ts";
import { FediApi } from "../../src/fedi/api.ts";
import { FediBot, type FediBotOptions, type NotificationEventDetail } from "../../src/fedi/bot.ts";
import { MastoDirectory, serverBaseUrl } from "../../src/fedi/directory.ts";
import { fediLimitsFromMeta } from "../../src/fedi/meta_keys.ts";
import { NodeInfoClient } from "../../src/fedi/nodeinfo.ts";
import { FediSender } from "../../src/fedi/sender.ts";
import { systemClock } from "../../src/time/clock.ts";
import type { Clock } from "../../src/core/ports.ts";
import type { I18n } from "../../src/i18n/mod.ts";
import { type Lists, openLists } from "../../src/lists/mod.ts";
import { loadTranslations } from "../../src/i18n/mod.ts";
import type { SendResult } from "../../src/core/ports.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import { MastodonTestServer, type TestAccount } from "../mastodon/server.ts";
import type { CoreDeps } from "../../src/core/deps.ts";
import { languageOf } from "../../src/core/deps.ts";

export const DOMAIN = "fedi.test";
export const BOT_ADDRESS = `bridge@${DOMAIN}`;

/** One effect sent through the FediSender. */
export interface SentEffect {
  readonly effect: Effect;
  readonly key: string;
  readonly result: SendResult;
}

/** Stands in for the outbox: sends what the core emits, one at a time, in order. */
export class EffectQueue {
  readonly sent: SentEffect[] = [];
  readonly #pending: Effect[] = [];
  #seq = 0;
  #running: Promise<void> | null = null;
  #sender: FediSender | null = null;
  #store: Store | null = null;
  #listeners: (() => void)[] = [];

  attach(sender: FediSender, store: Store): void {
    this.#sender = sender;
    this.#store = store;
  }

  /** For `CoreDeps.emit`: called inside the core's transaction, so sending starts after it. */
  emit = (effects: readonly Effect[]): void => {
    this.#pending.push(...effects);
    queueMicrotask(() => this.#kick());
  };

  #kick(): void {
    if (this.#running !== null) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      if (this.#pending.length > 0) this.#kick();
      else for (const l of this.#listeners.splice(0)) l();
    });
  }

  async #drain(): Promise<void> {
    for (let effect = this.#pending.shift(); effect; effect = this.#pending.shift()) {
      const key = `fx-${++this.#seq}`;
      const result = await this.#sender!.send(effect, key);
      if (result.ok && effect.kind === "deliver" && result.postedId !== null) {
        for (const id of effect.records) {
          this.#store!.conversations.setPostedId(id, result.postedId);
        }
      }
      this.sent.push({ effect, key, result });
    }
  }

  /** Resolves once everything emitted so far has been sent. */
  settled(): Promise<void> {
    if (this.#running === null && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#listeners.push(resolve));
  }
}

/** The core with a record of every event handed to it. */
export class CoreSpy {
  readonly calls: { inbound: Inbound; key: string | null }[] = [];
  /** When set, handling throws this many more times (a failing store, say). */
  failNext = 0;
  /** Dedupe keys whose handling throws once each. */
  readonly failOnce = new Set<string>();

  constructor(readonly core: Core) {}

  handle(inbound: Inbound, key: string | null): Promise<boolean> {
    this.calls.push({ inbound, key });
    if (this.failNext > 0 || (key !== null && this.failOnce.delete(key))) {
      if (this.failNext > 0) this.failNext--;
      return Promise.reject(new Error("the store is busy"));
    }
    return this.core.handle(inbound, key);
  }

  /** How many times each dedupe key was handed over. */
  countsByKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.calls) counts.set(c.key ?? "", (counts.get(c.key ?? "") ?? 0) + 1);
    return counts;
  }
}

export interface HarnessOptions {
  /** The bot account is locked (follows arrive as follow requests). */
  readonly locked?: boolean;
  /** YAML lines appended to the configuration. */
  readonly extraConfig?: string;
  readonly stallTimeoutMs?: number;
  /** Notifications per catch-up page. */
  readonly pageSize?: number;
  /** `fetch` used for nodeinfo (to count requests). */
  readonly nodeinfoFetch?: typeof fetch;
  /** The bot's clock and timers (default the system's; the REST side always uses those). */
  readonly timers?: Clock;
  /** More options of the bot (reconciliation, overlap...). */
  readonly bot?: Partial<FediBotOptions>;
  /** The test server's clock (timestamps of what it creates); default the system's. */
  readonly serverNow?: () => number;
}

export interface Harness extends AsyncDisposable {
  readonly server: MastodonTestServer;
  readonly botAccount: TestAccount;
  readonly config: Config;
  readonly store: Store;
  readonly lists: Lists;
  readonly i18n: I18n;
  readonly deps: CoreDeps;
  readonly api: FediApi;
  readonly directory: MastoDirectory;
  readonly sender: FediSender;
  readonly spy: CoreSpy;
  readonly queue: EffectQueue;
  readonly bot: FediBot;
}

/** Starts a test server and builds the bot (not started: call `bot.start()`). */
export async function makeHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const server = await MastodonTestServer.start({
    domain: DOMAIN,
    ...(opts.serverNow ? { now: opts.serverNow } : {}),
  });
  const botAccount = server.createAccount({
    username: "bridge",
    bot: true,
    locked: opts.locked ?? false,
  });
  const dir = Deno.makeTempDirSync({ prefix: "fedi-test-" });
  const yaml = `
ap_instance: ${DOMAIN}
xmpp_instance: chat.test
ap_admin: [admin@${DOMAIN}]
xmpp_admin: [admin@chat.test]
ap_bridge_jid: bridge@chat.test
xmpp_bridge_name: ${BOT_ADDRESS}
xmpp_bridge_token: ${botAccount.token}
bridge-database-file: ":memory:"
bridge-files-dir: ${dir}/files
ap-api-url: ${server.url}
min-ap-activity-posts: 0
user-agent: bridge-test/1.0
${opts.extraConfig ?? ""}`;
  const config = loadConfig({
    path: `${dir}/config.yml`,
    env: {},
    roles: ["fedi"],
    readFile: () => yaml,
  });
  const store = openStore(":memory:");
  const i18n = loadTranslations(config);
  const lists = openLists({
    dir: config.filesDir,
    words: stateWords(config),
  });
  const api = new FediApi({ config, timers: systemClock, requestTimeoutMs: 5000 });
  const nodeinfo = new NodeInfoClient({
    userAgent: config.userAgent,
    timers: systemClock,
    baseUrl: (domain) => serverBaseUrl(config, domain),
    ...(opts.nodeinfoFetch ? { fetch: opts.nodeinfoFetch } : {}),
  });
  const directory = new MastoDirectory({ api, config, nodeinfo });
  const queue = new EffectQueue();
  let ids = 0;
  const { deps, core } = composeCore({
    config,
    store,
    lists,
    i18n,
    now: () => Date.now(),
    fedi: directory,
    emit: queue.emit,
    newMessageId: () => `bridge-msg-${++ids}`,
    version: "0.0.0-test",
  });
  const sender = new FediSender({
    api,
    config,
    i18n,
    limits: () => fediLimitsFromMeta(store, config),
    languageOf: (account) => languageOf(deps, account),
  });
  queue.attach(sender, store);
  const spy = new CoreSpy(core);
  const bot = new FediBot({
    config,
    store,
    core: spy,
    api,
    timers: opts.timers ?? systemClock,
    stallTimeoutMs: opts.stallTimeoutMs ?? 60_000,
    reconnectBaseMs: 50,
    reconnectMaxMs: 400,
    retryFailedMs: 100,
    connectTimeoutMs: 3000,
    pageSize: opts.pageSize ?? 40,
    ...opts.bot,
  });
  return {
    server,
    botAccount,
    config,
    store,
    lists,
    i18n,
    deps,
    api,
    directory,
    sender,
    spy,
    queue,
    bot,
    async [Symbol.asyncDispose]() {
      await bot[Symbol.asyncDispose]();
      await queue.settled();
      api[Symbol.dispose]();
      store.close();
      await server.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/**
 * Resolves on the next `type` event of `target` for which `accept` holds. Rejects after
 * `timeoutMs` (a safety net, so that a broken test fails instead of hanging).
 */
export function nextEvent<E extends Event = Event>(
  target: EventTarget,
  type: string,
  accept: (e: E) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const listener = (e: Event) => {
      if (!accept(e as E)) return;
      done();
      resolve(e as E);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no "${type}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      target.removeEventListener(type, listener);
    };
    target.addEventListener(type, listener);
  });
}

/** Resolves once the bot dealt with notifications until `accept` says enough. */
export function notificationsUntil(
  bot: FediBot,
  accept: (seen: NotificationEventDetail[]) => boolean,
  timeoutMs = 10_000,
): Promise<NotificationEventDetail[]> {
  const seen: NotificationEventDetail[] = [];
  return nextEvent<CustomEvent<NotificationEventDetail>>(bot, "notification", (e) => {
    seen.push(e.detail);
    return accept(seen);
  }, timeoutMs).then(() => seen);
}
