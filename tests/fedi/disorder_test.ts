/**
 * Nothing lost when the stream is as a busy server's: notifications streamed out of order, some
 * never streamed, the stream cut in the middle. The bot's clock is a manual one, so "within the
 * reconciliation delay" is exact: after the last mention the clock moves by one reconciliation
 * interval, and every message must have crossed by then.
 */
import assert from "node:assert/strict";
import { FEDI, XMPP } from "../../src/core/types.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { seededRandom } from "../mastodon/disorder.ts";
import type { TestAccount } from "../mastodon/server.ts";
import { type Harness, makeHarness, nextEvent } from "./support.ts";

const XMPP_USER = "xena@chat.test";
const RECONCILE_MS = 30_000;

/** The messages delivered to the XMPP user so far: source status id -> how many times. */
function deliveries(h: Harness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { effect } of h.queue.sent) {
    if (effect.kind !== "deliver" || effect.to[0]?.address !== XMPP_USER) continue;
    counts.set(effect.sourceId, (counts.get(effect.sourceId) ?? 0) + 1);
  }
  return counts;
}

/** Resolves once the bot dealt with `count` notifications in all (any outcome). */
function outcomesReach(h: Harness, seen: { n: number }, count: number): Promise<unknown> {
  if (seen.n >= count) return Promise.resolve();
  return nextEvent(h.bot, "notification", () => seen.n >= count);
}

Deno.test("2 x 50 concurrent mentions, out of order, 10 % lost, a reconnect: all reach XMPP once", async () => {
  const timers = new ManualClock(Date.now());
  await using h = await makeHarness({
    timers,
    stallTimeoutMs: 3_600_000,
    extraConfig: "max-user-rate: 0\n",
    bot: { reconcileIntervalMs: RECONCILE_MS, reconcileSettleMs: 5_000, reconcileMinGapMs: 15_000 },
  });
  h.server.setRateLimit(1_000_000);
  const senders = ["ann", "ben"].map((name) =>
    h.server.createAccount({ username: name, domain: "other.example" })
  );
  h.store.transaction(() => {
    for (const a of senders) {
      h.store.users.register({
        type: FEDI,
        address: a.address,
        at: Date.now(),
        lang: "en",
        app: "Mastodon",
        accountId: a.id,
      });
    }
    h.store.users.register({
      type: XMPP,
      address: XMPP_USER,
      at: Date.now(),
      lang: "en",
      app: "XMPP",
      accountId: null,
    });
  });
  const seen = { n: 0 };
  h.bot.addEventListener("notification", () => seen.n++);
  await h.bot.start();

  // Both senders post at once: their 50 mentions each interleave in a seeded order.
  const order = [...Array(50).fill(0), ...Array(50).fill(1)] as number[];
  const random = seededRandom(2026);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const posted: string[] = [];
  const post = (k: number) => {
    const from: TestAccount = senders[order[k]!]!;
    posted.push(
      h.server.postAs(from, {
        text: `@bridge@fedi.test xmpp:${XMPP_USER} message ${k} from ${from.username}`,
        visibility: "direct",
      }).id,
    );
  };
  h.server.faults.disorderStreams({ seed: 7, dropRate: 0.1, window: 8 });

  // The first half streams (shuffled, some lost) to a live bot.
  for (let k = 0; k < 45; k++) post(k);
  h.server.faults.flushStreams();
  await outcomesReach(h, seen, h.server.faults.disorderStats()!.sent);

  // The stream is cut; mentions come while the bot is away; it reconnects and catches up.
  const disconnected = nextEvent(h.bot, "disconnected");
  await h.server.faults.dropStreams();
  await disconnected;
  for (let k = 45; k < 60; k++) post(k);
  const reconnected = nextEvent(h.bot, "reconnected");
  timers.advance(400); // the reconnect backoff
  await reconnected;

  // The rest streams to the new connection, as disordered as before.
  for (let k = 60; k < 100; k++) post(k);
  h.server.faults.flushStreams();
  const stats = h.server.faults.disorderStats()!;
  assert.ok(stats.dropped >= 5, `the stream lost ${stats.dropped} events`);
  assert.ok(stats.late >= 10, `${stats.late} events came after a newer one`);

  // One reconciliation delay later, every message has crossed, each once.
  const all = nextEvent(h.bot, "notification", () => deliveries(h).size === 100);
  const found = nextEvent<CustomEvent<number>>(h.bot, "reconciled", (e) => e.detail > 0);
  timers.advance(RECONCILE_MS);
  const [, pass] = await Promise.all([all, found]).catch((e) => {
    throw new Error(`${deliveries(h).size} of 100 messages reached the XMPP user (${e})`);
  });
  const recovered = pass.detail;
  await h.bot.inlet.idle();
  await h.queue.settled();

  const delivered = deliveries(h);
  assert.equal(delivered.size, 100);
  assert.deepEqual([...delivered.keys()].sort(), [...posted].sort());
  for (const [id, n] of delivered) assert.equal(n, 1, `status ${id} delivered ${n} times`);
  for (const n of h.server.notificationsOf(h.botAccount)) {
    assert.ok(h.store.inbound.isHandled(FEDI, `notif:${n.id}`), `notification ${n.id} handled`);
  }
  // Each reached the core's handling once (repeats stop at the inlet or the core's dedupe).
  assert.equal(h.bot.inlet.stats.handled, 100);
  assert.ok(recovered > 0, "the reconciliation took up what the stream lost");
  assert.equal(h.bot.inlet.stats.recovered, recovered);
});
