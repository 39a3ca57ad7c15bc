/**
 * Reconciliation of a live stream with the server's list: what it takes up, how far back it
 * reads, what it costs, and how it leaves the stall watchdog working. The bot runs on a manual
 * clock: a test moves it to the moment a pass is due.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../support/manual_clock.ts";
import { type Harness, type HarnessOptions, makeHarness, nextEvent } from "./support.ts";

const INTERVAL = 30_000;

async function manualHarness(
  opts: HarnessOptions = {},
): Promise<{ h: Harness; timers: ManualClock }> {
  const timers = new ManualClock(Date.now());
  const h = await makeHarness({
    timers,
    stallTimeoutMs: 3_600_000,
    ...opts,
    bot: { reconcileIntervalMs: INTERVAL, ...opts.bot },
  });
  h.server.setRateLimit(1_000_000);
  return { h, timers };
}

/** Moves the clock one interval on and resolves with the next reconciliation's count. */
async function reconcileOnce(h: Harness, timers: ManualClock): Promise<number> {
  const pass = nextEvent<CustomEvent<number>>(h.bot, "reconciled");
  timers.advance(INTERVAL);
  return (await pass).detail;
}

function messageIds(h: Harness): string[] {
  return h.spy.calls.flatMap((c) => c.inbound.kind === "message" ? [c.inbound.id] : []);
}

Deno.test("a reconciliation takes up what the stream lost, and nothing from before the first start", async () => {
  const { h, timers } = await manualHarness();
  await using _ = h;
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  for (let i = 0; i < 3; i++) {
    h.server.postAs(alice, { text: `@bridge@fedi.test !help old ${i}`, visibility: "direct" });
  }
  await h.bot.start();
  h.server.faults.disorderStreams({ seed: 1, dropRate: 1 });
  const posted = [0, 1, 2].map((i) =>
    h.server.postAs(alice, { text: `@bridge@fedi.test !help ${i}`, visibility: "direct" }).id
  );
  assert.equal(h.server.faults.disorderStats()?.dropped, 3);
  assert.deepEqual(messageIds(h), []);
  assert.equal(await reconcileOnce(h, timers), 3);
  await h.bot.inlet.idle();
  assert.deepEqual(messageIds(h), posted);
  // The next pass finds nothing new, and the old ones stay alone.
  assert.equal(await reconcileOnce(h, timers), 0);
  assert.deepEqual(messageIds(h), posted);
  assert.equal(h.bot.inlet.stats.recovered, 3);
});

Deno.test("a pass costs a few requests: the overlap's pages back and one forward", async () => {
  const { h, timers } = await manualHarness();
  await using _ = h;
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  // 300 public mentions (each handled once), all within the same minute.
  const seen = { n: 0 };
  h.bot.addEventListener("notification", () => seen.n++);
  const all = nextEvent(h.bot, "notification", () => seen.n === 300);
  for (let i = 0; i < 300; i++) {
    h.server.postAs(alice, { text: `@bridge@fedi.test hello ${i}`, visibility: "public" });
  }
  await all;
  const before = h.server.requests.length;
  assert.equal(await reconcileOnce(h, timers), 0);
  const pass = h.server.requests.slice(before).filter((r) => r.path === "/api/v1/notifications");
  const back = pass.filter((r) => r.search.includes("max_id"));
  const forward = pass.filter((r) => r.search.includes("min_id"));
  // 200 are not enough while they span less than 10 minutes: it reads back to the bound of 4.
  assert.equal(back.length, 4);
  assert.ok(back.every((r) => r.search.includes("limit=80")));
  assert.equal(forward.length, 1);
  assert.equal(pass.length, 5);
  // Read again, all but the marker itself (the newest, done): none reached the core twice.
  assert.equal(h.bot.inlet.stats.rechecked, 299);
  assert.equal(h.spy.calls.length, 300);
});

Deno.test("the overlap reaches back by count or by time, whichever reaches further", async () => {
  // The server's clock moves a minute for each mention: 300 mentions span five hours.
  let serverNow = Date.now() - 6 * 3600_000;
  const tick = () => serverNow;
  for (
    const [bot, backPages] of [
      [{}, 3], // 200 notifications (three pages of 80) span more than 10 minutes
      [{ overlapCount: 0, overlapMs: 100 * 60_000 }, 2], // 100 minutes: 101 notifications
      [{ overlapCount: 1, overlapMs: 0 }, 1],
    ] as const
  ) {
    const { h, timers } = await manualHarness({ serverNow: tick, bot });
    await using _ = h;
    const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
    await h.bot.start();
    const seen = { n: 0 };
    h.bot.addEventListener("notification", () => seen.n++);
    const all = nextEvent(h.bot, "notification", () => seen.n === 300);
    for (let i = 0; i < 300; i++) {
      serverNow += 60_000;
      h.server.postAs(alice, { text: `@bridge@fedi.test hello ${i}`, visibility: "public" });
    }
    await all;
    const before = h.server.requests.length;
    assert.equal(await reconcileOnce(h, timers), 0);
    const back = h.server.requests.slice(before).filter((r) =>
      r.path === "/api/v1/notifications" && r.search.includes("max_id")
    );
    assert.equal(back.length, backPages, JSON.stringify(bot));
  }
});

Deno.test("an older notification that failed behind the marker is retried, even without overlap", async () => {
  const { h, timers } = await manualHarness({ bot: { overlapCount: 0, overlapMs: 0 } });
  await using _ = h;
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  // With this seed a window of two streams the newer first.
  h.server.faults.disorderStreams({ seed: 4, window: 2 });
  const older = h.server.postAs(alice, { text: "@bridge@fedi.test !help a", visibility: "direct" });
  const olderNotification = h.server.notificationsOf(h.botAccount).at(-1)!;
  h.spy.failOnce.add(`notif:${olderNotification.id}`);
  const outcomes: string[] = [];
  h.bot.addEventListener("notification", (e) => {
    outcomes.push((e as CustomEvent<{ outcome: string }>).detail.outcome);
  });
  const both = nextEvent(h.bot, "notification", () => outcomes.length === 2);
  const newer = h.server.postAs(alice, { text: "@bridge@fedi.test !help b", visibility: "direct" });
  await both;
  assert.deepEqual(outcomes, ["handled", "failed"]);
  assert.deepEqual(messageIds(h), [newer.id, older.id]);
  // The retry pass reads back from the marker (the newer one) to the failed one.
  const retried = nextEvent(h.bot, "notification", () => outcomes.length === 3);
  timers.advance(1000);
  await retried;
  assert.equal(outcomes[2], "handled");
  assert.deepEqual(messageIds(h), [newer.id, older.id, older.id]);
  assert.equal(h.bot.inlet.frozen, false);
});

Deno.test("a stalled stream is still found out when a reconciliation took up what it missed", async () => {
  const { h, timers } = await manualHarness({ stallTimeoutMs: 90_000 });
  await using _ = h;
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  assert.equal(h.server.faults.stallStreams(), 1);
  const status = h.server.postAs(alice, { text: "@bridge@fedi.test !help", visibility: "direct" });
  assert.equal(await reconcileOnce(h, timers), 1);
  assert.deepEqual(messageIds(h), [status.id]);
  // The watchdog's own check finds nothing new, but the stream missed one since it last spoke.
  const stall = nextEvent(h.bot, "stall");
  timers.advance(90_000 - INTERVAL);
  await stall;
  h.server.faults.resumeStreams();
});
