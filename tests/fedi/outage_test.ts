/**
 * Notifications that come while the stream is gone are all handled once the bot is back, none
 * twice: each reaches the core exactly once (counted by dedupe key).
 */
import assert from "node:assert/strict";
import { META } from "../../src/fedi/meta_keys.ts";
import { makeHarness, nextEvent, notificationsUntil } from "./support.ts";

function mentionIds(calls: { inbound: { kind: string } & Record<string, unknown> }[]): unknown[] {
  return calls.filter((c) => c.inbound.kind === "message").map((c) => c.inbound.id);
}

Deno.test("20 mentions while the server is down are handled once each after it is back", async () => {
  // Small pages: the catch-up follows four Link headers.
  await using h = await makeHarness({ pageSize: 6 });
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();

  const disconnected = nextEvent(h.bot, "disconnected");
  await h.server.faults.down();
  await disconnected;
  const posted = Array.from(
    { length: 20 },
    (_, i) =>
      h.server.postAs(alice, { text: `@bridge@fedi.test !help ${i}`, visibility: "direct" }).id,
  );
  const all = notificationsUntil(h.bot, (s) => s.length >= 20);
  const reconnected = nextEvent(h.bot, "reconnected");
  h.server.faults.up();
  await reconnected;
  await all;
  await h.bot.inlet.idle();

  assert.deepEqual(mentionIds(h.spy.calls), posted);
  for (const [key, n] of h.spy.countsByKey()) assert.equal(n, 1, `${key} handled ${n} times`);
  assert.equal(h.bot.inlet.stats.handled, 20);
  const pages = h.server.requests.filter((r) =>
    r.path === "/api/v1/notifications" && r.search.includes("min_id") && r.status === 200
  );
  assert.ok(pages.length >= 5, `${pages.length} pages`);
  const newest = h.server.notificationsOf(h.botAccount).map((n) => n.id as string)
    .sort((a, b) => Number(BigInt(a) - BigInt(b))).at(-1);
  assert.equal(h.store.meta.get(META.lastNotificationId), newest);
});

Deno.test("mentions racing a dropped stream are handled once each, streamed or caught up", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();

  const reconnected = nextEvent(h.bot, "reconnected");
  const all = notificationsUntil(
    h.bot,
    (s) => s.filter((d) => d.outcome === "handled").length >= 20,
  );
  const posted: string[] = [];
  for (let i = 0; i < 20; i++) {
    // Some before the cut, some while the bot reconnects, some after.
    if (i === 5) await h.server.faults.dropStreams();
    if (i === 15) await reconnected;
    posted.push(
      h.server.postAs(alice, { text: `@bridge@fedi.test !help ${i}`, visibility: "direct" }).id,
    );
  }
  await all;
  await h.bot.inlet.idle();
  assert.deepEqual(mentionIds(h.spy.calls), posted);
  for (const [key, n] of h.spy.countsByKey()) assert.equal(n, 1, `${key} handled ${n} times`);
  assert.equal(h.bot.inlet.stats.handled, 20);
});

Deno.test("a notification whose handling throws is retried later, and only it", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();

  h.spy.failNext = 1;
  const outcomes = notificationsUntil(
    h.bot,
    (s) => s.filter((d) => d.outcome === "handled").length >= 3,
  );
  const ids = [0, 1, 2].map((i) =>
    h.server.postAs(alice, { text: `@bridge@fedi.test !help ${i}`, visibility: "direct" }).id
  );
  const seen = await outcomes;
  await h.bot.inlet.idle();
  assert.deepEqual(seen.slice(0, 3).map((d) => d.outcome), ["failed", "handled", "handled"]);
  // The failed one came again with the retry; the others were not handed over again.
  assert.deepEqual(mentionIds(h.spy.calls), [ids[0], ids[1], ids[2], ids[0]]);
  assert.equal(h.bot.inlet.frozen, false);
  const newest = h.server.notificationsOf(h.botAccount).map((n) => n.id as string)
    .sort((a, b) => Number(BigInt(a) - BigInt(b))).at(-1);
  assert.equal(h.store.meta.get(META.lastNotificationId), newest);
});
