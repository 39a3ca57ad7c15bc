import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  MAX_SLICE_ROWS,
  MIN_SLICE_ROWS,
  nextSliceRows,
  purgeConversationsInSlices,
} from "./cleanup_run.ts";
import { FEDI, openStore, type Store } from "./store/mod.ts";
import { PURGE_CACHE_KIB } from "./store/purge_settings.ts";

const OLD = 1_000;
const LIMIT = 1_000_000;

/** A WAL file with `old` expired records and 10 recent ones. */
async function filledStore(old: number): Promise<{ store: Store; path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "cleanup-run-" });
  const path = `${dir}/bridge.db`;
  const store = openStore(path);
  store.transaction(() => {
    for (let i = 0; i < old + 10; i++) {
      store.conversations.record({
        recipientType: FEDI,
        recipient: `r${i % 7}@social.test`,
        sender: `s${i % 5}@chat.test`,
        at: i < old ? OLD + i : LIMIT + i,
        sourceId: `src-${i}`,
        postedId: `posted-${i}`,
      });
    }
  });
  return { store, path, dir };
}

function count(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM conversations").get()!.n);
  } finally {
    db.close();
  }
}

/** A measuring function under which every slice takes `ms`. */
function slicesTaking(ms: number): () => number {
  let t = 0;
  let start = true;
  return () => {
    if (!start) t += ms;
    start = !start;
    return t;
  };
}

Deno.test("slice sizes follow the time the last slice took, within bounds", () => {
  assert.equal(nextSliceRows(1_000, 40, 20), 500, "twice too slow: half");
  assert.equal(nextSliceRows(1_000, 10, 20), 2_000, "twice too fast: double");
  assert.equal(nextSliceRows(1_000, 0.1, 20), 2_000, "never more than doubling");
  assert.equal(nextSliceRows(150, 1_000, 20), MIN_SLICE_ROWS);
  assert.equal(nextSliceRows(MAX_SLICE_ROWS, 1, 20), MAX_SLICE_ROWS);
});

Deno.test("the purge deletes the expired records in slices and yields between them", async () => {
  const { store, path, dir } = await filledStore(5_000);
  try {
    let yields = 0;
    // Every slice too slow for the target: the slices shrink to the minimum.
    const report = await purgeConversationsInSlices(store, LIMIT, {
      measure: slicesTaking(40),
      yieldNow: () => {
        yields++;
        return Promise.resolve();
      },
      targetMs: 20,
    });
    assert.equal(report.deleted, 5_000);
    assert.equal(count(path), 10, "the recent records stay");
    // 1,000, 500, 250, 125, then 100 each: 31 full slices and one of 25 for the 3,125 left.
    assert.equal(report.slices, 4 + 32);
    assert.equal(yields, report.slices - 1);
    assert.equal(report.longestMs, 40);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("between slices the other process can write at once; stopping leaves the rest", async () => {
  const { store, path, dir } = await filledStore(OLD * 3);
  const other = new DatabaseSync(path, { timeout: 0 });
  try {
    const stop = new AbortController();
    let writes = 0;
    const report = await purgeConversationsInSlices(store, LIMIT, {
      measure: slicesTaking(20),
      signal: stop.signal,
      yieldNow: () => {
        // With no busy timeout, this throws if the purge still held the write lock.
        other.exec("INSERT INTO meta (key, value) VALUES ('probe" + writes++ + "', 'x')");
        stop.abort();
        return Promise.resolve();
      },
      targetMs: 20,
    });
    assert.equal(writes, 1);
    assert.equal(report.slices, 1);
    assert.equal(count(path), 3_000 - 1_000 + 10, "the rest waits for the next run");
  } finally {
    other.close();
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the purge runs with a larger page cache, put back afterwards", async () => {
  const { store, dir } = await filledStore(OLD * 2);
  try {
    const own = store.purgeSettings();
    const before = own.previousCacheSize;
    own[Symbol.dispose]();
    let during: number | null = null;
    await purgeConversationsInSlices(store, LIMIT, {
      yieldNow: () => {
        using probe = store.purgeSettings(1);
        during = probe.previousCacheSize;
        return Promise.resolve();
      },
    });
    assert.equal(during, -PURGE_CACHE_KIB);
    using after = store.purgeSettings(1);
    assert.equal(after.previousCacheSize, before);
    assert.notEqual(before, -PURGE_CACHE_KIB);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
