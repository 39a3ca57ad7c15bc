import assert from "node:assert/strict";
import { MastodonTestServer } from "./server.ts";
import { call, list, obj } from "./test_client.ts";

Deno.test("instance v1 and v2 announce limits and the streaming URL", async () => {
  await using server = await MastodonTestServer.start({
    domain: "fedi.test",
    maxCharacters: 5000,
    version: "4.3.2",
  });
  const v1 = obj((await call(server.url, "GET", "/api/v1/instance")).body);
  assert.equal(v1.uri, "fedi.test");
  assert.equal(v1.version, "4.3.2");
  assert.deepEqual(v1.urls, { streaming_api: server.streamingUrl });
  assert.deepEqual(obj(v1.configuration).statuses, {
    max_characters: 5000,
    max_media_attachments: 4,
    characters_reserved_per_url: 23,
  });
  const v2 = obj((await call(server.url, "GET", "/api/v2/instance")).body);
  assert.equal(v2.domain, "fedi.test");
  const config = obj(v2.configuration);
  assert.equal(obj(config.urls).streaming, server.streamingUrl);
  assert.equal(obj(config.statuses).max_characters, 5000);
});

Deno.test("domain blocks: listed, hidden (404) or reserved to signed-in users", async () => {
  await using server = await MastodonTestServer.start({
    domainBlocks: [{ domain: "spam.example", comment: "spam" }],
  });
  const bot = server.createAccount({ username: "bridge" });
  const get = (token?: string | null) =>
    call(server.url, "GET", "/api/v1/instance/domain_blocks", { token: token ?? null });
  const open = await get();
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("spam.example"));
  const digest = Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.deepEqual(list(open.body), [
    { domain: "spam.example", digest, severity: "suspend", comment: "spam" },
  ]);
  server.setDomainBlocks([{ domain: "spam.example" }], "users");
  assert.equal((await get()).status, 404);
  assert.equal((await get(bot.token)).status, 200);
  server.setDomainBlocks([], "hidden");
  const hidden = await get(bot.token);
  assert.deepEqual([hidden.status, hidden.body], [404, ""]);
  server.setDomainBlocks([], "authenticated");
  const locked = await get();
  assert.deepEqual([locked.status, locked.body], [401, {
    error: "This API requires an authenticated user",
  }]);
  assert.equal((await get("bad-token")).status, 401);
});

Deno.test("nodeinfo: discovery document and the 2.0 document name the software", async () => {
  await using server = await MastodonTestServer.start({
    software: { name: "gotosocial", version: "0.19.0" },
  });
  const discovery = obj((await call(server.url, "GET", "/.well-known/nodeinfo")).body);
  const link = list(discovery.links)[0];
  assert.equal(link?.rel, "http://nodeinfo.diaspora.software/ns/schema/2.0");
  assert.equal(link?.href, `${server.url}/nodeinfo/2.0`);
  const res = await fetch(String(link?.href));
  const doc = obj(await res.json());
  assert.equal(doc.version, "2.0");
  assert.deepEqual(doc.software, { name: "gotosocial", version: "0.19.0" });
  await using mastodon = await MastodonTestServer.start();
  const info = obj((await call(mastodon.url, "GET", "/nodeinfo/2.0")).body);
  assert.equal(obj(info.software).name, "mastodon");
});
