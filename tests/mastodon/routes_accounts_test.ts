import assert from "node:assert/strict";
import { MastodonTestServer } from "./server.ts";
import { call, list, obj } from "./test_client.ts";

async function setup() {
  let t = Date.UTC(2025, 0, 15, 12, 0, 0);
  const server = await MastodonTestServer.start({ domain: "fedi.test", now: () => (t += 1000) });
  const bot = server.createAccount({ username: "bridge", bot: true });
  const alice = server.createAccount({
    username: "alice",
    domain: "other.example",
    note: '<p>Hi <a href="https://other.example/tags/nobot">#nobot</a></p>',
    group: true,
    extraStatusesCount: 100,
  });
  return { server, bot, alice };
}

Deno.test("account statuses: visibility, filters and a Link header", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  const ids = [0, 1, 2, 3].map((i) =>
    server.postAs(alice, { text: `public ${i}`, language: "fr" }).id
  );
  server.postAs(alice, { text: "followers only", visibility: "private" });
  server.postAs(alice, { text: "@bridge@fedi.test direct", visibility: "direct" });
  const reply = server.postAs(bot, { text: "@alice@other.example answer", visibility: "direct" });
  server.postAs(alice, {
    text: "@bridge@fedi.test a reply",
    inReplyToId: reply.id,
    visibility: "direct",
  });

  const path = `/api/v1/accounts/${alice.id}/statuses`;
  const anonymous = await call(server.url, "GET", path);
  assert.deepEqual(list(anonymous.body).map((s) => s.id), [...ids].reverse());
  const signedIn = await call(server.url, "GET", path, { token: bot.token });
  assert.deepEqual(list(signedIn.body).map((s) => s.visibility), [
    "direct",
    "direct",
    "public",
    "public",
    "public",
    "public",
  ]);
  const noReplies = await call(server.url, "GET", `${path}?exclude_replies=true&limit=2`, {
    token: bot.token,
  });
  const page = list(noReplies.body);
  assert.deepEqual(page.map((s) => s.content), [
    '<p><span class="h-card" translate="no"><a href="https://fedi.test/@bridge" class="u-url mention">' +
    "@<span>bridge</span></a></span> direct</p>",
    "<p>public 3</p>",
  ]);
  assert.equal(page[0]?.in_reply_to_id, null);
  assert.equal(
    noReplies.headers.get("link"),
    `<${server.url}${path}?exclude_replies=true&limit=2&max_id=${page[1]?.id}>; rel="next", ` +
      `<${server.url}${path}?exclude_replies=true&limit=2&min_id=${page[0]?.id}>; rel="prev"`,
  );
  const profile = obj((await call(server.url, "GET", `/api/v1/accounts/${alice.id}`)).body);
  assert.equal(profile.statuses_count, 107);
  assert.equal(profile.group, true);
  assert.equal(profile.last_status_at, "2025-01-15");
  assert.match(String(profile.note), /#nobot/);
  assert.equal((await call(server.url, "GET", "/api/v1/accounts/999999")).status, 404);
});

Deno.test("statuses: hidden ones are 404, only the author deletes, media and polls attach", async () => {
  const { server, bot, alice } = await setup();
  await using _ = server;
  const other = server.createAccount({ username: "carol" });
  const secret = server.postAs(alice, { text: "@carol@fedi.test psst", visibility: "direct" });
  const view = (token?: string | null) =>
    call(server.url, "GET", `/api/v1/statuses/${secret.id}`, { token: token ?? null });
  assert.equal((await view()).status, 404);
  assert.equal((await view(bot.token)).status, 404);
  assert.equal((await view(other.token)).status, 200);
  const del = await call(server.url, "DELETE", `/api/v1/statuses/${secret.id}`, {
    token: other.token,
  });
  assert.equal(del.status, 404);

  const media = server.addMedia(bot, { description: "a cat" });
  const form = new FormData();
  form.append("status", "with a picture");
  form.append("media_ids[0]", media);
  const res = await fetch(`${server.url}/api/v1/statuses`, {
    method: "POST",
    headers: { Authorization: `Bearer ${bot.token}` },
    body: form,
  });
  const withMedia = obj(await res.json());
  assert.deepEqual(list(withMedia.media_attachments).map((m) => [m.id, m.description]), [[
    media,
    "a cat",
  ]]);
  const poll = await call(server.url, "POST", "/api/v1/statuses", {
    token: bot.token,
    body: { status: "pick one", "poll[options]": ["a", "b"], "poll[expires_in]": 600 },
    form: true,
  });
  const p = obj(obj(poll.body).poll);
  assert.deepEqual(list(p.options).map((o) => o.title), ["a", "b"]);
  assert.equal(p.expired, false);
  const reused = await call(server.url, "POST", "/api/v1/statuses", {
    token: bot.token,
    body: { status: "again", media_ids: [media] },
  });
  assert.equal(reused.status, 422);
});

Deno.test("backdated statuses get ids from their time and sort among the others", async () => {
  const { server, alice } = await setup();
  await using _ = server;
  const day = 24 * 60 * 60 * 1000;
  const recent = server.postAs(alice, { text: "recent" });
  const old = server.postAs(alice, { text: "old", createdAt: Date.UTC(2024, 11, 1) });
  const res = await call(server.url, "GET", `/api/v1/accounts/${alice.id}/statuses?limit=40`);
  const statuses = list(res.body);
  assert.deepEqual(statuses.map((s) => s.id), [recent.id, old.id]);
  assert.equal(statuses[1]?.created_at, "2024-12-01T00:00:00.000Z");
  assert.ok(Date.parse(String(statuses[0]?.created_at)) - Date.UTC(2024, 11, 1) > 30 * day);
});
