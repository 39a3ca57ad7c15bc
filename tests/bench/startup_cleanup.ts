/**
 * The cleanup the bridge runs at every start, on a large database: `rows` conversation records
 * (the older half past `comm-max-limit-days`) and 10,000 registered users. Figures per run: the
 * purge of old records in slices as src/cleanup_run.ts runs it beside the live bots, with its
 * longest slice (how long the other process may wait for the write lock), and the whole start-up
 * step (the purge, retention, list checks over every user, pruning of the dedupe and outbox
 * tables).
 *
 * The file is filled once (not measured); each measurement works on a fresh copy of it.
 */
import type { DatabaseSync } from "node:sqlite";
import { runCleanup } from "../../src/core/cleanup.ts";
import { purgeConversationsInSlices } from "../../src/cleanup_run.ts";
import { FEDI, openDatabase, XMPP } from "../../src/store/mod.ts";
import { type CoreRig, openCoreRig } from "./core_rig.ts";
import type { FigureSet } from "./figures.ts";

const DAY_MS = 24 * 60 * 60_000;
/** The records older than this go; `comm-max-limit-days` is 30 (the default). */
const LIMIT = 1_700_000_000_000;
const NOW = LIMIT + 30 * DAY_MS;
/** What src/app.ts keeps of the dedupe and outbox tables. */
const DEDUPE_KEEP_MS = 7 * DAY_MS;
const OUTBOX_KEEP_MS = 2 * DAY_MS;
const USERS = 10_000;
/** Senders and recipients of the records. */
const CORRESPONDENTS = 300;
/** A delivery every 5 seconds, as the store's own cleanup benchmark writes them. */
const STEP = 5_000;

/** Fills a new file with `rows` records in time order, half older than LIMIT, and the users. */
function fill(path: string, rows: number): void {
  const db: DatabaseSync = openDatabase(path);
  try {
    // A large page cache only for the fill, which would otherwise take most of the run.
    db.exec("PRAGMA cache_size = -262144");
    const insert = db.prepare(
      "INSERT INTO conversations (type, recipient, sender, at, source_id, posted_id) " +
        "VALUES (?, ?, ?, ?, ?, ?)",
    );
    db.exec("BEGIN");
    for (let i = 0; i < rows; i++) {
      insert.run(
        i % 2,
        `user${(i * 13) % CORRESPONDENTS}@recipient.example`,
        `user${(i * 7) % CORRESPONDENTS}@sender.example`,
        LIMIT + (i - rows / 2) * STEP,
        `${110_000_000_000_000_000n + BigInt(i)}`,
        `posted-${i}`,
      );
    }
    const user = db.prepare(
      "INSERT INTO users (type, address, registered_at, registrations, lang, revoked_at, app, " +
        "account_id) VALUES (?, ?, ?, 1, 'en', NULL, ?, ?)",
    );
    for (let i = 0; i < USERS; i++) {
      const fedi = i % 2 === 0;
      user.run(
        fedi ? FEDI : XMPP,
        `member${i}@${fedi ? "social" : "chat"}${i % 97}.example`,
        LIMIT - i * 60_000,
        fedi ? "Mastodon" : "XMPP",
        fedi ? `${i}` : null,
      );
    }
    db.exec("COMMIT");
    // Fold the WAL into the file: each copy then starts as the bridge finds a file at start.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/** Deletes a database file and what SQLite may have left beside it. */
function removeDatabase(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      Deno.removeSync(file);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}

/** Records that expire in the day after LIMIT. */
function dailyRecords(rows: number): number {
  return Math.min(rows / 2, DAY_MS / STEP);
}

/** What one run measured (ms). */
interface CleanupTimes {
  /** The purge of the expired half, in slices as the bridge runs it (src/cleanup_run.ts). */
  readonly purge: number;
  /** The longest slice of that purge: the longest the other process could wait for the lock. */
  readonly longestSlice: number;
  /** The rest of the start-up step, once nothing is left to purge. */
  readonly rest: number;
  /** The next day's cleanup step: one day of records expired since. */
  readonly daily: number;
}

/** The start-up cleanup step of src/app.ts; returns the records it deleted. */
function startupStep(rig: CoreRig): number {
  const { store } = rig;
  const now = rig.deps.now();
  const report = runCleanup(rig.deps, { networks: [FEDI, XMPP], serverDomainBlocks: [] });
  store.inbound.pruneBefore(now - DEDUPE_KEEP_MS);
  store.outbox.pruneClosed(now - OUTBOX_KEEP_MS);
  if (report.unregistered.length !== 0) throw new Error("the cleanup unregistered users");
  return report.conversationsDeleted;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/**
 * On a copy of `template`: the store's purge of the expired half (what the start-up step spends
 * nearly all its time on), then the start-up step itself with nothing left to purge, then the
 * step of the next day.
 */
async function cleanupRun(template: string, dir: string, rows: number): Promise<CleanupTimes> {
  const path = `${dir}/run.db`;
  Deno.copyFileSync(template, path);
  try {
    const clock = { now: NOW };
    using rig = openCoreRig({ dbPath: path, dir, now: () => clock.now });
    const start = performance.now();
    const sliced = await purgeConversationsInSlices(rig.store, LIMIT);
    const purge = { value: sliced.deleted, ms: performance.now() - start };
    if (purge.value !== rows / 2) throw new Error(`purge deleted ${purge.value} of ${rows / 2}`);
    const rest = timed(() => startupStep(rig));
    if (rest.value !== 0) throw new Error(`the start-up step found ${rest.value} more to delete`);
    clock.now += DAY_MS;
    const daily = timed(() => startupStep(rig));
    if (daily.value !== dailyRecords(rows)) {
      throw new Error(`the next day's step deleted ${daily.value}, not ${dailyRecords(rows)}`);
    }
    return { purge: purge.ms, longestSlice: sliced.longestMs, rest: rest.ms, daily: daily.ms };
  } finally {
    removeDatabase(path);
  }
}

export async function benchStartupCleanup(
  figures: FigureSet,
  opts: { rows: number; runs: number },
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bench-cleanup-" });
  try {
    const template = `${dir}/template.db`;
    fill(template, opts.rows);
    const rows = opts.rows.toLocaleString("en");
    const expired = (opts.rows / 2).toLocaleString("en");
    for (let run = 0; run < opts.runs; run++) {
      const t = await cleanupRun(template, dir, opts.rows);
      figures.record("cleanup.startup", {
        label: `Start-up cleanup, ${rows} records (half expired) + 10,000 users`,
        unit: "s",
        target: { op: "<=", value: 5 },
      }, (t.purge + t.rest) / 1000);
      figures.record("cleanup.purge", {
        label: `  of which the purge of ${expired} records, in slices that yield`,
        unit: "s",
      }, t.purge / 1000);
      figures.record("cleanup.slice", {
        label: "  longest slice (the other process's longest wait for the write lock)",
        unit: "ms",
        target: { op: "<=", value: 50 },
      }, t.longestSlice);
      figures.record("cleanup.daily", {
        label: `Next day's cleanup (${
          dailyRecords(opts.rows).toLocaleString("en")
        } records expired)`,
        unit: "s",
      }, t.daily / 1000);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
