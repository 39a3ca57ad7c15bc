import assert from "node:assert/strict";
import { MastodonTestServer } from "./server.ts";
import { call, obj, TestSocket } from "./test_client.ts";

async function setup(options: Parameters<typeof MastodonTestServer.start>[0] = {}) {
  const server = await MastodonTestServer.start({ domain: "fedi.test", ...options });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  return { server, bot, alice, token: bot.token ?? "" };
}

Deno.test("the streaming health check answers OK", async () => {
  const { server } = await setup();
  await using _ = server;
  const res = await fetch(`${server.url}/api/v1/streaming/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain");
  assert.equal(await res.text(), "OK");
});

Deno.test("subscribe messages pick streams; events carry the stream name and a string payload", async () => {
  const { server, bot, alice, token } = await setup();
  await using _ = server;
  server.follow(bot, alice);
  const ws = new TestSocket(`${server.streamingUrl}/api/v1/streaming`, { protocols: [token] });
  await ws.opened;
  assert.equal(ws.socket.protocol, token);
  ws.send({ type: "subscribe", stream: "user" });
  ws.send({ type: "subscribe", stream: "user:notification" });
  await server.waitForStream(bot, "user");
  await server.waitForStream(bot, "user:notification");

  const mention = server.postAs(alice, { text: "@bridge@fedi.test hi", visibility: "direct" });
  // A direct status reaches the home timeline of a mentioned follower, then the notification
  // goes to both subscriptions.
  const update = await ws.next();
  assert.deepEqual([update.stream, update.event], [["user"], "update"]);
  assert.equal(obj(JSON.parse(String(update.payload))).id, mention.id);
  const streams = [await ws.next(), await ws.next()].map((e) => [e.stream, e.event]);
  assert.deepEqual(streams.sort(), [
    [["user"], "notification"],
    [["user:notification"], "notification"],
  ]);

  ws.send({ type: "unsubscribe", stream: "user:notification" });
  const posted = await call(server.url, "POST", "/api/v1/statuses", {
    token,
    body: { status: "own post", visibility: "public" },
  });
  const own = await ws.next();
  assert.deepEqual([own.stream, own.event], [["user"], "update"]);
  assert.equal(obj(JSON.parse(String(own.payload))).id, obj(posted.body).id);

  const id = String(obj(posted.body).id);
  server.editStatus(id, { text: "own post, edited" });
  const edited = await ws.next();
  assert.equal(edited.event, "status.update");
  assert.equal(obj(JSON.parse(String(edited.payload))).content, "<p>own post, edited</p>");

  const deleted = await call(server.url, "DELETE", `/api/v1/statuses/${id}`, { token });
  assert.equal(obj(deleted.body).text, "own post, edited");
  const gone = await ws.next();
  assert.deepEqual([gone.event, gone.payload], ["delete", id]);
  await ws.close();
});

Deno.test("the token is also taken from access_token or the Authorization header", async () => {
  const { server, bot, alice, token } = await setup();
  await using _ = server;
  const byQuery = new TestSocket(
    `${server.streamingUrl}/api/v1/streaming?stream=user&access_token=${token}`,
  );
  const byHeader = new TestSocket(`${server.streamingUrl}/api/v1/streaming?stream=user`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  await Promise.all([byQuery.opened, byHeader.opened]);
  await server.waitUntil(() => server.streamConnections(bot) === 2);
  await server.waitForStream(bot, "user");
  server.postAs(alice, { text: "@bridge@fedi.test both", visibility: "direct" });
  assert.equal((await byQuery.next()).event, "notification");
  assert.equal((await byHeader.next()).event, "notification");
  await Promise.all([byQuery.close(), byHeader.close()]);
});

Deno.test("a wrong token is refused before the upgrade; an unknown stream gets an error message", async () => {
  const { server, token } = await setup();
  await using _ = server;
  const refused = new TestSocket(`${server.streamingUrl}/api/v1/streaming?stream=user`, {
    protocols: ["not-a-token"],
  });
  await assert.rejects(refused.opened);
  const closed = await refused.closed;
  assert.equal(closed.wasClean, false);
  const sse = await call(server.url, "GET", "/api/v1/streaming/user", { token: "not-a-token" });
  assert.equal(sse.status, 401);
  assert.deepEqual(sse.body, { error: "Invalid access token" });

  const ws = new TestSocket(`${server.streamingUrl}/api/v1/streaming`, { protocols: [token] });
  await ws.opened;
  ws.send({ type: "subscribe", stream: "nonsense" });
  assert.deepEqual(await ws.next(), { error: "Unknown stream type", status: 400 });
  ws.send({ type: "subscribe", stream: "hashtag" });
  assert.deepEqual(await ws.next(), { error: "Missing tag name parameter", status: 400 });
  await ws.close();
});

/** Reads an event stream until `done` says what was read is enough. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  while (!done(text)) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

Deno.test("server-sent events: a greeting, events and :thump heartbeats", async () => {
  const { server, bot, alice, token } = await setup({ sseHeartbeatMs: 20 });
  await using _ = server;
  const res = await fetch(`${server.url}/api/v1/streaming/user/notification`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.getReader();
  assert.equal(await readUntil(reader, (t) => t.includes(":)\n")), ":)\n");
  await server.waitForStream(bot, "user:notification");
  const posted = server.postAs(alice, { text: "@bridge@fedi.test sse", visibility: "direct" });
  const text = await readUntil(reader, (t) => t.includes("\n\n"));
  const event = text.slice(text.indexOf("event: "));
  assert.match(event, /^event: notification\ndata: \{.*\}\n\n$/);
  const payload = obj(JSON.parse(event.split("\n")[1]!.slice("data: ".length)));
  assert.equal(obj(payload.status).id, posted.id);
  assert.match(await readUntil(reader, (t) => t.includes(":thump\n")), /:thump\n/);
  await reader.cancel();
});
