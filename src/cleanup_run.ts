/**
 * The cleanup as the running bridge does it: once after the bots are live, then daily. The bulk
 * of it after a pause is deleting expired conversation records, which goes in slices, each its
 * own short write transaction, with a turn of the event loop between them: the bots keep
 * answering, and the other process sharing the file never waits long for the write lock. The
 * size of a slice follows the time the last one took (aiming at {@link SLICE_TARGET_MS}), so it
 * fits the machine and the file instead of a fixed guess.
 *
 * @module
 */
import { RECEIPT_WINDOW_MS } from "./core/receipts.ts";
import { logger } from "./log.ts";
import type { ComposedBridge } from "./compose.ts";
import { runCleanup, scheduleDaily } from "./core/cleanup.ts";
import { LONGEST_WINDOW_MS } from "./core/flood.ts";
import { domainBlocksFromMeta } from "./fedi/meta_keys.ts";
import type { Store } from "./store/mod.ts";

/** Inbound events older than this are forgotten by the dedupe table (a week). */
export const DEDUPE_KEEP_MS = 7 * 24 * 60 * 60_000;
/** Closed outbox rows are kept this long for inspection (two days). */
export const OUTBOX_KEEP_MS = 2 * 24 * 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/**
 * How long one slice should hold the write lock (ms): well under the 50 ms the other process
 * may wait. On the 2-core test machine under load a slice of 1,000 records took 10-30 ms and its
 * time grows with its size, so slices settle between about 1,000 and 5,000 records.
 */
export const SLICE_TARGET_MS = 20;
/** The first slice, before any was measured. */
export const FIRST_SLICE_ROWS = 1_000;
/** Bounds of a slice. */
export const MIN_SLICE_ROWS = 100;
export const MAX_SLICE_ROWS = 20_000;
/** A passive checkpoint after this many deleted records (keeps the WAL file small). */
export const CHECKPOINT_ROWS = 20_000;

/** What a sliced purge did. */
export interface SlicedPurge {
  readonly deleted: number;
  readonly slices: number;
  /** The longest slice (ms): the longest the write lock was held. */
  readonly longestMs: number;
}

/** How a sliced purge runs; tests replace the measuring and the yielding. */
export interface SliceOptions {
  /** Stops between slices when aborted. */
  readonly signal?: AbortSignal;
  /** A monotonic time in ms (default `performance.now`). */
  readonly measure?: () => number;
  /** Lets the event loop run between slices (default: a zero timeout). */
  readonly yieldNow?: () => Promise<void>;
  readonly targetMs?: number;
}

/** The next slice's size from the last one's: scaled towards the target time, within bounds. */
export function nextSliceRows(rows: number, tookMs: number, targetMs = SLICE_TARGET_MS): number {
  const scaled = Math.round(rows * targetMs / Math.max(tookMs, 0.5));
  // Never more than doubling at once: one fast slice is no proof that the next one will be.
  return Math.max(MIN_SLICE_ROWS, Math.min(MAX_SLICE_ROWS, rows * 2, scaled));
}

/**
 * Deletes the conversation records older than `before` in slices (see the module comment), with
 * the store's purge settings (a larger page cache) for the run.
 */
export async function purgeConversationsInSlices(
  store: Store,
  before: number,
  opts: SliceOptions = {},
): Promise<SlicedPurge> {
  const measure = opts.measure ?? (() => performance.now());
  const yieldNow = opts.yieldNow ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  let rows = FIRST_SLICE_ROWS;
  let deleted = 0;
  let slices = 0;
  let longestMs = 0;
  let sinceCheckpoint = 0;
  using settings = store.purgeSettings();
  while (!opts.signal?.aborted) {
    const start = measure();
    const n = store.conversations.deleteSomeBefore(before, rows);
    const took = measure() - start;
    slices++;
    deleted += n;
    longestMs = Math.max(longestMs, took);
    if (n < rows) break;
    sinceCheckpoint += n;
    if (sinceCheckpoint >= CHECKPOINT_ROWS) {
      settings.checkpoint();
      sinceCheckpoint = 0;
    }
    rows = nextSliceRows(rows, took, opts.targetMs);
    await yieldNow();
  }
  return { deleted, slices, longestMs };
}

/** Every cleanup step; the expired records first, in slices. */
export async function cleanupOnce(bridge: ComposedBridge, signal?: AbortSignal): Promise<void> {
  const { deps, store } = bridge;
  const { config } = deps;
  const log = logger("app");
  const started = performance.now();
  const sliced = config.commMaxLimitDays > 0
    ? await purgeConversationsInSlices(store, deps.now() - config.commMaxLimitDays * DAY_MS, {
      ...(signal === undefined ? {} : { signal }),
    })
    : { deleted: 0, slices: 0, longestMs: 0 };
  if (signal?.aborted) return;
  const report = runCleanup(deps, {
    networks: bridge.networks.map(({ adapter }) => adapter.network),
    serverDomainBlocks: domainBlocksFromMeta(store) ?? [],
  });
  prune(store, deps.now());
  log.info(
    "cleanup: {users} old account(s) and {records} old record(s) deleted, {unregistered} " +
      "account(s) unregistered ({seconds} s; longest write {longest} ms)",
    {
      users: report.purged.users,
      records: report.conversationsDeleted + sliced.deleted,
      unregistered: report.unregistered.length,
      seconds: Math.round(performance.now() - started) / 1000,
      longest: Math.round(sliced.longestMs),
    },
  );
}

/** Forgets old dedupe keys, closed outbox rows and flood counters. */
export function prune(store: Store, now: number): void {
  store.inbound.pruneBefore(now - DEDUPE_KEEP_MS);
  store.outbox.pruneClosed(now - OUTBOX_KEEP_MS);
  store.flood.pruneBefore(now - LONGEST_WINDOW_MS);
  store.receipts.pruneBefore(now - RECEIPT_WINDOW_MS);
}

/**
 * Starts the cleanup in the background now (the bots are live by then) and then daily; the
 * bridge's disposal stops a run between two slices and waits for it.
 */
export function scheduleCleanup(bridge: ComposedBridge): void {
  const log = logger("app");
  const stop = new AbortController();
  let running: Promise<void> | null = null;
  const run = () => {
    if (running !== null) return;
    running = cleanupOnce(bridge, stop.signal)
      .catch((e) => log.error("cleanup failed: {error}", { error: e }))
      .finally(() => running = null);
  };
  bridge.stack.defer(async () => {
    stop.abort();
    await running;
  });
  run();
  bridge.stack.use(
    scheduleDaily(run, (e) => log.error("daily cleanup failed: {error}", { error: e })),
  );
}
