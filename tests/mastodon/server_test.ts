import assert from "node:assert/strict";
import { MastodonTestServer } from "./server.ts";
import { call, list, obj, TestSocket } from "./test_client.ts";

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

async function setup(options: Parameters<typeof MastodonTestServer.start>[0] = {}) {
  let t = T0;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const server = await MastodonTestServer.start({
    now: clock.now,
    domain: "fedi.test",
    ...options,
  });
  const bot = server.createAccount({ username: "bridge", bot: true, note: "Bridge bot" });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  const bob = server.createAccount({ username: "bob", locked: true });
  return { server, clock, bot, alice, bob };
}

Deno.test("a request without a token or with a wrong one gets 401 and a JSON error", async () => {
  const { server, bot } = await setup();
  await using _ = server;
  for (const token of [null, "wrong-token"]) {
    const res = await call(server.url, "GET", "/api/v1/accounts/verify_credentials", { token });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: "The access token is invalid" });
  }
  const me = await call(server.url, "GET", "/api/v1/accounts/verify_credentials", {
    token: bot.token,
  });
  assert.equal(me.status, 200);
  const account = obj(me.body);
  assert.equal(account.acct, "bridge");
  assert.equal(account.bot, true);
  assert.equal(account.note, "<p>Bridge bot</p>");
  assert.equal(account.created_at, "2025-01-15T00:00:00.000Z");
  assert.equal(obj(account.source).note, "Bridge bot");
});

Deno.test("lookup finds local and remote accounts by acct, 404 otherwise", async () => {
  const { server, alice } = await setup();
  await using _ = server;
  const remote = await call(server.url, "GET", "/api/v1/accounts/lookup?acct=alice@other.example");
  assert.equal(remote.status, 200);
  assert.equal(obj(remote.body).id, alice.id);
  assert.equal(obj(remote.body).acct, "alice@other.example");
  assert.equal(obj(remote.body).url, "https://other.example/@alice");
  const local = await call(server.url, "GET", "/api/v1/accounts/lookup?acct=bob@fedi.test");
  assert.equal(obj(local.body).acct, "bob");
  assert.equal(obj(local.body).locked, true);
  const missing = await call(
    server.url,
    "GET",
    "/api/v1/accounts/lookup?acct=nobody@other.example",
  );
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { error: "Record not found" });
});

Deno.test("a posted status is rendered as Mastodon HTML with its mentions", async () => {
  const { server, bot, alice, bob } = await setup();
  await using _ = server;
  const original = server.postAs(alice, { text: "@bridge hi", visibility: "direct" });
  assert.deepEqual(original.mentions, []); // a bare @bridge on other.example names bridge@other.example
  const toBot = server.postAs(alice, { text: "@bridge@fedi.test hi", visibility: "direct" });
  assert.deepEqual(toBot.mentions, ["bridge@fedi.test"]);
  const res = await call(server.url, "POST", "/api/v1/statuses", {
    token: bot.token,
    form: true,
    body: {
      status: "@alice@other.example hello <b>\nsecond line\n\n@bob and @ghost",
      visibility: "direct",
      in_reply_to_id: toBot.id,
      language: "de",
      spoiler_text: "cw",
    },
  });
  assert.equal(res.status, 200);
  const status = obj(res.body);
  assert.equal(
    status.content,
    '<p><span class="h-card" translate="no"><a href="https://other.example/@alice" class="u-url mention">' +
      "@<span>alice</span></a></span> hello &lt;b&gt;<br />second line</p>" +
      '<p><span class="h-card" translate="no"><a href="https://fedi.test/@bob" class="u-url mention">' +
      "@<span>bob</span></a></span> and @ghost</p>",
  );
  assert.deepEqual(list(status.mentions).map((m) => m.acct), ["alice@other.example", "bob"]);
  assert.equal(status.visibility, "direct");
  assert.equal(status.in_reply_to_id, toBot.id);
  assert.equal(status.in_reply_to_account_id, alice.id);
  assert.equal(status.language, "de");
  assert.equal(status.spoiler_text, "cw");
  assert.equal(status.sensitive, true);
  const posted = server.statusesOf(bot);
  assert.equal(posted.length, 1);
  assert.deepEqual(posted[0]?.mentions, ["alice@other.example", "bob@fedi.test"]);
  // Local bob is notified; remote alice is not served here; the bot got alice's mention.
  assert.deepEqual(server.notificationsOf(bob).map((n) => n.type), ["mention"]);
  assert.deepEqual(server.notificationsOf(bot).map((n) => n.type), ["mention"]);
});

