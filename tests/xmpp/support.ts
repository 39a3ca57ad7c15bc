/**
 * A bridge for the XMPP integration tests: a real core (in-memory store, list files in a
 * temporary folder, shipped texts, a fake Fediverse directory), the XMPP bot connected to a test
 * Prosody with certificate verification on, and an in-memory stand-in for the outbox that drains
 * the core's XMPP effects through the bot's sender (retrying transient failures once the bot is
 * back online). Effects for the Fediverse are only collected.
 *
 * @module
 */
import { type Config, loadConfig, stateWords } from "../../src/config/mod.ts";
import { composeCore } from "../../src/compose.ts";
import type { Core } from "../../src/core/engine.ts";
import { FakeFediDirectory } from "../support/core.ts";
import { type Effect, FEDI, type Inbound, XMPP } from "../../src/core/types.ts";
import { openLists } from "../../src/lists/mod.ts";
import { loadTranslations } from "../../src/i18n/mod.ts";
import { logger, setupLogging } from "../../src/log.ts";
import type { NetworkSender, SendResult } from "../../src/core/ports.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import { XmppBot } from "../../src/xmpp/bot.ts";
import type { SessionEvent } from "../../src/xmpp/session.ts";
import type { XmppTuning } from "../../src/xmpp/tuning.ts";
import { EventQueue } from "../prosody/event_queue.ts";
import { type ProsodyServer, startProsody, type TestAccount } from "../prosody/harness.ts";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";

export const BOT: TestAccount = { user: "bot", password: "bot-pw" };
export const ALICE: TestAccount = { user: "alice", password: "alice-pw" };
export const BOB: TestAccount = { user: "bob", password: "bob-pw" };
export const MALLORY: TestAccount = { user: "mallory", password: "mallory-pw" };

/** Timings short enough for tests (reconnection within a second or two). */
export const FAST_TUNING: Partial<XmppTuning> = {
  backoff: { minMs: 100, maxMs: 1_000 },
  stepTimeoutMs: 5_000,
  sessionTimeoutMs: 15_000,
  requestTimeoutMs: 5_000,
  ackTimeoutMs: 30_000,
  ackRequestDelayMs: 10,
};

// XMPP_TEST_LOG=debug (or info) shows the bot's log on stderr while debugging a test.
const TEST_LOG = Deno.env.get("XMPP_TEST_LOG");
if (TEST_LOG === "debug" || TEST_LOG === "info") {
  await setupLogging({ level: TEST_LOG, file: null });
}

/** A test Prosody with the usual accounts, whose CA the test users trust. */
export async function startServer(
  options: Parameters<typeof startProsody>[0] = {},
): Promise<ProsodyServer> {
  const server = await startProsody({ users: [BOT, ALICE, BOB, MALLORY], ...options });
  trustCaForNodeTls(server.caPem);
  return server;
}

function configText(server: ProsodyServer, extra: string): string {
  return `
ap_instance: social.test
xmpp_instance: ${server.domain}
ap_admin: [admin@social.test]
xmpp_admin: [admin@${server.domain}]
ap_bridge_jid: ${BOT.user}@${server.domain}
ap_bridge_pass: ${BOT.password}
xmpp_bridge_name: bridge@social.test
xmpp_bridge_token: test-token
bridge-database-file: ":memory:"
bridge-files-dir: files
xmpp-host: ${server.host}
xmpp-port: ${server.port}
xmpp-tls-ca-file: ${server.caFile}
${extra}`;
}

/** One outbox row of the stand-in outbox. */
export interface Sent {
  readonly key: string;
  readonly effect: Effect;
  readonly result: SendResult;
}

/**
 * The stand-in outbox: effects in, sent in order through the XMPP sender by `concurrency`
 * workers. A transient failure is retried under the same key once the bot is online again.
 */
export class EffectPump {
  /** Every finished send (ok or permanent failure), in order of completion. */
  readonly sent: EventQueue<Sent> = new EventQueue("sent effects");
  /** Effects for the Fediverse (collected, never sent). */
  readonly fedi: EventQueue<Effect> = new EventQueue("Fediverse effects");
  /** Keys being sent right now. */
  readonly inFlight: Set<string> = new Set();
  /** Transient failures seen (each was retried), with their reasons. */
  readonly failures: { readonly key: string; readonly reason: string }[] = [];
  /** Called with the key just before each attempt (tests hook in here). */
  onAttempt: (key: string, attempt: number) => void = () => {};
  readonly #queue: { key: string; effect: Effect }[] = [];
  readonly #wakers: (() => void)[] = [];
  readonly #workers: Promise<void>[] = [];
  #next = 0;
  #stopped = false;

  constructor(readonly sender: NetworkSender, readonly bot: XmppBot) {}

  /** Queues effects (what the core's `emit` does inside its transaction). */
  push(effects: readonly Effect[]): void {
    for (const effect of effects) {
      const isXmpp = effect.kind === "deliver"
        ? effect.to.every((a) => a.network === XMPP)
        : effect.to.network === XMPP;
      if (!isXmpp) {
        this.fedi.push(effect);
        continue;
      }
      this.#queue.push({ key: `fx-${++this.#next}`, effect });
      this.#wakers.shift()?.();
    }
  }

  start(concurrency = 1): void {
    for (let i = 0; i < concurrency; i++) this.#workers.push(this.#work());
  }

