/** Editing, deleting, favouriting, edit history and what they stream and notify (issue 16). */

import assert from "node:assert/strict";
import { MastodonTestServer } from "./server.ts";
import { call, list, obj, TestSocket } from "./test_client.ts";

async function setup() {
  let t = Date.UTC(2025, 0, 15, 12, 0, 0);
  const server = await MastodonTestServer.start({ domain: "fedi.test", now: () => t });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  const carol = server.createAccount({ username: "carol" });
  const tick = (ms: number) => (t += ms);
  return { server, bot, alice, carol, tick };
}

/** A WebSocket of `token` subscribed to `stream`, ready once the server knows it. */
async function stream(server: MastodonTestServer, token: string | null, name: string) {
  const ws = new TestSocket(
    `${server.streamingUrl}/api/v1/streaming?stream=${name}&access_token=${token ?? ""}`,
  );
  await ws.opened;
  return ws;
}

Deno.test("PUT /api/v1/statuses/:id edits text, spoiler, language, media and poll; only the author", async () => {
  const { server, bot, carol, tick } = await setup();
  await using _ = server;
  const posted = await call(server.url, "POST", "/api/v1/statuses", {
    token: bot.token,
    body: { status: "teh first", visibility: "public" },
  });
  const id = String(obj(posted.body).id);
  assert.equal(obj(posted.body).edited_at, null);
  tick(60_000);
  const media = server.addMedia(bot, { description: "a cat" });
  const edited = await call(server.url, "PUT", `/api/v1/statuses/${id}`, {
    token: bot.token,
    body: {
      status: "the first @carol",
      spoiler_text: "cw",
      language: "de",
      media_ids: [media],
    },
  });
  assert.equal(edited.status, 200);
  const e = obj(edited.body);
  assert.equal(e.id, id);
  assert.equal(e.edited_at, "2025-01-15T12:01:00.000Z");
  assert.match(String(e.content), /^<p>the first <span class="h-card"/);
  assert.deepEqual([e.spoiler_text, e.sensitive, e.language], ["cw", true, "de"]);
  assert.deepEqual(list(e.media_attachments).map((m) => m.id), [media]);
  assert.deepEqual(list(e.mentions).map((m) => m.acct), ["carol"]);
  assert.equal(e.visibility, "public");
  // The newly mentioned local account is told, as a mention.
  assert.deepEqual(server.notificationsOf(carol).map((n) => n.type), ["mention"]);

  const byOther = await call(server.url, "PUT", `/api/v1/statuses/${id}`, {
    token: carol.token,
    body: { status: "hijacked" },
  });
  assert.deepEqual([byOther.status, byOther.body], [404, { error: "Record not found" }]);
  const tooLong = await call(server.url, "PUT", `/api/v1/statuses/${id}`, {
    token: bot.token,
    body: { status: "x".repeat(501) },
  });
  assert.deepEqual(
    [tooLong.status, tooLong.body],
    [422, { error: "Validation failed: Text character limit of 500 exceeded" }],
  );
  const blank = await call(server.url, "PUT", `/api/v1/statuses/${id}`, {
    token: bot.token,
    body: { status: " " },
  });
  assert.equal(blank.status, 422);
  const foreign = server.addMedia(carol);
  const stolen = await call(server.url, "PUT", `/api/v1/statuses/${id}`, {
    token: bot.token,
    body: { status: "x", media_ids: [foreign] },
  });
  assert.equal(stolen.status, 422);
  // The refused edits changed nothing.
  assert.equal(server.statusesOf(bot)[0]?.text, "the first @carol");

  // The request is the whole new version: no media_ids removes the media, a poll can come.
  tick(60_000);
  const withPoll = await call(server.url, "PUT", `/api/v1/statuses/${id}`, {
    token: bot.token,
    body: { status: "which?", "poll[options]": ["a", "b"], "poll[expires_in]": 600 },
    form: true,
  });
  assert.equal(withPoll.status, 200);
  const p = obj(withPoll.body);
  assert.deepEqual(p.media_attachments, []);
  assert.deepEqual(list(obj(p.poll).options).map((o) => o.title), ["a", "b"]);
  assert.deepEqual([p.spoiler_text, p.sensitive, p.language], ["", false, "de"]);
  assert.equal(server.media(media).statusId, null);
});

