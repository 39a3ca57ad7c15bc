import assert from "node:assert/strict";
import { seededRandom, StreamDisorder } from "./disorder.ts";
import { MastodonTestServer } from "./server.ts";
import { call, list, obj, TestSocket } from "./test_client.ts";

/** Runs `count` events through a disorder; returns the order they were sent in. */
function run(disorder: StreamDisorder, count: number): number[] {
  const sent: number[] = [];
  for (let i = 1; i <= count; i++) disorder.take(() => sent.push(i));
  disorder.flush();
  return sent;
}

Deno.test("the same seed gives the same drops and the same order", () => {
  const options = { seed: 42, dropRate: 0.1, window: 8 };
  const first = run(new StreamDisorder(options), 100);
  assert.deepEqual(run(new StreamDisorder(options), 100), first);
  assert.notDeepEqual(run(new StreamDisorder({ ...options, seed: 43 }), 100), first);
  // Some were dropped, none twice, and the rest came out of order.
  assert.ok(first.length < 100 && first.length > 75, `${first.length} sent`);
  assert.equal(new Set(first).size, first.length);
  assert.notDeepEqual(first, [...first].sort((a, b) => a - b));
});

Deno.test("without drops and with a window of 1 the events pass as they come", () => {
  const disorder = new StreamDisorder({ seed: 1 });
  assert.deepEqual(run(disorder, 20), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(disorder.stats, { published: 20, dropped: 0, sent: 20, late: 0, held: 0 });
});

Deno.test("a window holds events until it is full or flushed, and counts the late ones", () => {
  const disorder = new StreamDisorder({ seed: 7, window: 4 });
  const sent: number[] = [];
  for (let i = 1; i <= 6; i++) disorder.take(() => sent.push(i));
  assert.equal(sent.length, 4);
  assert.deepEqual([...sent].sort(), [1, 2, 3, 4]);
  assert.equal(disorder.stats.held, 2);
  disorder.flush();
  assert.equal(sent.length, 6);
  const late = sent.filter((n, i) => sent.slice(0, i).some((m) => m > n)).length;
  assert.equal(disorder.stats.late, late);
});

Deno.test("delays make events overtake each other; discard drops what is held", async () => {
  const disorder = new StreamDisorder({ seed: 5, maxDelayMs: 30 });
  const all = Promise.withResolvers<void>();
  const sent: number[] = [];
  for (let i = 1; i <= 30; i++) {
    disorder.take(() => {
      sent.push(i);
      if (sent.length === 30) all.resolve();
    });
  }
  await all.promise;
  assert.ok(disorder.stats.late > 0);
  const other = new StreamDisorder({ seed: 5, maxDelayMs: 60_000 });
  other.take(() => assert.fail("a discarded event was sent"));
  other.discard();
  assert.equal(other.stats.held, 0);
});

Deno.test("bad options are refused with the option named", () => {
  assert.throws(() => new StreamDisorder({ seed: 1, dropRate: 2 }), /dropRate/);
  assert.throws(() => new StreamDisorder({ seed: 1, window: 0 }), /window/);
  assert.throws(() => new StreamDisorder({ seed: 1, maxDelayMs: -1 }), /maxDelayMs/);
  assert.throws(() => new StreamDisorder({ seed: Number.NaN }), /seed/);
});

Deno.test("the seeded generator is uniform enough", () => {
  const random = seededRandom(9);
  const values = Array.from({ length: 10_000 }, random);
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

Deno.test("a disordered stream loses and reorders notifications; the REST list has them all", async () => {
  await using server = await MastodonTestServer.start({ domain: "fedi.test" });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const ws = new TestSocket(`${server.streamingUrl}/api/v1/streaming`, {
    protocols: [bot.token!],
  });
  await ws.opened;
  ws.send({ type: "subscribe", stream: "user:notification" });
  await server.waitForStream(bot, "user:notification");
  server.faults.disorderStreams({ seed: 11, dropRate: 0.2, window: 6 });
  for (let i = 0; i < 30; i++) {
    server.follow(server.createAccount({ username: `f${i}`, domain: "other.example" }), bot);
  }
  const stats = server.faults.orderStreams();
  assert.ok(stats !== null);
  assert.equal(stats.published, 30);
  assert.ok(stats.dropped > 0 && stats.late > 0, JSON.stringify(stats));
  const streamed: string[] = [];
  for (let i = 0; i < stats.sent; i++) {
    const e = await ws.next();
    assert.equal(e.event, "notification");
    streamed.push(String(obj(JSON.parse(String(e.payload))).id));
  }
  assert.equal(streamed.length, 30 - stats.dropped);
  assert.notDeepEqual(streamed, [...streamed].sort((a, b) => Number(a) - Number(b)));
  const listed = await call(server.url, "GET", "/api/v1/notifications?limit=80", {
    token: bot.token,
  });
  const ids = list(listed.body).map((n) => String(n.id));
  assert.equal(ids.length, 30);
  for (const id of streamed) assert.ok(ids.includes(id));
  // In order again: the next one streams at once.
  server.follow(server.createAccount({ username: "late", domain: "other.example" }), bot);
  assert.equal((await ws.next()).event, "notification");
  assert.equal(server.faults.disorderStats(), null);
  await ws.close();
});