  /** Stops taking work; resolves when the workers are done (stop the bot too, or sends hang). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#wakers.splice(0)) wake();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      const item = this.#queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => this.#wakers.push(resolve));
        continue;
      }
      this.inFlight.add(item.key);
      try {
        await this.#deliver(item.key, item.effect);
      } finally {
        this.inFlight.delete(item.key);
      }
    }
  }

  async #deliver(key: string, effect: Effect): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      this.onAttempt(key, attempt);
      const result = await this.sender.send(effect, key);
      if (result.ok || result.permanent) {
        this.sent.push({ key, effect, result });
        return;
      }
      this.failures.push({ key, reason: result.reason });
      if (this.bot.ready) {
        // The bot has not noticed the loss yet (or the server was just slow): let it run.
        await new Promise((resolve) => setTimeout(resolve, 0));
      } else {
        const back = await this.bot.whenReady().then(() => true, () => false);
        if (!back) return; // the bot stopped
      }
    }
  }
}

/** What the core was handed, as the bot passed it. */
export interface Handled {
  readonly inbound: Inbound;
  readonly key: string | null;
  /** false when the core skipped it as a duplicate. */
  readonly fresh: boolean;
}

/** Options of {@link TestBridge.start}. */
export interface BridgeOptions {
  /** YAML lines added to the configuration. */
  readonly extraConfig?: string;
  readonly tuning?: Partial<XmppTuning>;
  /** Workers of the stand-in outbox. */
  readonly concurrency?: number;
}

/** The core, the bot and the stand-in outbox, wired as main.ts will. */
export class TestBridge implements AsyncDisposable {
  readonly handled: EventQueue<Handled> = new EventQueue("events handled by the core");
  readonly bounces: EventQueue<{ messageId: string; condition: string; from: string }> =
    new EventQueue("bounces");
  readonly events: EventQueue<SessionEvent> = new EventQueue("bot session events");
  readonly fediDirectory: FakeFediDirectory = new FakeFediDirectory();
  readonly clock: { now: number } = { now: Date.UTC(2026, 10, 25, 12) };
  readonly store: Store;
  readonly config: Config;
  readonly core: Core;
  readonly bot: XmppBot;
  readonly pump: EffectPump;
  readonly #dir: string;

  private constructor(server: ProsodyServer, options: BridgeOptions) {
    this.#dir = Deno.makeTempDirSync({ prefix: "xmpp-bridge-test-" });
    const text = configText(server, options.extraConfig ?? "");
    this.config = loadConfig({
      path: `${this.#dir}/config.yml`,
      env: {},
      roles: ["fedi", "xmpp"],
      readFile: () => text,
    });
    this.store = openStore(":memory:");
    const config = this.config;
    const i18n = loadTranslations(config);
    const lists = openLists({
      dir: config.filesDir,
      words: stateWords(config),
      now: () => this.clock.now,
    });
    let ids = 0;
    this.core = composeCore({
      config,
      store: this.store,
      lists,
      i18n,
      now: () => this.clock.now,
      fedi: this.fediDirectory,
      fediLimits: () => ({ maxCharacters: config.maxCharPerPost, charactersReservedPerUrl: 23 }),
      emit: (effects) => this.pump.push(effects),
      newMessageId: () => `bridge-msg-${++ids}-${crypto.randomUUID().slice(0, 8)}`,
      version: "0.0.0-test",
    }).core;
    const core = this.core;
    const handled = this.handled;
    this.bot = new XmppBot({
      config,
      core: {
        async handle(inbound: Inbound, key: string | null): Promise<boolean> {
          const fresh = await core.handle(inbound, key);
          handled.push({ inbound, key, fresh });
          return fresh;
        },
      },
      log: logger("xmpp", "test"),
      tuning: { ...FAST_TUNING, ...options.tuning },
      onBounce: (messageId, condition, from) => this.bounces.push({ messageId, condition, from }),
    });
    this.bot.onEvent((event) => this.events.push(event));
    this.pump = new EffectPump(this.bot.sender, this.bot);
    this.pump.start(options.concurrency ?? 1);
  }

  /** Builds the bridge and waits until the bot is online. */
  static async start(server: ProsodyServer, options: BridgeOptions = {}): Promise<TestBridge> {
    const bridge = new TestBridge(server, options);
    try {
      await bridge.bot.start();
      // Tests wait for later session events: take the first one out of the way.
      await bridge.events.next((e) => e === "online", 1_000, "the first session");
    } catch (error) {
      await bridge[Symbol.asyncDispose]();
      throw error;
    }
    return bridge;
  }

  /** A Fediverse user the fake directory knows (active, ordinary). */
  fediUser(address: string): { network: typeof FEDI; address: string } {
    this.fediDirectory.add(address, { now: this.clock.now });
    return { network: FEDI, address };
  }

  /** A Fediverse status to the core, as the Fediverse adapter would hand it in. */
  fromFedi(
    address: string,
    id: string,
    text: string,
    more: Partial<Extract<Inbound, { kind: "message" }>> = {},
  ): Promise<boolean> {
    return this.core.handle({
      kind: "message",
      from: { network: FEDI, address },
      id,
      text,
      inReplyTo: null,
      lang: "en",
      extras: null,
      ...more,
    }, `fedi:${id}`);
  }

  /** The next XMPP effect that finished sending and matches `filter`. */
  nextSent(filter: (s: Sent) => boolean, timeoutMs = 10_000): Promise<Sent> {
    return this.pump.sent.next(filter, timeoutMs, "matching sent effect");
  }

  /** The next event the core handled that matches `filter`. */
  nextHandled(filter: (h: Handled) => boolean, timeoutMs = 10_000): Promise<Handled> {
    return this.handled.next(filter, timeoutMs, "matching handled event");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const pumpDone = this.pump.stop();
    await this.bot[Symbol.asyncDispose]();
    await pumpDone;
    this.store.close();
    await Deno.remove(this.#dir, { recursive: true });
  }
}
