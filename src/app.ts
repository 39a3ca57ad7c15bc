/**
 * The running bridge: has src/compose.ts build it, starts the adapters and the outbox workers,
 * runs the daily cleanup, and takes everything down again in order. main.ts owns the process
 * (flags, signals, exit codes); compose.ts builds the objects; this module runs them.
 */
import type { Config, Role } from "./config/mod.ts";
import type { I18n } from "./i18n/mod.ts";
import type { Lists } from "./lists/mod.ts";
import { logger } from "./log.ts";
import { composeBridge, type ComposedBridge } from "./compose.ts";
import { scheduleCleanup } from "./cleanup_run.ts";
import type { Outbox } from "./outbox/outbox.ts";
import type { Store } from "./store/mod.ts";
import { systemClock } from "./time/clock.ts";
import { loopbackListen } from "./config/mod.ts";
import { FEDI } from "./core/types.ts";
import { HealthBoard } from "./health/board.ts";
import { metricsText, serveMetrics } from "./health/metrics.ts";
import { type LeaseOptions, RoleLease, roleLockPath } from "./lease.ts";
import type { LeaseRow } from "./store/leases.ts";

/** What the bridge runs with. */
export interface BridgeOptions {
  readonly config: Config;
  readonly roles: readonly Role[];
  readonly i18n: I18n;
  readonly version: string;
  readonly now?: () => number;
  /** How often an outbox worker looks for rows the other process wrote (ms). */
  readonly pollMs?: number;
  /** The heartbeat's timer and timing (tests); the defaults of src/lease.ts otherwise. */
  readonly lease?: Pick<LeaseOptions, "timer" | "beatMs" | "missedBeats">;
  /** Told when another process took this one's role over: the process must stop. */
  readonly onLeaseLost?: (holder: LeaseRow | undefined) => void;
}

/** A started bridge; dispose it to stop. */
export interface Bridge extends AsyncDisposable {
  readonly store: Store;
  readonly lists: Lists;
  readonly outbox: Outbox;
  /** The sessions' states and the outbox figures the heartbeat reports. */
  readonly health: HealthBoard;
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
    const health = holdRoles(bridge, opts);
    for (const { adapter } of bridge.networks) {
      health.track(adapter.network === FEDI ? "fedi" : "xmpp", (set) => adapter.session(set));
    }
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
      health,
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

/**
 * One process per role: takes the roles' lease (RoleHeldError when another process holds one)
 * before anything connects, keeps its heartbeat with the health board's figures, and serves the
 * metrics when `metrics-listen` is set. Everything is released with the bridge's stack.
 */
function holdRoles(bridge: ComposedBridge, opts: BridgeOptions): HealthBoard {
  const { config, roles } = opts;
  const { stack, store } = bridge;
  const now = bridge.deps.now;
  const log = logger("app");
  const health = new HealthBoard(store, now);
  stack.defer(() => health.close());
  const lease = stack.use(RoleLease.acquire({
    store,
    roles,
    now,
    ...opts.lease,
    lockPath: (role) => roleLockPath(config.databaseFile, role),
    health: (role) => health.report(role),
    onLost: (holder) => opts.onLeaseLost?.(holder),
    onError: (e) => log.error("cannot write the heartbeat: {error}", { error: e }),
    onTakeover: (old) =>
      log.warn("took over the {role} role from pid {pid} on {host}, whose heartbeat stopped", {
        role: old.role,
        pid: old.pid,
        host: old.host,
      }),
  }));
  // A session that comes up or goes down is in the database at once, not at the next beat.
  health.onChange(() => lease.beat());
  const listen = config.metricsListen === null ? null : loopbackListen(config.metricsListen);
  if (listen !== null) {
    // Both roles' metrics come from the database: when the other process serves them already
    // (one configuration for two processes), this one leaves it at that.
    try {
      stack.use(serveMetrics(listen, () => metricsText(store, now(), lease.staleMs)));
      log.info("metrics at http://{listen}/metrics", { listen: config.metricsListen });
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse)) throw e;
      log.info("metrics: {listen} is in use (the other bot's process serves them)", {
        listen: config.metricsListen,
      });
    }
  }
  return health;
}
