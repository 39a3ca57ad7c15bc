/**
 * The end-to-end set-up of the benchmarks, on the e2e tests' world (tests/e2e/world.ts): the
 * Mastodon API test server, a real Prosody, `fediUsers` Fediverse users and `xmppUsers` XMPP users
 * (connected, in this process), and the bridge as a subprocess under its production permission
 * flags, both roles in one process.
 *
 * One database serves the whole session: the outbox's Idempotency-Keys derive from its row ids, and
 * the test server remembers keys for an hour, so a fresh file per run would see its first posts
 * taken for retries of the previous run's. Users are registered in the file before the bridge
 * starts, so no message goes through a registration. The configuration is the e2e one with
 * `log-level: info` (as deployed, not debug) and no per-user rate limit.
 */
import { FEDI, XMPP } from "../../src/core/types.ts";
import { type AccountType, openStore } from "../../src/store/mod.ts";
import type { MastodonTestServer } from "../mastodon/server.ts";
import type { TestAccount } from "../mastodon/test_api.ts";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { type BridgeProcess, FEDI_DOMAIN, PASSWORD, World, XMPP_DOMAIN } from "../e2e/world.ts";

export const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
export const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;
/** A request limit the benchmarks never reach (the trip times are not about rate limits). */
export const NO_RATE_LIMIT = 1_000_000_000;
const DEBUG_LEVEL = /^log-level: debug$/m;
/** The line the bridge logs once both bots are connected. */
export const READY_LINE = /running: fedi, xmpp/;

export interface BenchWorldOptions {
  readonly fediUsers: number;
  readonly xmppUsers: number;
}

/** A started bridge and how long it took to be ready. */
export interface RunningBridge {
  readonly process: BridgeProcess;
  readonly pid: number;
  /** From spawning the process to its "running: fedi, xmpp" line (ms). */
  readonly startupMs: number;
}

interface NewUser {
  readonly type: AccountType;
  readonly address: string;
  readonly accountId: string | null;
}

const name = (prefix: string, i: number) => `${prefix}${String(i + 1).padStart(2, "0")}`;

export class BenchWorld implements AsyncDisposable {
  #registered = 0;

  private constructor(
    readonly world: World,
    readonly fedi: readonly TestAccount[],
    readonly xmpp: readonly XmppUser[],
  ) {}

  static async start(opts: BenchWorldOptions): Promise<BenchWorld> {
    const fediNames = Array.from({ length: opts.fediUsers }, (_, i) => name("f", i));
    const xmppNames = Array.from({ length: opts.xmppUsers }, (_, i) => name("x", i));
    const world = await World.start({
      fediUsers: fediNames,
      xmppUsers: xmppNames,
      extraConfig: "max-user-rate: 0\n",
    });
    const users: XmppUser[] = [];
    try {
      const config = Deno.readTextFileSync(world.configPath);
      if (!DEBUG_LEVEL.test(config)) throw new Error("the e2e configuration no longer logs debug");
      Deno.writeTextFileSync(world.configPath, config.replace(DEBUG_LEVEL, "log-level: info"));
      world.mastodon.setRateLimit(NO_RATE_LIMIT);
      trustCaForNodeTls(world.prosody.caPem);
      for (const n of xmppNames) {
        users.push(XmppUser.of(world.prosody, n, PASSWORD, { timeoutMs: 120_000 }));
      }
      await Promise.all(users.map((u) => u.connect()));
      const fedi = fediNames.map((n) => world.fediUsers.get(n)!);
      const bench = new BenchWorld(world, fedi, users);
      bench.#register(
        fedi.map((a) => ({ type: FEDI, address: a.address, accountId: a.id })),
        users.map((u) => ({ type: XMPP, address: u.jid, accountId: null })),
      );
      return bench;
    } catch (e) {
      for (const u of users) await u.disconnect();
      await world[Symbol.asyncDispose]();
      throw e;
    }
  }

  get mastodon(): MastodonTestServer {
    return this.world.mastodon;
  }

  get fediBot(): TestAccount {
    return this.world.fediBot;
  }

  /** The bridge's database file. */
  get dbPath(): string {
    return `${this.world.dir}/data/bridge.db`;
  }

  /** Registered users so far (the bench users and any filler). */
  get registered(): number {
    return this.#registered;
  }

  /**
   * Registers made-up users until `total` are registered, half on each network, spread over
   * many domains. Only while no bridge runs.
   */
  fillUsers(total: number): void {
    const filler: NewUser[] = [];
    for (let i = 0; this.#registered + filler.length < total; i++) {
      const fedi = i % 2 === 0;
      filler.push({
        type: fedi ? FEDI : XMPP,
        address: `filler${i}@${fedi ? "social" : "chat"}${i % 97}.example`,
        accountId: fedi ? `${900_000 + i}` : null,
      });
    }
    this.#register(filler);
  }

  #register(...groups: readonly NewUser[][]): void {
    using store = openStore(this.dbPath);
    const at = Date.now();
    store.transaction(() => {
      for (const u of groups.flat()) {
        store.users.register({
          type: u.type,
          address: u.address,
          at,
          lang: "en",
          app: u.type === FEDI ? "Mastodon" : "XMPP",
          accountId: u.accountId,
        });
        this.#registered++;
      }
    });
  }

  /** Starts the bridge (both roles) and waits until it is ready and streaming. */
  async startBridge(): Promise<RunningBridge> {
    const started = performance.now();
    const process = this.world.startBridge(["fedi", "xmpp"]);
    try {
      await process.waitForLog(READY_LINE, 120_000);
    } catch (e) {
      await process.stop("SIGKILL");
      throw e;
    }
    const startupMs = performance.now() - started;
    await this.mastodon.waitForStream(this.fediBot);
    return { process, pid: process.child.pid, startupMs };
  }

  /** Stops the bridge with SIGTERM; throws, with its log, unless it exits cleanly. */
  async stopBridge(bridge: RunningBridge): Promise<void> {
    const status = await bridge.process.stop("SIGTERM");
    if (status.code !== 0) {
      throw new Error(
        `the bridge exited with ${status.code}:\n${bridge.process.log.slice(-40).join("\n")}`,
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const u of this.xmpp) await u.disconnect();
    await this.world[Symbol.asyncDispose]();
  }
}
