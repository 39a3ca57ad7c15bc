/**
 * Retention and list enforcement (SPEC §8), run at start and then once a day: forget accounts
 * that left long ago, delete old conversation records, and unregister the users that the lists,
 * the bridge-wide blocks or the bot's own server no longer admit.
 */
import type { PurgeCounts } from "../store/mod.ts";
import { botAccounts, botDomains, type CoreDeps, domainOf } from "./deps.ts";
import { Turn } from "./context.ts";
import { revokeUser } from "./registration.ts";
import type { AccountType } from "./types.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export type UnregisterReason = "red" | "not-green" | "server-block" | "bridge-block";

export interface CleanupReport {
  readonly purged: PurgeCounts;
  readonly conversationsDeleted: number;
  readonly unregistered: readonly {
    address: string;
    type: AccountType;
    reason: UnregisterReason;
  }[];
}

export interface CleanupOptions {
  /** The networks whose users this process unregisters: the roles it runs. */
  readonly networks: readonly AccountType[];
  /** Domains the bot's Mastodon server blocks (`/api/v1/instance/domain_blocks`), if readable. */
  readonly serverDomainBlocks?: readonly string[];
}

/** Runs every cleanup step once. Retention values of 0 keep data forever. */
export function runCleanup(deps: CoreDeps, opts: CleanupOptions): CleanupReport {
  const { config, store, lists } = deps;
  const now = deps.now();
  const purged = config.maxRetentionDaysRevokedUser > 0
    ? store.cleanup.purgeRevokedUsers(now - config.maxRetentionDaysRevokedUser * DAY_MS)
    : { users: 0, blocks: 0, conversations: 0 };
  const conversationsDeleted = config.commMaxLimitDays > 0
    ? store.cleanup.purgeConversations(now - config.commMaxLimitDays * DAY_MS)
    : 0;

  const exempt = botDomains(config);
  const serverBlocks = new Set((opts.serverDomainBlocks ?? []).map((d) => d.toLowerCase()));
  const reasonFor = (type: AccountType, address: string): UnregisterReason | null => {
    if (store.bridgeBlocks.has(type, address)) return "bridge-block";
    const domain = domainOf(address);
    if (exempt.has(domain)) return null;
    if (lists.isRed(domain)) return "red";
    if (config.greenlistMode && !lists.isGreen(domain)) return "not-green";
    if (serverBlocks.has(domain)) return "server-block";
    return null;
  };

  const unregistered: { address: string; type: AccountType; reason: UnregisterReason }[] = [];
  const bot = botAccounts(config);
  for (const type of opts.networks) {
    // Found outside the write transaction (reading never holds the other process up); only
    // those to unregister are written, and they are still active users when that happens.
    const found = store.users.listActiveOfType(type).flatMap((user) => {
      const reason = reasonFor(type, user.address);
      return reason === null ? [] : [{ address: user.address, reason }];
    });
    if (found.length === 0) continue;
    const turn = new Turn(deps, type === bot.fedi.network ? bot.fedi : bot.xmpp, null);
    turn.commit(() => {
      for (const { address, reason } of found) {
        if (!revokeUser(turn, { network: type, address }, null)) continue;
        unregistered.push({ address, type, reason });
      }
    });
  }
  return { purged, conversationsDeleted, unregistered };
}

/** Timer functions, injectable so tests drive the schedule without waiting. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: never): void;
}

/**
 * Calls `run` once a day until disposed. The first run is the caller's (at start); errors are
 * handed to `onError` so a failed day never stops the next one.
 */
export function scheduleDaily(
  run: () => void,
  onError: (e: unknown) => void,
  timers: Timers = globalThis,
): Disposable {
  const id = timers.setInterval(() => {
    try {
      run();
    } catch (e) {
      onError(e);
    }
  }, DAY_MS);
  return { [Symbol.dispose]: () => timers.clearInterval(id as never) };
}
