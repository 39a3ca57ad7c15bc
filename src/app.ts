/**
 * The running bridge: has src/compose.ts build it, starts the adapters and the outbox workers,
 * runs the daily cleanup, and takes everything down again in order. main.ts owns the process
 * (flags, signals, exit codes); compose.ts builds the objects; this module runs them.
 */
import type { Config, Role } from "./config/mod.ts";
import type { I18n } from "./i18n/mod.ts";
import type { Lists } from "./lists/mod.ts";
import { logger } from "./log.ts";
import { composeBridge } from "./compose.ts";
import { scheduleCleanup } from "./cleanup_run.ts";
import type { Outbox } from "./outbox/outbox.ts";
import type { Store } from "./store/mod.ts";
import { systemClock } from "./time/clock.ts";

/** What the bridge runs with. */
export interface BridgeOptions {
  readonly config: Config;
  readonly roles: readonly Role[];
  readonly i18n: I18n;
  readonly version: string;
  readonly now?: () => number;
  /** How often an outbox worker looks for rows the other process wrote (ms). */
  readonly pollMs?: number;
}

/** A started bridge; dispose it to stop. */
export interface Bridge extends AsyncDisposable {
  readonly store: Store;
  readonly lists: Lists;
  readonly outbox: Outbox;
  /** Re-reads the domain lists and state files now (SIGHUP). */
  reload(): void;
}

/** Builds and starts the bridge for `opts.roles`; rejects when a bot cannot sign in for good. */
export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const log = logger("app");
  const bridge = await composeBridge({
    config: opts.config,
    roles: opts.roles,
    i18n: opts.i18n,
    version: opts.version,
    clock: opts.now ? { ...systemClock, now: opts.now } : systemClock,
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
  });
  const { stack, store, lists, outbox } = bridge;
  try {
    for (const { adapter, worker } of bridge.networks) {
      // Back online: what waited out a backoff goes now.
      stack.defer(adapter.reconnected(() => worker.retryNow()));
    }
    // A bot that cannot sign in for good (a refused token or password) makes this throw; one
    // whose server is down keeps trying, and its worker's sends wait for it.
    await Promise.all(bridge.networks.map(({ adapter }) => adapter.start()));
    // Workers stop first on disposal (the stack unwinds in reverse): the item in flight finishes,
    // then the bots close their sessions, then the store closes.
    for (const { worker } of bridge.networks) {
      worker.start();
      stack.use(worker);
    }
    log.info("running: {roles}", { roles: opts.roles.join(", ") });
    // The bots are live: the cleanup goes on beside them, in slices (cleanup_run.ts).
    scheduleCleanup(bridge);
    const moved = stack.move();
    return {
      store,
      lists,
      outbox,
      reload: () => {
        lists.isSending();
        lists.isOpen();
        lists.red();
        lists.green();
        log.info("domain lists and state files re-read");
      },
      [Symbol.asyncDispose]: () => moved.disposeAsync(),
    };
  } catch (e) {
    await stack.disposeAsync();
    throw e;
  }
}
