/**
 * The one place where the bridge is put together. {@link composeCore} builds the core and its
 * outbox over a store and list files; {@link composeBridge} also opens the store and the lists
 * and builds the adapters of the selected roles with their outbox workers. src/app.ts runs what
 * composeBridge builds; the test rigs and benchmarks call composeCore with fakes in place of the
 * networks.
 *
 * @module
 */
import { type Config, type Role, stateWords } from "./config/mod.ts";
import { Core } from "./core/engine.ts";
import type { Clock, FediDirectory, FediLimits, NetworkAdapter } from "./core/ports.ts";
import { type Account, type Effect, type Inbound } from "./core/types.ts";
import { fediLimitsFromMeta } from "./fedi/meta_keys.ts";
import type { FediParts } from "./compose_fedi.ts";
import type { I18n } from "./i18n/mod.ts";
import { type Lists, openLists } from "./lists/mod.ts";
import { logger } from "./log.ts";
import { Outbox } from "./outbox/outbox.ts";
import { OutboxWorker } from "./outbox/worker.ts";
import { openStore, type Store } from "./store/mod.ts";
import { errorText } from "./text/errors.ts";
import { systemClock } from "./time/clock.ts";
import type { CoreDeps } from "./core/deps.ts";
import { languageOf } from "./core/deps.ts";

/** What the core is built from. */
export interface CoreParts {
  readonly config: Config;
  readonly store: Store;
  readonly lists: Lists;
  readonly i18n: I18n;
  readonly version: string;
  readonly now: () => number;
  /** The Fediverse directory port: the Mastodon API in production, a fake in tests. */
  readonly fedi: FediDirectory | null;
  /** The server's posting limits (default: as last read into the store by the Fediverse bot). */
  readonly fediLimits?: () => FediLimits;
  /**
   * Where the core's effects go (default: the outbox, which then also tells the core when a
   * delivery settled). Tests pass a stand-in that sends at once.
   */
  readonly emit?: (effects: readonly Effect[]) => void;
  /** Ids of the messages the bridge sends (default: unique per process). */
  readonly newMessageId?: () => string;
  /** Told when an event that waited in a lane failed (it stays unhandled, for a catch-up). */
  readonly onDeferredFailure?: (error: unknown, inbound: Inbound) => void;
}

/** The core, what it was built from, and its outbox. */
export interface ComposedCore {
  readonly deps: CoreDeps;
  readonly core: Core;
  readonly outbox: Outbox;
}

