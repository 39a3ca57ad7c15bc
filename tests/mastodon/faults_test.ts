import assert from "node:assert/strict";
import { MastodonTestServer } from "./server.ts";
import { call, obj, TestSocket } from "./test_client.ts";

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

async function setup() {
  const server = await MastodonTestServer.start({ domain: "fedi.test", now: () => T0 });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  return { server, bot, alice, token: bot.token ?? "" };
}

function post(server: MastodonTestServer, token: string, key?: string) {
  return call(server.url, "POST", "/api/v1/statuses", {
    token,
    body: { status: "@alice@other.example hi", visibility: "direct" },
    ...(key === undefined ? {} : { headers: { "Idempotency-Key": key } }),
  });
}

Deno.test("rateLimitNext answers matching requests with 429 and a reset ahead", async () => {
  const { server, token } = await setup();
  await using _ = server;
  server.faults.rateLimitNext(2, { path: "/api/v1/statuses", resetInSeconds: 30 });
  const other = await call(server.url, "GET", "/api/v1/accounts/verify_credentials", { token });
  assert.equal(other.status, 200);
  for (let i = 0; i < 2; i++) {
    const res = await post(server, token);
    assert.equal(res.status, 429);
    assert.deepEqual(res.body, { error: "Too many requests" });
    assert.equal(res.headers.get("x-ratelimit-limit"), "300");
    assert.equal(res.headers.get("x-ratelimit-remaining"), "0");
    assert.equal(res.headers.get("x-ratelimit-reset"), "2025-01-15T12:00:30.000000Z");
  }
  assert.equal((await post(server, token)).status, 200);
});

Deno.test("serverErrorNext and serverErrorUntilCleared answer 5xx", async () => {
  const { server, token } = await setup();
  await using _ = server;
  const me = () => call(server.url, "GET", "/api/v1/accounts/verify_credentials", { token });
  server.faults.serverErrorNext(1, { status: 502 });
  const gateway = await me();
  assert.equal(gateway.status, 502);
  assert.equal(gateway.headers.get("content-type"), "text/html");
  assert.match(String(gateway.body), /502 Bad Gateway/);
  server.faults.serverErrorNext(1, { status: 503 });
  const unavailable = await me();
  assert.deepEqual([unavailable.status, unavailable.body], [503, { error: "Service Unavailable" }]);
  assert.equal((await me()).status, 200);
  server.faults.serverErrorUntilCleared({ status: 500 });
  assert.equal((await me()).status, 500);
  assert.equal((await me()).status, 500);
  server.faults.clearServerErrors();
  assert.equal((await me()).status, 200);
});

Deno.test("an error after the post was served: the retry with the same key posts nothing new", async () => {
  const { server, bot, token } = await setup();
  await using _ = server;
  server.faults.serverErrorNext(1, { status: 502, when: "after", path: "/api/v1/statuses" });
  const lost = await post(server, token, "outbox-7");
  assert.equal(lost.status, 502);
  assert.equal(server.statusesOf(bot).length, 1);
  const retry = await post(server, token, "outbox-7");
  assert.equal(retry.status, 200);
  assert.equal(obj(retry.body).id, server.statusesOf(bot)[0]?.id);
  assert.deepEqual(server.postStats(bot), { posts: 2, created: 1, distinctKeys: 1 });
});

Deno.test("down refuses connections and up listens again on the same port", async () => {
  const { server, bot, token } = await setup();
  await using _ = server;
  const ws = new TestSocket(`${server.streamingUrl}/api/v1/streaming?stream=user`, {
    protocols: [token],
  });
  await ws.opened;
  await server.waitForStream(bot, "user");
  const port = server.port;
  await server.faults.down();
  assert.equal((await ws.closed).wasClean, false);
  await assert.rejects(fetch(`${server.url}/api/v1/instance`), TypeError);
  server.faults.up();
  assert.equal(server.port, port);
  const res = await call(server.url, "GET", "/api/v1/instance");
  assert.equal(res.status, 200);
});

Deno.test("dropStreams cuts WebSockets without a close frame; HTTP keeps working", async () => {
  const { server, bot, token } = await setup();
  await using _ = server;
  const ws = new TestSocket(`${server.streamingUrl}/api/v1/streaming?stream=user`, {
    protocols: [token],
  });
  await ws.opened;
  await server.waitForStream(bot, "user");
  assert.equal(await server.faults.dropStreams(), 1);
  const closed = await ws.closed;
  // No close frame: browsers report 1006, Deno's client reports 0; never 1000/1001.
  assert.ok([0, 1006].includes(closed.code), `close code ${closed.code}`);
  assert.equal(closed.wasClean, false);
  await server.waitUntil(() => server.streamConnections(bot) === 0);
  assert.equal((await call(server.url, "GET", "/api/v1/instance")).status, 200);
});

Deno.test("stallStreams holds everything on open streams until resume; new streams flow", async () => {
  const { server, bot, alice, token } = await setup();
  await using _ = server;
  const url = `${server.streamingUrl}/api/v1/streaming?stream=user:notification`;
  const stalled = new TestSocket(url, { protocols: [token] });
  await stalled.opened;
  await server.waitForStream(bot);
  assert.equal(server.faults.stallStreams(), 1);
  const fresh = new TestSocket(url, { protocols: [token] });
  await fresh.opened;
  await server.waitUntil(() => server.streamConnections(bot) === 2);
  const posted = server.postAs(alice, {
    text: "@bridge@fedi.test are you there",
    visibility: "direct",
  });
  const delivered = await fresh.next();
  assert.equal(obj(obj(JSON.parse(String(delivered.payload))).status).id, posted.id);
  // The same event went to the stalled socket first, and is still held back.
  assert.equal(stalled.pending, 0);
  server.faults.resumeStreams();
  const late = await stalled.next();
  assert.equal(obj(obj(JSON.parse(String(late.payload))).status).id, posted.id);
  await Promise.all([stalled.close(), fresh.close()]);
});