Deno.test("Idempotency-Key: a repeated POST returns the first status and creates one", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  const post = (key: string, token = bot.token) =>
    call(server.url, "POST", "/api/v1/statuses", {
      token,
      headers: { "Idempotency-Key": key },
      body: { status: "@alice@other.example once", visibility: "direct" },
    });
  const first = await post("outbox-1");
  const again = await post("outbox-1");
  assert.equal(first.status, 200);
  assert.equal(again.status, 200);
  assert.equal(obj(again.body).id, obj(first.body).id);
  const other = await post("outbox-2");
  assert.notEqual(obj(other.body).id, obj(first.body).id);
  assert.deepEqual(server.postStats(bot), { posts: 3, created: 2, distinctKeys: 2 });
  assert.equal(server.statusesOf(bot)[0]?.idempotencyKey, "outbox-1");
  assert.equal(server.statusesOf(alice).length, 0);
});

Deno.test("the status length limit counts URLs as 23 characters and is configurable", async () => {
  const { server, bot } = await setup({ maxCharacters: 30 });
  await using _ = server;
  const post = (status: string) =>
    call(server.url, "POST", "/api/v1/statuses", { token: bot.token, body: { status } });
  const url = "https://example.com/" + "x".repeat(100);
  assert.equal((await post(`see ${url}`)).status, 200); // 4 + 23 characters
  const tooLong = await post("y".repeat(31));
  assert.equal(tooLong.status, 422);
  assert.deepEqual(tooLong.body, {
    error: "Validation failed: Text character limit of 30 exceeded",
  });
  const blank = await post("  ");
  assert.deepEqual(blank.body, { error: "Validation failed: Text can't be blank" });
  server.setMaxCharacters(5000);
  const v1 = obj((await call(server.url, "GET", "/api/v1/instance")).body);
  assert.equal(obj(obj(v1.configuration).statuses).max_characters, 5000);
});

Deno.test("notifications paginate with Link headers built as Mastodon builds them", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  for (let i = 0; i < 5; i++) {
    server.postAs(alice, { text: `@bridge@fedi.test n${i}`, visibility: "direct" });
  }
  const ids = server.notificationsOf(bot).map((n) => String(n.id));
  const get = (path: string) => call(server.url, "GET", path, { token: bot.token });
  const page1 = await get("/api/v1/notifications?limit=2");
  assert.deepEqual(list(page1.body).map((n) => n.id), [ids[4], ids[3]]);
  assert.equal(
    page1.headers.get("link"),
    `<${server.url}/api/v1/notifications?limit=2&max_id=${ids[3]}>; rel="next", ` +
      `<${server.url}/api/v1/notifications?limit=2&min_id=${ids[4]}>; rel="prev"`,
  );
  const seen: unknown[] = [];
  let next: string | undefined = `${server.url}/api/v1/notifications?limit=2`;
  while (next !== undefined) {
    const page = await get(next.slice(server.url.length));
    const items = list(page.body);
    seen.push(...items.map((n) => n.id));
    next = items.length === 0
      ? undefined
      : page.headers.get("link")?.match(/<([^>]+)>; rel="next"/)?.[1];
  }
  assert.deepEqual(seen, [...ids].reverse());
  const newer = await get(`/api/v1/notifications?min_id=${ids[1]}&limit=2`);
  assert.deepEqual(list(newer.body).map((n) => n.id), [ids[3], ids[2]]);
  const since = await get(`/api/v1/notifications?since_id=${ids[1]}&limit=2`);
  assert.deepEqual(list(since.body).map((n) => n.id), [ids[4], ids[3]]);
  const empty = await get(`/api/v1/notifications?since_id=${ids[4]}`);
  assert.deepEqual(empty.body, []);
  assert.equal(empty.headers.get("link"), null);
});

