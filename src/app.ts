/**
 * The running bridge: builds the store, lists, core and outbox, then the roles this process runs
 * (each with its bot and its outbox worker), and takes them down again in order. main.ts owns
 * the process (flags, signals, exit codes); this module owns the objects.
 */
import { type Config, type Role, stateWords } from "./config.ts";
import type { I18n } from "./i18n.ts";
import { type Lists, openLists } from "./lists.ts";
import { logger } from "./log.ts";
import { runCleanup, scheduleDaily } from "./core/cleanup.ts";
import { type CoreDeps, languageOf } from "./core/context.ts";
import { Core } from "./core/engine.ts";
import type { FediDirectory } from "./core/ports.ts";
import { type AccountType, FEDI, XMPP } from "./core/types.ts";
import { Outbox } from "./outbox/outbox.ts";
import { OutboxWorker } from "./outbox/worker.ts";
import { openStore, type Store } from "./store/mod.ts";
import {
  domainBlocksFromMeta,
  FediApi,
  FediBot,
  fediLimitsFromMeta,
  FediSender,
  MastoDirectory,
  NodeInfoClient,
  serverBaseUrl,
  systemTimers,
} from "./fedi/mod.ts";
import { BudgetShare } from "./fedi/share.ts";
import { LONGEST_WINDOW_MS } from "./core/flood.ts";
import { XmppBot } from "./xmpp/bot.ts";
import { MetaSmStateStore } from "./xmpp/sm_state.ts";
import { type LeaseOptions, RoleLease, roleLockPath } from "./lease.ts";
import { fediWatch, HealthBoard, xmppWatch } from "./health/board.ts";
import { metricsText, serveMetrics } from "./health/metrics.ts";
import { loopbackListen } from "./config_reader.ts";
import type { LeaseRow } from "./store/leases.ts";

