/**
 * Cost of the retention purge on a large table: 1,000,000 conversation records,
 * the older half of them expired. Rows are written in time order between 300
 * users, as the bridge writes them. Each iteration fills a new file (not
 * measured), then times the purge, which deletes in batches (see
 * `Conversations.deleteBefore`), and checks that exactly the expired half went.
 * Run with `deno bench --allow-read --allow-write src/store/cleanup_bench.ts`.
 */

import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "./db.ts";
import { Store } from "./store.ts";
import { intOf, type Row } from "./types.ts";

const ROWS = 1_000_000;
const LIMIT = 1_700_000_000_000;
const USERS = 300;
/** Every 5 seconds a delivery: 1,000,000 of them span about two months. */
const STEP = 5_000;

/** A file database holding ROWS records, half of them older than LIMIT. */
function filledDatabase(path: string): DatabaseSync {
  const db = openDatabase(path);
  // A large page cache only for the fill, which would otherwise dominate the run.
  db.exec("PRAGMA cache_size = -262144");
  const insert = db.prepare(
    "INSERT INTO conversations (type, recipient, sender, at, source_id, posted_id) " +
      "VALUES (?, ?, ?, ?, ?, ?)",
  );
  db.exec("BEGIN");
  for (let i = 0; i < ROWS; i++) {
    insert.run(
      i % 2,
      `user${(i * 13) % USERS}@recipient.example`,
      `user${(i * 7) % USERS}@sender.example`,
      LIMIT + (i - ROWS / 2) * STEP,
      `${110_000_000_000_000_000n + BigInt(i)}`,
      `posted-${i}`,
    );
  }
  db.exec("COMMIT");
  // Measure under the settings the bridge runs with, the WAL folded into the file.
  db.exec("PRAGMA cache_size = -2000");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return db;
}

function remaining(db: DatabaseSync): { rows: number; expired: number } {
  const row = db.prepare(
    "SELECT count(*) AS rows, count(*) FILTER (WHERE at < ?) AS expired FROM conversations",
  ).get(LIMIT) as Row;
  return { rows: intOf(row, "rows"), expired: intOf(row, "expired") };
}

Deno.bench({
  name: "purge 500,000 expired of 1,000,000 conversation records",
  n: 2,
  warmup: 0,
  fn(b) {
    const dir = Deno.makeTempDirSync({ prefix: "cleanup_bench_" });
    try {
      const db = filledDatabase(`${dir}/bench.db`);
      using store = new Store(db);
      const before = remaining(db);
      if (before.rows !== ROWS || before.expired !== ROWS / 2) {
        throw new Error(`fill gave ${before.rows} rows, ${before.expired} expired`);
      }
      b.start();
      const deleted = store.cleanup.purgeConversations(LIMIT);
      b.end();
      if (deleted !== ROWS / 2) throw new Error(`deleted ${deleted} rows, expected ${ROWS / 2}`);
      // What is left is exactly the fresh half.
      const after = remaining(db);
      if (after.rows !== ROWS / 2 || after.expired !== 0) {
        throw new Error(`left ${after.rows} rows, ${after.expired} of them expired`);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
