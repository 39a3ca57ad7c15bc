import assert from "node:assert/strict";
import { NodeInfoClient } from "./nodeinfo.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

/** A fetch that answers every server with a nodeinfo naming "mastodon", counting the calls. */
function fakeFetch(): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const answer = (url: URL) =>
    url.pathname === "/.well-known/nodeinfo"
      ? {
        links: [{
          rel: "http://nodeinfo.diaspora.software/ns/schema/2.0",
          href: `${url.origin}/nodeinfo/2.0`,
        }],
      }
      : { software: { name: "mastodon" } };
  const f = (input: string | URL | Request) => {
    calls++;
    const url = new URL(input instanceof Request ? input.url : input);
    return Promise.resolve(Response.json(answer(url)));
  };
  return { fetch: f as typeof fetch, calls: () => calls };
}

Deno.test("the nodeinfo cache keeps at most its bound of servers, the oldest going first", async () => {
  const { fetch, calls } = fakeFetch();
  const client = new NodeInfoClient({
    userAgent: "test",
    timers: new ManualClock(),
    baseUrl: (domain) => `https://${domain}`,
    allowed: () => true,
    fetch,
    maxCached: 3,
  });
  for (const n of [1, 2, 3, 4, 5]) {
    assert.equal(await client.appName(`s${n}.example`), "Mastodon");
  }
  assert.equal(client.cached, 3);
  const before = calls();
  assert.equal(await client.appName("s5.example"), "Mastodon");
  assert.equal(calls(), before, "a recent server is answered from the cache");
  await client.appName("s1.example");
  assert.equal(calls(), before + 2, "the oldest was forgotten: asked again");
  assert.equal(client.cached, 3);
});
