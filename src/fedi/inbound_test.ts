import assert from "node:assert/strict";
import { logger } from "../log.ts";
import { openStore, readInletCounts, type Store } from "../store/mod.ts";
import { FEDI, type Inbound } from "../core/types.ts";
import type { InboundHandler } from "../core/ports.ts";
import { NotificationInlet, type Outcome } from "./inbound.ts";
import { META } from "./meta_keys.ts";
import { fakeNotification, fakeStatus } from "../../tests/support/fedi_fakes.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

const ALICE = { id: "7", acct: "alice@other.example" };

/** Takes every event, and records its key in the store as the real core does. */
class FakeCore implements InboundHandler {
  readonly keys: string[] = [];
  readonly seen = new Set<string>();
  failing = new Set<string>();
  store: Store | null = null;

  handle(_inbound: Inbound, key: string | null): Promise<boolean> {
    this.keys.push(key ?? "");
    if (this.failing.has(key ?? "")) return Promise.reject(new Error("busy"));
    if (this.seen.has(key ?? "")) return Promise.resolve(false);
    this.seen.add(key ?? "");
    if (key !== null) this.store?.inbound.markHandled(FEDI, key, 0);
    return Promise.resolve(true);
  }
}

function setup(opts: { maxAttempts?: number } = {}) {
  const store = openStore(":memory:");
  const core = new FakeCore();
  core.store = store;
  const timers = new ManualClock();
  const outcomes: [string, Outcome][] = [];
  let failures = 0;
  const inlet = new NotificationInlet({
    core,
    store,
    timers,
    log: logger("fedi", "test"),
    context: () => ({ apInstance: "social.test", botId: "1", botAddress: "bridge@social.test" }),
    onOutcome: (id, _type, outcome) => outcomes.push([id, outcome]),
    onFailure: () => failures++,
    ...opts,
  });
  return {
    store,
    core,
    timers,
    inlet,
    outcomes,
    failures: () => failures,
    [Symbol.dispose]: () => store.close(),
  };
}

const mention = (id: string) =>
  fakeNotification(id, "mention", ALICE, fakeStatus({ id: `s${id}` }));

Deno.test("notifications are handled in order and the marker follows them", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  for (const id of ["10", "11", "12"]) t.inlet.push(mention(id));
  await t.inlet.idle();
  assert.deepEqual(t.core.keys, ["notif:10", "notif:11", "notif:12"]);
  assert.equal(t.store.meta.get(META.lastNotificationId), "12");
  // A repeat (stream and catch-up both bring it) does not reach the core again.
  t.inlet.push(mention("11"));
  assert.equal(await t.inlet.process(mention("12")), "duplicate");
  await t.inlet.idle();
  assert.equal(t.core.keys.length, 3);
  // The stream's repeat counts as a duplicate; the catch-up reading a done one again is expected.
  assert.equal(t.inlet.stats.duplicates, 1);
  assert.equal(t.inlet.stats.rechecked, 1);
});

Deno.test("an older notification coming after a newer one is handled, not taken for a repeat", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  // Concurrent workers on the server: 13 streams before 12, and 11 only after a catch-up.
  t.inlet.push(mention("13"));
  t.inlet.push(mention("12"));
  await t.inlet.idle();
  assert.equal(t.store.meta.get(META.lastNotificationId), "13");
  assert.equal(await t.inlet.process(mention("11")), "handled");
  assert.deepEqual(t.core.keys, ["notif:13", "notif:12", "notif:11"]);
  assert.deepEqual(t.outcomes.map(([, o]) => o), ["handled", "handled", "handled"]);
  // The marker stays the newest done.
  assert.equal(t.store.meta.get(META.lastNotificationId), "13");
});

Deno.test("a notification left alone is recorded under its key: a restart does not take it up", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  await t.inlet.process(fakeNotification("70", "follow_request", ALICE));
  assert.equal(await t.inlet.process(fakeNotification("71", "follow", ALICE)), "ignored");
  assert.equal(t.store.inbound.isHandled(FEDI, "notif:71"), true);
  // A new inlet on the same store (the bridge restarted) reads 71 again in a catch-up.
  const again = new NotificationInlet({
    core: t.core,
    store: t.store,
    timers: t.timers,
    log: logger("fedi", "test"),
    context: () => ({ apInstance: "social.test", botId: "1", botAddress: "bridge@social.test" }),
  });
  assert.equal(await again.process(fakeNotification("71", "follow", ALICE)), "duplicate");
  assert.deepEqual(t.core.keys, ["notif:70"]);
});

Deno.test("nothing at or below the floor (the first start's newest) is taken up", async () => {
  using t = setup();
  t.inlet.setMarker("80");
  t.inlet.setFloor("80");
  assert.equal(await t.inlet.process(mention("79")), "ignored");
  assert.equal(await t.inlet.process(mention("80")), "ignored");
  assert.equal(await t.inlet.process(mention("81")), "handled");
  assert.deepEqual(t.core.keys, ["notif:81"]);
});