Deno.test("GET /api/v1/statuses/:id/history lists StatusEdit versions oldest first", async () => {
  const { server, bot, alice, tick } = await setup();
  await using _ = server;
  const s = server.postAs(alice, { text: "version one", visibility: "public" });
  const history = (token: string | null = null) =>
    call(server.url, "GET", `/api/v1/statuses/${s.id}/history`, { token });
  const never = list((await history()).body);
  assert.equal(never.length, 1);
  assert.equal(never[0]?.content, "<p>version one</p>");

  tick(1000);
  server.editAs(alice, s.id, { text: "version two", spoilerText: "spoiler" });
  tick(1000);
  server.editAs(alice, s.id, { text: "version two", spoilerText: "spoiler" }); // no change
  server.editStatus(s.id, { text: "version three" });
  const res = await history(bot.token);
  assert.equal(res.status, 200);
  const versions = list(res.body);
  assert.deepEqual(versions.map((v) => [v.content, v.spoiler_text, v.sensitive]), [
    ["<p>version one</p>", "", false],
    ["<p>version two</p>", "spoiler", true],
    ["<p>version three</p>", "spoiler", true],
  ]);
  assert.deepEqual(versions.map((v) => v.created_at), [
    "2025-01-15T12:00:00.000Z",
    "2025-01-15T12:00:01.000Z",
    "2025-01-15T12:00:02.000Z",
  ]);
  assert.equal(obj(versions[0]?.account).acct, "alice@other.example");
  assert.deepEqual(Object.keys(versions[0] ?? {}).sort(), [
    "account",
    "content",
    "created_at",
    "emojis",
    "media_attachments",
    "sensitive",
    "spoiler_text",
  ]);
  assert.deepEqual(server.historyOf(s.id), versions);

  const hidden = server.postAs(alice, { text: "@carol@fedi.test psst", visibility: "direct" });
  const h = await call(server.url, "GET", `/api/v1/statuses/${hidden.id}/history`, {
    token: bot.token,
  });
  assert.equal(h.status, 404);
  assert.throws(() => server.editAs(bot, s.id, { text: "not mine" }), /not by bridge@fedi.test/);
});

Deno.test("edits stream status.update to followers' home and to mentioned accounts' notifications", async () => {
  const { server, bot, alice, carol } = await setup();
  await using _ = server;
  const dave = server.createAccount({ username: "dave" });
  server.follow(carol, alice);
  const botNotes = await stream(server, bot.token, "user:notification");
  const carolUser = await stream(server, carol.token, "user");
  const daveUser = await stream(server, dave.token, "user");
  await server.waitForStream(bot, "user:notification");
  await server.waitForStream(carol, "user");
  await server.waitForStream(dave, "user");

  // A direct mention from someone the bot does not follow: only a notification reaches it.
  const dm = server.postAs(alice, { text: "@bridge@fedi.test hi", visibility: "direct" });
  const mention = await botNotes.next();
  assert.equal(mention.event, "notification");
  server.editAs(alice, dm.id, { text: "@bridge@fedi.test hi, edited" });
  const update = await botNotes.next();
  assert.deepEqual([update.stream, update.event], [["user:notification"], "status.update"]);
  const payload = obj(JSON.parse(String(update.payload)));
  assert.equal(payload.id, dm.id);
  assert.match(String(payload.content), /hi, edited/);
  assert.equal(typeof payload.edited_at, "string");

  // A public status reaches the home feed of the follower.
  const pub = server.postAs(alice, { text: "public words" });
  assert.equal((await carolUser.next()).event, "update");
  server.editStatus(pub.id, { text: "public words, fixed" });
  const carolSees = await carolUser.next();
  assert.deepEqual([carolSees.stream, carolSees.event], [["user"], "status.update"]);
  assert.equal(obj(JSON.parse(String(carolSees.payload))).id, pub.id);
  // Neither edit was for dave: the first thing dave's stream carries is what comes next.
  server.postAs(alice, { text: "@dave@fedi.test marker", visibility: "direct" });
  const first = await daveUser.next();
  assert.equal(first.event, "notification");
  await carolUser.close();
  await botNotes.close();
  await daveUser.close();
});

Deno.test("deletions stream delete (the id as a string) to followers and mentioned accounts", async () => {
  const { server, bot, alice, carol } = await setup();
  await using _ = server;
  server.follow(carol, bot);
  const botUser = await stream(server, bot.token, "user");
  const carolUser = await stream(server, carol.token, "user");
  await server.waitForStream(bot, "user");
  await server.waitForStream(carol, "user");

  const dm = server.postAs(alice, { text: "@bridge@fedi.test bye", visibility: "direct" });
  assert.equal((await botUser.next()).event, "notification");
  server.deleteAs(alice, dm.id);
  const gone = await botUser.next();
  assert.deepEqual([gone.stream, gone.event, gone.payload], [["user"], "delete", dm.id]);
  // Its mention notification went with it.
  assert.deepEqual(server.notificationsOf(bot).map((n) => n.type), ["follow"]);

  const own = await call(server.url, "POST", "/api/v1/statuses", {
    token: bot.token,
    body: { status: "to be taken back", visibility: "public" },
  });
  const id = String(obj(own.body).id);
  assert.equal((await botUser.next()).event, "update");
  assert.equal((await carolUser.next()).event, "update");
  const notMine = await call(server.url, "DELETE", `/api/v1/statuses/${id}`, {
    token: carol.token,
  });
  assert.equal(notMine.status, 404);
  const del = await call(server.url, "DELETE", `/api/v1/statuses/${id}`, { token: bot.token });
  assert.equal(del.status, 200);
  assert.equal(obj(del.body).text, "to be taken back");
  assert.equal(obj(del.body).content, undefined);
  for (const ws of [botUser, carolUser]) {
    const e = await ws.next();
    assert.deepEqual([e.event, e.payload], ["delete", id]);
  }
  assert.equal((await call(server.url, "GET", `/api/v1/statuses/${id}`)).status, 404);
  await botUser.close();
  await carolUser.close();
});