Deno.test("types[] and exclude_types[] filter notifications and stay in the links", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  server.follow(alice, bot);
  const mention = server.postAs(alice, { text: "@bridge@fedi.test hi", visibility: "direct" });
  const get = (q: string) =>
    call(server.url, "GET", `/api/v1/notifications?${q}`, { token: bot.token });
  const mentions = await get("types[]=mention&limit=5");
  const items = list(mentions.body);
  assert.deepEqual(items.map((n) => n.type), ["mention"]);
  assert.equal(obj(items[0]?.status).id, mention.id);
  assert.equal(obj(items[0]?.account).acct, "alice@other.example");
  assert.match(
    mentions.headers.get("link") ?? "",
    /\?limit=5&max_id=\d+&types%5B%5D=mention>; rel="next"/,
  );
  const follows = await get("exclude_types[]=mention");
  assert.deepEqual(list(follows.body).map((n) => n.type), ["follow"]);
  assert.equal(list(follows.body)[0]?.status, undefined);
  const both = await get("types[]=mention&types[]=follow");
  assert.deepEqual(list(both.body).map((n) => n.type), ["mention", "follow"]);
});

Deno.test("rate-limit headers count down and the request past the limit gets 429", async () => {
  const { server, bot, clock } = await setup({ rateLimit: { limit: 3, windowMs: 60_000 } });
  await using _ = server;
  const get = () =>
    call(server.url, "GET", "/api/v1/accounts/verify_credentials", { token: bot.token });
  const remaining: (string | null)[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await get();
    assert.equal(res.status, 200);
    remaining.push(res.headers.get("x-ratelimit-remaining"));
    assert.equal(res.headers.get("x-ratelimit-limit"), "3");
    assert.equal(res.headers.get("x-ratelimit-reset"), "2025-01-15T12:01:00.000000Z");
  }
  assert.deepEqual(remaining, ["2", "1", "0"]);
  const refused = await get();
  assert.equal(refused.status, 429);
  assert.deepEqual(refused.body, { error: "Too many requests" });
  assert.equal(refused.headers.get("x-ratelimit-remaining"), "0");
  clock.advance(60_000);
  const later = await get();
  assert.equal(later.status, 200);
  assert.equal(later.headers.get("x-ratelimit-remaining"), "2");
});

Deno.test("a mention by a user arrives as a notification event on the bot's stream", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  const url = `${server.streamingUrl}/api/v1/streaming?stream=user:notification`;
  const ws = new TestSocket(url, { protocols: [bot.token ?? ""] });
  await ws.opened;
  await server.waitForStream(bot);
  const posted = server.postAs(alice, { text: "@bridge@fedi.test ping", visibility: "direct" });
  const event = await ws.next();
  assert.deepEqual(event.stream, ["user:notification"]);
  assert.equal(event.event, "notification");
  assert.equal(typeof event.payload, "string");
  const notification = obj(JSON.parse(String(event.payload)));
  assert.equal(notification.type, "mention");
  assert.equal(obj(notification.status).id, posted.id);
  await ws.close();
});

Deno.test("follows: unlocked accounts are followed, locked ones get a request", async () => {
  const { server, bot, alice, bob } = await setup();
  await using _ = server;
  const follow = (id: string) =>
    call(server.url, "POST", `/api/v1/accounts/${id}/follow`, {
      token: bot.token,
      body: { reblogs: false, notify: false },
    });
  const a = obj((await follow(alice.id)).body);
  assert.equal(a.following, true);
  assert.equal(a.showing_reblogs, false);
  const b = obj((await follow(bob.id)).body);
  assert.equal(b.following, false);
  assert.equal(b.requested, true);
  assert.deepEqual(server.notificationsOf(bob).map((n) => n.type), ["follow_request"]);
  server.follow(alice, bot);
  const rels = await call(
    server.url,
    "GET",
    `/api/v1/accounts/relationships?id[]=${alice.id}&id[]=${bob.id}`,
    {
      token: bot.token,
    },
  );
  assert.deepEqual(list(rels.body).map((r) => [r.id, r.following, r.followed_by, r.requested]), [
    [alice.id, true, true, false],
    [bob.id, false, false, true],
  ]);
  const requests = await call(server.url, "GET", "/api/v1/follow_requests", { token: bob.token });
  assert.deepEqual(list(requests.body).map((r) => r.id), [bot.id]);
  const ok = await call(server.url, "POST", `/api/v1/follow_requests/${bot.id}/authorize`, {
    token: bob.token,
  });
  assert.equal(obj(ok.body).followed_by, true);
  assert.equal(obj(server.relationship(bot, bob)).following, true);
  assert.deepEqual(server.notificationsOf(bob), []);
  const again = await call(server.url, "POST", `/api/v1/follow_requests/${bot.id}/reject`, {
    token: bob.token,
  });
  assert.equal(again.status, 404);
});
