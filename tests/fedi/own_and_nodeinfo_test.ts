/**
 * The bot never answers itself, and it asks a third server for its software only when the
 * process may connect there.
 */
import assert from "node:assert/strict";
import type { mastodon } from "masto";
import { makeHarness, notificationsUntil } from "./support.ts";

Deno.test("notifications from the bot's own account are ignored (GoToSocial sends those)", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const first = notificationsUntil(h.bot, (s) => s.length === 1);
  h.server.postAs(alice, { text: "@bridge@fedi.test !help", visibility: "direct" });
  await first;
  await h.queue.settled();

  // What GoToSocial sends when the bot's answer mentions the bot: its own mention, and a follow.
  const [real] = await h.api.rest.v1.notifications.list({ types: ["mention"] });
  assert.ok(real);
  const me = await h.api.rest.v1.accounts.verifyCredentials();
  const ownStatus = (await h.api.rest.v1.statuses.$select(h.server.statusesOf(h.botAccount)[0]!.id)
    .fetch()) as mastodon.v1.Status;
  const own = { ...real, id: "999999999999", account: me, status: ownStatus };
  const ownFollow = { ...real, id: "999999999998", type: "follow", account: me, status: null };
  const calls = h.spy.calls.length;
  // The help answer: one status, or a thread of a few on a 500-character server.
  const answered = h.server.statusesOf(h.botAccount).length;
  const seen = notificationsUntil(h.bot, (s) => s.length === 2);
  h.bot.inlet.push(ownFollow as unknown as mastodon.v1.Notification);
  h.bot.inlet.push(own as mastodon.v1.Notification);
  assert.deepEqual((await seen).map((d) => d.outcome), ["ignored", "ignored"]);
  assert.equal(h.spy.calls.length, calls);
  await h.queue.settled();
  assert.equal(h.server.statusesOf(h.botAccount).length, answered);
});

Deno.test("nodeinfo is read only from hosts the process may connect to", async () => {
  const asked: string[] = [];
  const counting: typeof fetch = (input, init) => {
    asked.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  await using h = await makeHarness({ nodeinfoFetch: counting });
  // No permission for other.example in this test run: no request, no name.
  assert.equal(await h.directory.appName("other.example"), null);
  assert.deepEqual(asked, []);
  // The bot's own server (127.0.0.1 here) is allowed: its software is named.
  assert.equal(await h.directory.appName("fedi.test"), "Mastodon");
  assert.deepEqual(asked.map((u) => new URL(u).pathname), [
    "/.well-known/nodeinfo",
    "/nodeinfo/2.0",
  ]);
  // And remembered.
  assert.equal(await h.directory.appName("fedi.test"), "Mastodon");
  assert.equal(asked.length, 2);
});

Deno.test("the directory looks accounts up and reads their recent statuses", async () => {
  await using h = await makeHarness();
  const dave = h.server.createAccount({
    username: "dave",
    domain: "other.example",
    bot: true,
    note: "#nobot please",
  });
  h.server.postAs(dave, { text: "one", language: "fr" });
  h.server.postAs(dave, { text: "two", language: "de" });
  const info = await h.directory.lookup("dave@other.example");
  assert.deepEqual(info && { ...info, note: info.note.includes("#nobot") }, {
    id: dave.id,
    address: "dave@other.example",
    bot: true,
    group: false,
    note: true,
    url: "https://other.example/@dave",
  });
  assert.equal(await h.directory.lookup("nobody@other.example"), null);
  const recent = await h.directory.recentStatuses(dave.id, 40);
  assert.deepEqual(recent.map((s) => s.language), ["de", "fr"]);
  assert.ok(recent.every((s) => Math.abs(Date.now() - s.createdAt) < 60_000));
  assert.equal((await h.directory.recentStatuses(dave.id, 1)).length, 1);
});
