import assert from "node:assert/strict";
import { openStore, type Store } from "./store.ts";
import { FEDI, XMPP } from "./types.ts";
import { OUTBOX_GIVEN_UP, OUTBOX_SENT, SUSPECT_MARK } from "./outbox.ts";

const ids = (store: Store, network: 0 | 1, now: number) =>
  store.outbox.due(network, now).map((r) => r.id);
const tableIds = (store: Store, network: 0 | 1, now: number) =>
  store.outbox.dueFromTable(network, now).map((r) => r.id);

function agree(store: Store, now: number, step: string): void {
  for (const network of [FEDI, XMPP] as const) {
    assert.deepEqual(ids(store, network, now), tableIds(store, network, now), step);
    assert.equal(
      store.outbox.nextDueAt(network),
      store.outbox.nextDueAtFromTable(network),
      `${step}: next due`,
    );
  }
}

Deno.test("the lane heads in memory agree with the table through every kind of change", () => {
  using store = openStore(":memory:");
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let now = 1_000;
  for (let step = 0; step < 600; step++) {
    now += Math.floor(random() * 50);
    const network = random() < 0.5 ? FEDI : XMPP;
    const heads = store.outbox.due(network, now + 10_000);
    const head = heads[Math.floor(random() * heads.length)];
    const what = random();
    if (what < 0.4 || head === undefined) {
      store.outbox.insert(network, `lane${Math.floor(random() * 6)}`, "{}", now);
    } else if (what < 0.6) {
      store.outbox.close(head.id, random() < 0.5 ? OUTBOX_SENT : OUTBOX_GIVEN_UP, now);
    } else if (what < 0.75) {
      const error = random() < 0.3 ? `${SUSPECT_MARK}closed` : "503";
      store.outbox.retry(head.id, now + Math.floor(random() * 500), error);
    } else if (what < 0.9) {
      store.outbox.defer(head.id, now + Math.floor(random() * 500));
    } else {
      store.outbox.retryNow(network, now);
    }
    agree(store, now, `step ${step}`);
  }
});

Deno.test("rows another process wrote are seen at the next look", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lane-heads-" });
  try {
    using mine = openStore(`${dir}/bridge.db`);
    using other = openStore(`${dir}/bridge.db`);
    const first = mine.outbox.insert(XMPP, "from:a", "{}", 10);
    assert.deepEqual(ids(mine, XMPP, 100), [first]);
    const theirs = other.outbox.insert(XMPP, "from:b", "{}", 20);
    other.outbox.insert(XMPP, "from:a", "{}", 20);
    assert.deepEqual(ids(mine, XMPP, 100), [first, theirs]);
    // The other process closes a row of ours (a cancelled delivery): it is not sent.
    other.outbox.close(first, OUTBOX_GIVEN_UP, 30, "cancelled");
    agree(mine, 100, "after the other's close");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a rolled-back transaction leaves no head behind and loses none", () => {
  using store = openStore(":memory:");
  const kept = store.outbox.insert(FEDI, "to:x", "{}", 1);
  assert.throws(() =>
    store.transaction(() => {
      store.outbox.insert(FEDI, "to:y", "{}", 1);
      store.outbox.close(kept, OUTBOX_SENT, 2);
      throw new Error("rolled back");
    })
  );
  assert.deepEqual(ids(store, FEDI, 10), [kept]);
  agree(store, 10, "after the rollback");
});

Deno.test("sending and adding rows needs no look at the table for the next heads", () => {
  using store = openStore(":memory:");
  for (const lane of ["a", "b", "c"]) store.outbox.insert(FEDI, lane, "{}", 1);
  const [a] = store.outbox.due(FEDI, 5);
  const rebuilt = store.outbox.heads.rebuilds;
  assert.equal(rebuilt, 1, "read once, at the first look");
  store.outbox.close(a!.id, OUTBOX_SENT, 6);
  store.outbox.insert(FEDI, "a", "{}", 6);
  store.outbox.retry(store.outbox.due(FEDI, 6)[0]!.id, 50, "503");
  assert.equal(store.outbox.due(FEDI, 7).length, 2);
  assert.equal(store.outbox.heads.rebuilds, rebuilt);
});
