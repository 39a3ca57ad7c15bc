/** The real client library the bot uses must accept what the test server answers. */

import assert from "node:assert/strict";
import { createRestAPIClient, createStreamingAPIClient } from "masto";
import { MastodonTestServer } from "./server.ts";

Deno.test("npm masto posts, pages notifications and receives a streamed notification", async () => {
  await using server = await MastodonTestServer.start({ domain: "fedi.test" });
  const bot = server.createAccount({ username: "bridge", bot: true, locked: true });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  const rest = createRestAPIClient({ url: server.url, accessToken: bot.token ?? "" });

  const me = await rest.v1.accounts.verifyCredentials();
  assert.deepEqual([me.acct, me.bot, me.locked], ["bridge", true, true]);
  const found = await rest.v1.accounts.lookup({ acct: "alice@other.example" });
  assert.equal(found.id, alice.id);
  const instance = await rest.v2.instance.fetch();
  assert.equal(instance.configuration.urls.streaming, server.streamingUrl);
  assert.equal(instance.configuration.statuses.maxCharacters, 500);
  const v1 = await rest.v1.instance.fetch();
  assert.equal(v1.urls.streamingApi, server.streamingUrl);

  const params = {
    status: "@alice@other.example hello",
    visibility: "direct",
    language: "en",
  } as const;
  const meta = { requestInit: { headers: { "Idempotency-Key": "outbox-1" } } };
  const status = await rest.v1.statuses.create(params, meta);
  const again = await rest.v1.statuses.create(params, meta);
  assert.equal(again.id, status.id);
  assert.deepEqual(status.mentions.map((m) => m.acct), ["alice@other.example"]);
  assert.deepEqual(server.postStats(bot), { posts: 2, created: 1, distinctKeys: 1 });

  const rel = await rest.v1.accounts.$select(alice.id).follow({ reblogs: false, notify: false });
  assert.deepEqual([rel.following, rel.showingReblogs], [true, false]);
  const [fetched] = await rest.v1.accounts.relationships.fetch({ id: [alice.id] });
  assert.equal(fetched?.following, true);

  for (let i = 0; i < 3; i++) {
    server.postAs(alice, {
      text: `@bridge@fedi.test m${i}`,
      visibility: "direct",
      inReplyToId: status.id,
    });
  }
  server.follow(alice, bot);
  const pages: string[][] = [];
  for await (const page of rest.v1.notifications.list({ types: ["mention"], limit: 2 })) {
    pages.push(page.map((n) => `${n.type}:${n.status?.inReplyToId === status.id}`));
  }
  assert.deepEqual(pages, [["mention:true", "mention:true"], ["mention:true"], []]);
  const requests = await rest.v1.followRequests.list();
  assert.deepEqual(requests.map((a) => a.acct), ["alice@other.example"]);
  const accepted = await rest.v1.followRequests.$select(alice.id).authorize();
  assert.equal(accepted.followedBy, true);

  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: bot.token ?? "",
    implementation: WebSocket,
  });
  const subscription = streaming.user.notification.subscribe();
  const events = subscription[Symbol.asyncIterator]();
  const first = events.next();
  await server.waitForStream(bot, "user:notification");
  const mention = server.postAs(alice, {
    text: "@bridge@fedi.test streamed",
    visibility: "direct",
  });
  const { value } = await first;
  assert.equal(value?.event, "notification");
  assert.ok(value?.event === "notification");
  assert.equal(value.payload.type, "mention");
  assert.equal(value.payload.status?.id, mention.id);
  assert.deepEqual(value.stream, ["user:notification"]);
  streaming.close();
  await events.return?.(undefined).catch(() => {});
});