/** Inbound events older than this are forgotten by the dedupe table (a week). */
const DEDUPE_KEEP_MS = 7 * 24 * 60 * 60_000;
/** Closed outbox rows are kept this long for inspection (two days). */
const OUTBOX_KEEP_MS = 2 * 24 * 60 * 60_000;

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

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const { config, roles, i18n } = opts;
  const log = logger("app");
  const now = opts.now ?? Date.now;
  const stack = new AsyncDisposableStack();
  try {
    const store = stack.use(
      openStore(config.databaseFile, { onWarning: (message) => log.warn(message) }),
    );
    // One process per role: refuse (RoleHeldError) before connecting anywhere.
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
    const lists = openLists({
      dir: config.filesDir,
      words: stateWords(config),
      now,
      onWarning: (w) =>
        log.warn("{file}{line}: {message}", {
          file: w.file,
          line: w.line === undefined ? "" : `:${w.line}`,
          message: w.message,
        }),
    });
    const outbox = new Outbox({ store, i18n, prefixes: config.prefixes, now });

    let fediApi: FediApi | null = null;
    let directory: FediDirectory | null = null;
    // Each account's share of the Fediverse bot's rate limits; a slowed account is told once.
    const share = new BudgetShare({
      percent: config.maxShareOfServerBudget,
      now,
      onSlowed: (account) => {
        try {
          outbox.enqueueAside({
            kind: "notice",
            to: account,
            text: i18n.t(languageOf(deps, account), "flood.slowed"),
            inReplyTo: null,
          });
        } catch (e) {
          log.error("cannot queue the slow-down notice: {error}", { error: e });
        }
      },
    });
    if (roles.includes("fedi")) {
      fediApi = stack.use(
        new FediApi({
          config,
          timers: systemTimers,
          observe: (what, headers) => share.observe(what, headers),
        }),
      );
      const nodeinfo = new NodeInfoClient({
        userAgent: config.userAgent,
        timers: systemTimers,
        baseUrl: (domain) => serverBaseUrl(config, domain),
      });
      directory = new MastoDirectory({ api: fediApi, config, nodeinfo });
    }
    let messageIds = 0;
    const idPrefix = `xapb-${now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    const deps: CoreDeps = {
      config,
      store,
      lists,
      i18n,
      now,
      fedi: directory,
      fediLimits: () => fediLimitsFromMeta(store, config),
      emit: (effects) => outbox.enqueue(effects),
      nextSettled: (ms) => outbox.nextSettled(ms),
      newMessageId: () => `${idPrefix}-${(++messageIds).toString(36)}`,
      version: opts.version,
    };
    const core = new Core(deps, {
      // The event stays unhandled (its dedupe key is not committed): a later catch-up brings it.
      onDeferredFailure: (error, inbound) =>
        log.error("a waiting {kind} event failed: {error}", {
          kind: inbound.kind,
          error: error instanceof Error ? error.message : String(error),
        }),
    });
    // Disposed after the bots (the stack unwinds in reverse), before the store: what still
    // waits in a lane is dropped unhandled, for a later catch-up.
    stack.use(core);
    const networks: AccountType[] = [];
    const workers: OutboxWorker[] = [];
    const starts: Promise<void>[] = [];

    if (fediApi) {
      networks.push(FEDI);
      const sender = new FediSender({
        api: fediApi,
        config,
        i18n,
        limits: deps.fediLimits,
        languageOf: (a) => languageOf(deps, a),
      });
      const bot = new FediBot({ config, store, core, api: fediApi, timers: systemTimers });
      stack.use(bot);
      health.track("fedi", fediWatch(bot));
      const worker = new OutboxWorker({
        outbox,
        sender,
        pollMs: opts.pollMs ?? 1000,
        admit: (row, effect) => share.admit(row, effect),
      });
      workers.push(worker);
      // Back online: what waited out a backoff goes now.
      bot.addEventListener("reconnected", () => worker.retryNow());
      starts.push(bot.start());
    }
    if (roles.includes("xmpp")) {
      networks.push(XMPP);
      const bot = new XmppBot({
        config,
        core,
        log: logger("xmpp"),
        // The XEP-0198 session survives a restart: the next run resumes it.
        smStore: new MetaSmStateStore(store.meta),
        onBounce: (messageId, _condition, from) => {
          if (!outbox.reportBounce(messageId, from)) {
            log.info("an error came back for message {id}, which is not a delivery", {
              id: messageId,
            });
          }
        },
      });
      stack.use(bot);
      const worker = new OutboxWorker({ outbox, sender: bot.sender, pollMs: opts.pollMs ?? 1000 });
      workers.push(worker);
      const unsubscribe = bot.onEvent((event) => {
        if (event === "online" || event === "resumed") worker.retryNow();
      });
      stack.defer(unsubscribe);
      health.track("xmpp", xmppWatch(bot));
      starts.push(bot.start());
    }
    // A bot that cannot sign in for good (a refused token or password) makes this throw; one
    // whose server is down keeps trying, and its worker's sends wait for it.
    await Promise.all(starts);

    const cleanup = () => {
      const report = runCleanup(deps, {
        networks,
        serverDomainBlocks: domainBlocksFromMeta(store) ?? [],
      });
      store.inbound.pruneBefore(now() - DEDUPE_KEEP_MS);
      store.outbox.pruneClosed(now() - OUTBOX_KEEP_MS);
      store.flood.pruneBefore(now() - LONGEST_WINDOW_MS);
      log.info(
        "cleanup: {users} old account(s) and {records} old record(s) deleted, {unregistered} " +
          "account(s) unregistered",
        {
          users: report.purged.users,
          records: report.conversationsDeleted,
          unregistered: report.unregistered.length,
        },
      );
    };
    cleanup();
    stack.use(
      scheduleDaily(cleanup, (e) => log.error("daily cleanup failed: {error}", { error: e })),
    );

    // Workers stop first on disposal (the stack unwinds in reverse): the item in flight finishes,
    // then the bots close their sessions, then the store closes.
    for (const worker of workers) {
      worker.start();
      stack.use(worker);
    }
    log.info("running: {roles}", { roles: roles.join(", ") });
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