Deno.test("outcomes are counted in the store for !status, with the reason given to listeners", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  const reasons: (string | null)[] = [];
  const inlet = new NotificationInlet({
    core: t.core,
    store: t.store,
    timers: t.timers,
    log: logger("fedi", "test"),
    context: () => ({ apInstance: "social.test", botId: "1", botAddress: "bridge@social.test" }),
    onOutcome: (_id, _type, _outcome, reason) => reasons.push(reason),
  });
  t.core.seen.add("notif:92");
  inlet.push(mention("90"));
  inlet.push(mention("90"));
  inlet.push(mention("92"));
  inlet.push(
    fakeNotification("93", "mention", { id: "1", acct: "bridge" }, fakeStatus({ id: "z" })),
  );
  await inlet.idle();
  inlet.noteRecovered(4);
  assert.deepEqual(reasons, [
    null,
    "its key is recorded as handled",
    "the core has its key",
    "own",
  ]);
  const counts = readInletCounts(t.store);
  assert.ok(counts !== null);
  assert.deepEqual({ ...counts, since: 0 }, {
    handled: 1,
    ignored: 1,
    duplicates: 2,
    recovered: 4,
    failed: 0,
    givenUp: 0,
    since: 0,
  });
  assert.equal(counts.since, t.timers.now());
});

Deno.test("held stream events wait for the catch-up and come after it", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  t.inlet.hold();
  t.inlet.push(mention("21"));
  t.inlet.push(mention("22"));
  await t.inlet.idle();
  assert.deepEqual(t.core.keys, []);
  t.inlet.beginPass();
  await t.inlet.process(mention("20"));
  await t.inlet.process(mention("21"));
  t.inlet.release();
  await t.inlet.idle();
  assert.deepEqual(t.core.keys, ["notif:20", "notif:21", "notif:22"]);
  assert.deepEqual(t.outcomes.map(([, o]) => o), ["handled", "handled", "duplicate", "handled"]);
  assert.equal(t.store.meta.get(META.lastNotificationId), "22");
});

Deno.test("a failure freezes the marker before it until a pass gets through", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  t.core.failing.add("notif:31");
  for (const id of ["30", "31", "32"]) t.inlet.push(mention(id));
  await t.inlet.idle();
  assert.equal(t.failures(), 1);
  assert.equal(t.inlet.frozen, true);
  assert.equal(t.store.meta.get(META.lastNotificationId), "30");
  // The retry pass walks 31 and 32 again: only 31 reaches the core.
  t.core.failing.clear();
  t.inlet.beginPass();
  for (const id of ["31", "32"]) await t.inlet.process(mention(id));
  assert.deepEqual(t.core.keys, ["notif:30", "notif:31", "notif:32", "notif:31"]);
  assert.equal(t.store.meta.get(META.lastNotificationId), "32");
  assert.equal(t.inlet.frozen, false);
});

Deno.test("a notification that keeps failing is given up, and the marker moves on", async () => {
  using t = setup({ maxAttempts: 2 });
  t.inlet.setMarker("0");
  t.core.failing.add("notif:40");
  assert.equal(await t.inlet.process(mention("40")), "failed");
  t.inlet.beginPass();
  assert.equal(await t.inlet.process(mention("40")), "given-up");
  assert.equal(t.store.meta.get(META.lastNotificationId), "40");
});

Deno.test("the follow that follows an accepted follow request is not handled twice", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  await t.inlet.process(fakeNotification("50", "follow_request", ALICE));
  assert.equal(await t.inlet.process(fakeNotification("51", "follow", ALICE)), "ignored");
  // Only once: a later follow of the same account (after an unfollow) counts again.
  assert.equal(await t.inlet.process(fakeNotification("52", "follow", ALICE)), "handled");
  // A request a day old no longer pairs.
  await t.inlet.process(fakeNotification("53", "follow_request", ALICE));
  t.timers.advance(24 * 3600_000);
  assert.equal(await t.inlet.process(fakeNotification("54", "follow", ALICE)), "handled");
  assert.deepEqual(t.core.keys, ["notif:50", "notif:52", "notif:53", "notif:54"]);
});

Deno.test("the bot's own notifications are done without reaching the core", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  const own = fakeNotification(
    "60",
    "mention",
    { id: "1", acct: "bridge" },
    fakeStatus({ id: "x" }),
  );
  assert.equal(await t.inlet.process(own), "ignored");
  assert.deepEqual(t.core.keys, []);
  assert.equal(t.store.meta.get(META.lastNotificationId), "60");
  // Other notification types never enter.
  t.inlet.push(fakeNotification("61", "reblog", ALICE, fakeStatus({ id: "y" })));
  await t.inlet.idle();
  assert.equal(t.outcomes.length, 1);
});

Deno.test("an event the core took without committing its key (a deferred answer that failed) is taken up again by the next pass", async () => {
  using t = setup();
  t.inlet.setMarker("0");
  // The core holds the event back in a lane and says "taken", but never commits its key.
  t.core.store = null;
  t.inlet.push(mention("40"));
  await t.inlet.idle();
  assert.deepEqual(t.core.keys, ["notif:40"]);
  // A later catch-up finds it still to do, and the core gets it again.
  t.core.seen.clear();
  t.core.store = t.store;
  t.inlet.beginPass();
  assert.equal(await t.inlet.process(mention("40")), "handled");
  assert.deepEqual(t.core.keys, ["notif:40", "notif:40"]);
  assert.ok(t.store.inbound.isHandled(FEDI, "notif:40"));
});