Deno.test("favourite and unfavourite: flags, counts and the author's favourite notification", async () => {
  const { server, bot, alice, carol } = await setup();
  await using _ = server;
  const mine = await call(server.url, "POST", "/api/v1/statuses", {
    token: bot.token,
    body: { status: "@carol hello", visibility: "unlisted" },
  });
  const id = String(obj(mine.body).id);
  const notes = await stream(server, bot.token, "user:notification");
  await server.waitForStream(bot, "user:notification");

  const fav = await call(server.url, "POST", `/api/v1/statuses/${id}/favourite`, {
    token: carol.token,
  });
  assert.equal(fav.status, 200);
  assert.deepEqual([obj(fav.body).favourited, obj(fav.body).favourites_count], [true, 1]);
  const again = await call(server.url, "POST", `/api/v1/statuses/${id}/favourite`, {
    token: carol.token,
  });
  assert.equal(obj(again.body).favourites_count, 1);
  const event = await notes.next();
  const n = obj(JSON.parse(String(event.payload)));
  assert.deepEqual([n.type, obj(n.account).acct, obj(n.status).id], ["favourite", "carol", id]);

  // A Fediverse user of another server favourites it through the test hook.
  server.favourite(alice, id);
  const remote = obj(JSON.parse(String((await notes.next()).payload)));
  assert.deepEqual([remote.type, obj(remote.account).acct], ["favourite", "alice@other.example"]);
  assert.deepEqual(server.favouritesOf(id), ["carol@fedi.test", "alice@other.example"]);
  const listed = await call(server.url, "GET", "/api/v1/notifications?types[]=favourite", {
    token: bot.token,
  });
  assert.deepEqual(list(listed.body).map((x) => obj(x.account).acct), [
    "alice@other.example",
    "carol",
  ]);
  const mentionsOnly = await call(server.url, "GET", "/api/v1/notifications?types[]=mention", {
    token: bot.token,
  });
  assert.deepEqual(mentionsOnly.body, []);

  const unfav = await call(server.url, "POST", `/api/v1/statuses/${id}/unfavourite`, {
    token: carol.token,
  });
  assert.deepEqual([obj(unfav.body).favourited, obj(unfav.body).favourites_count], [false, 1]);
  server.unfavourite(alice, id);
  assert.deepEqual(server.favouritesOf(id), []);
  assert.deepEqual(server.notificationsOf(bot), []);
  const viewed = await call(server.url, "GET", `/api/v1/statuses/${id}`, { token: bot.token });
  assert.deepEqual([obj(viewed.body).favourited, obj(viewed.body).favourites_count], [false, 0]);

  // A status the caller cannot see cannot be favourited.
  const dave = server.createAccount({ username: "dave" });
  const secret = server.postAs(alice, { text: "@carol@fedi.test psst", visibility: "direct" });
  const hidden = await call(server.url, "POST", `/api/v1/statuses/${secret.id}/favourite`, {
    token: dave.token,
  });
  assert.equal(hidden.status, 404);
  await notes.close();
});

Deno.test("an edit of a boosted status sends update notifications, filtered by types[]", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  const s = server.postAs(alice, { text: "boost me" });
  server.reblog(bot, s.id);
  const view = obj(
    (await call(server.url, "GET", `/api/v1/statuses/${s.id}`, {
      token: bot.token,
    })).body,
  );
  assert.deepEqual([view.reblogged, view.reblogs_count], [true, 1]);
  server.editStatus(s.id, { text: "boost me, edited" });
  const res = await call(server.url, "GET", "/api/v1/notifications?types[]=update", {
    token: bot.token,
  });
  const [n, ...rest] = list(res.body);
  assert.equal(rest.length, 0);
  assert.equal(n?.type, "update");
  assert.equal(obj(n?.status).content, "<p>boost me, edited</p>");
  const excluded = await call(server.url, "GET", "/api/v1/notifications?exclude_types[]=update", {
    token: bot.token,
  });
  assert.deepEqual(excluded.body, []);
});