/** Builds the core and its outbox (nothing is started). */
export function composeCore(parts: CoreParts): ComposedCore {
  const { config, store, i18n, now } = parts;
  const outbox = new Outbox({ store, i18n, prefixes: config.prefixes, now });
  let messageIds = 0;
  const idPrefix = `xapb-${now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const deps: CoreDeps = {
    config,
    store,
    lists: parts.lists,
    i18n,
    now,
    fedi: parts.fedi,
    fediLimits: parts.fediLimits ?? (() => fediLimitsFromMeta(store, config)),
    ...(parts.emit ? { emit: parts.emit } : {
      emit: (effects: readonly Effect[]) => outbox.enqueue(effects),
      nextSettled: (ms: number) => outbox.nextSettled(ms),
    }),
    newMessageId: parts.newMessageId ?? (() => `${idPrefix}-${(++messageIds).toString(36)}`),
    version: parts.version,
  };
  const core = new Core(
    deps,
    parts.onDeferredFailure ? { onDeferredFailure: parts.onDeferredFailure } : {},
  );
  return { deps, core, outbox };
}

/** What {@link composeBridge} needs. */
export interface BridgeParts {
  readonly config: Config;
  readonly roles: readonly Role[];
  readonly i18n: I18n;
  readonly version: string;
  readonly clock?: Clock;
  /** How often an outbox worker looks for rows the other process wrote (ms). */
  readonly pollMs?: number;
}

/** One network as it runs: its adapter and the outbox worker that sends through it. */
export interface RunningNetwork {
  readonly adapter: NetworkAdapter;
  readonly worker: OutboxWorker;
}

/** Everything the bridge is made of; disposing `stack` takes it down in order. */
export interface ComposedBridge extends ComposedCore {
  readonly store: Store;
  readonly lists: Lists;
  readonly networks: readonly RunningNetwork[];
  /** Holds the parts: the workers are added by the caller when they start. */
  readonly stack: AsyncDisposableStack;
}

/**
 * Builds the store, the list files, the core and outbox, and for each selected role its adapter
 * and outbox worker; nothing is started. On an error, what was built is taken down again.
 */
export async function composeBridge(parts: BridgeParts): Promise<ComposedBridge> {
  const { config, i18n } = parts;
  const log = logger("app");
  const clock = parts.clock ?? systemClock;
  const now = () => clock.now();
  const stack = new AsyncDisposableStack();
  try {
    const store = stack.use(
      openStore(config.databaseFile, {
        onWarning: (message) => log.warn(message),
        onBackup: (backup, from) =>
          log.info("schema {from} copied to {backup} before migrating", { from, backup }),
      }),
    );
    const lists = openListsLogged(config, now);
    // Each role's adapter is loaded only when this process runs the role (the other network's
    // client library then stays out of memory).
    const fediRole = parts.roles.includes("fedi") ? await import("./compose_fedi.ts") : null;
    const xmppRole = parts.roles.includes("xmpp") ? await import("./compose_xmpp.ts") : null;
    const fedi = fediRole?.fediParts(config, clock, stack, slowedNotice(() => composed)) ?? null;
    const composed = composeCore({
      config,
      store,
      lists,
      i18n,
      now,
      version: parts.version,
      fedi: fedi?.directory ?? null,
      // The event stays unhandled (its dedupe key is not committed): a later catch-up brings it.
      onDeferredFailure: (error, inbound) =>
        log.error("a waiting {kind} event failed: {error}", {
          kind: inbound.kind,
          error: errorText(error),
        }),
    });
    // Disposed after the bots (the stack unwinds in reverse), before the store: what still
    // waits in a lane is dropped unhandled, for a later catch-up.
    stack.use(composed.core);
    const roles = { fedi: fediRole && fedi && { ...fediRole, parts: fedi }, xmpp: xmppRole };
    const networks = composeNetworks(parts, stack, { ...composed, store }, roles);
    return { ...composed, store, lists, networks, stack };
  } catch (e) {
    await stack.disposeAsync();
    throw e;
  }
}

/** Tells an account once that its share of the Fediverse rate limits ran out. */
function slowedNotice(composed: () => ComposedCore): (account: Account) => void {
  return (account) => {
    try {
      const { deps, outbox } = composed();
      outbox.enqueueAside({
        kind: "notice",
        to: account,
        text: deps.i18n.t(languageOf(deps, account), "flood.slowed"),
        inReplyTo: null,
      });
    } catch (e) {
      logger("app").error("cannot queue the slow-down notice: {error}", { error: e });
    }
  };
}

/** The list files, their warnings going to the log. */
function openListsLogged(config: Config, now: () => number): Lists {
  const log = logger("app");
  return openLists({
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
}

/** The adapter modules of the roles this process runs (see {@link composeBridge}). */
interface LoadedRoles {
  readonly fedi: (typeof import("./compose_fedi.ts") & { readonly parts: FediParts }) | null;
  readonly xmpp: typeof import("./compose_xmpp.ts") | null;
}

/** The adapter and outbox worker of each selected role; the adapters go on `stack`. */
function composeNetworks(
  parts: BridgeParts,
  stack: AsyncDisposableStack,
  composed: ComposedCore & { readonly store: Store },
  roles: LoadedRoles,
): RunningNetwork[] {
  const { config, i18n } = parts;
  const { core, deps, outbox, store } = composed;
  const log = logger("app");
  const networks: RunningNetwork[] = [];
  const worker = (adapter: NetworkAdapter, admit?: FediParts["share"]) =>
    new OutboxWorker({
      outbox,
      sender: adapter.sender,
      pollMs: parts.pollMs ?? 1000,
      ...(admit ? { admit: (row, effect) => admit.admit(row, effect) } : {}),
    });
  const { fedi, xmpp } = roles;
  if (fedi) {
    const adapter = stack.use(fedi.fediAdapter({
      config,
      store,
      core,
      api: fedi.parts.api,
      i18n,
      limits: deps.fediLimits,
      languageOf: (a) => languageOf(deps, a),
      clock: parts.clock ?? systemClock,
    }));
    networks.push({ adapter, worker: worker(adapter, fedi.parts.share) });
  }
  if (xmpp) {
    const adapter = stack.use(xmpp.xmppAdapter({
      config,
      core,
      log: logger("xmpp"),
      // The XEP-0198 session survives a restart: the next run resumes it.
      smStore: new xmpp.MetaSmStateStore(store.meta),
      onBounce: (messageId, _condition, from) => {
        if (!outbox.reportBounce(messageId, from)) {
          log.info("an error came back for message {id}, which is not a delivery", {
            id: messageId,
          });
        }
      },
      onReceipt: (messageId, from) => outbox.recordReceipt(messageId, from),
    }));
    networks.push({ adapter, worker: worker(adapter) });
  }
  return networks;
}
