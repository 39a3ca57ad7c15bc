/** Rate limits: a 429 is waited out and retried with the same Idempotency-Key. */
import assert from "node:assert/strict";
import type { Effect } from "../../src/core/types.ts";
import { FEDI } from "../../src/core/types.ts";
import { makeHarness } from "./support.ts";

Deno.test("a 429 with a reset 2 s ahead is retried after the reset and posts once", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const deliver: Effect = {
    kind: "deliver",
    to: [{ network: FEDI, address: alice.address }],
    from: { network: 1, address: "bob@chat.test" },
    text: "@alice@other.example Message from XMPP user bob@chat.test\nhello",
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: "x1",
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
  h.server.faults.rateLimitNext(1, { path: "/api/v1/statuses", resetInSeconds: 2 });
  const result = await h.sender.send(deliver, "outbox-42");
  assert.ok(result.ok, JSON.stringify(result));
  const posts = h.server.requests.filter((r) =>
    r.method === "POST" && r.path === "/api/v1/statuses"
  );
  assert.deepEqual(posts.map((r) => r.status), [429, 200]);
  const waited = posts[1]!.at - posts[0]!.at;
  assert.ok(waited >= 1000, `retried after ${waited} ms`);
  // The 429 was not served: one POST served, one status, one key.
  assert.deepEqual(h.server.postStats(h.botAccount), { posts: 1, created: 1, distinctKeys: 1 });
  const [status] = h.server.statusesOf(h.botAccount);
  assert.equal(status?.idempotencyKey, "outbox-42");
  assert.equal(result.postedId, status?.id);
  assert.equal(status?.visibility, "direct");
  assert.equal(status?.language, "en");
});

Deno.test("a second 429 gives the outbox a retry time instead of a failure", async () => {
  await using h = await makeHarness();
  await h.bot.start();
  const notice: Effect = {
    kind: "notice",
    to: { network: FEDI, address: "alice@other.example" },
    text: "hello",
    inReplyTo: null,
  };
  h.server.faults.rateLimitNext(2, { path: "/api/v1/statuses", resetInSeconds: 1 });
  const before = Date.now();
  const result = await h.sender.send(notice, "outbox-7");
  assert.equal(result.ok, false);
  assert.ok(!result.ok && !result.permanent && result.retryAt !== undefined);
  assert.ok(!result.ok && result.retryAt! > before);
  assert.equal(h.server.postStats(h.botAccount).created, 0);
});

Deno.test("errors map to permanent or not, with short reasons", async () => {
  await using h = await makeHarness();
  await h.bot.start();
  const notice = (address: string, inReplyTo: string | null = "999999999"): Effect => ({
    kind: "notice",
    to: { network: FEDI, address },
    text: "x".repeat(10),
    inReplyTo,
  });
  // Replying to a status that does not exist: 404 from Mastodon.
  const missing = await h.sender.send(notice("alice@other.example"), "k1");
  assert.deepEqual(missing, { ok: false, permanent: true, reason: "HTTP 404: not found" });
  h.server.faults.serverErrorNext(1, { path: "/api/v1/statuses", status: 502 });
  const proxy = await h.sender.send(notice("alice@other.example", null), "k2");
  assert.equal(proxy.ok, false);
  assert.ok(!proxy.ok && !proxy.permanent);
  h.server.faults.serverErrorNext(1, { path: "/api/v1/statuses", status: 500 });
  const server = await h.sender.send(notice("alice@other.example", null), "k3");
  assert.deepEqual(server, { ok: false, permanent: false, reason: "HTTP 500" });
  const unknown = await h.sender.send({
    kind: "contact",
    to: { network: FEDI, address: "nobody@nowhere.example" },
    action: "follow",
    accountId: null,
  }, "k4");
  assert.deepEqual(unknown, { ok: false, permanent: true, reason: "unknown account" });
  h.server.setMaxCharacters(20);
  const long = await h.sender.send({
    kind: "deliver",
    to: [{ network: FEDI, address: "alice@other.example" }],
    from: { network: 1, address: "bob@chat.test" },
    text: "y".repeat(100),
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: "s",
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  }, "k5");
  assert.deepEqual(long, { ok: false, permanent: true, reason: "HTTP 422: refused by the server" });
});

Deno.test("when few requests are left, they are spread until the reset instead of failing", async () => {
  await using h = await makeHarness();
  await h.bot.start();
  // A fresh window of 8 requests per 1.5 s: far below the pacing threshold.
  h.server.setRateLimit(8, 1500);
  const results = [];
  for (let i = 0; i < 12; i++) {
    results.push(await h.directory.lookup(h.config.fediHandle));
  }
  assert.ok(results.every((r) => r?.address === h.config.fediHandle));
  const lookups = h.server.requests.filter((r) => r.path === "/api/v1/accounts/lookup");
  assert.deepEqual(lookups.filter((r) => r.status === 429), []);
});
