/** Our User-Agent goes out on every request: masto's REST calls, our own fetch, the WebSocket. */
import assert from "node:assert/strict";
import type { Config } from "../../src/config/mod.ts";
import { FediApi } from "../../src/fedi/api.ts";
import { StreamConnection } from "../../src/fedi/stream.ts";
import { systemClock } from "../../src/time/clock.ts";
import { logger } from "../../src/log.ts";

Deno.test("REST and WebSocket requests carry the configured User-Agent", async () => {
  const seen: { path: string; agent: string | null; auth: boolean }[] = [];
  const subscribed = Promise.withResolvers<string>();
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    seen.push({
      path: url.pathname,
      agent: req.headers.get("user-agent"),
      auth: req.headers.has("authorization") || req.headers.has("sec-websocket-protocol"),
    });
    if (req.headers.get("upgrade") === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req, { protocol: "secret-token" });
      socket.onmessage = (e) => subscribed.resolve(String(e.data));
      return response;
    }
    return Response.json({ id: "1", acct: "bridge", locked: false });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const config = {
    apApiUrl: base,
    fediToken: "secret-token",
    userAgent: "bridge-test/2.0 (+https://example.org)",
  } as Config;
  using api = new FediApi({ config, timers: systemClock });
  await api.call("verify", (m) => api.rest.v1.accounts.verifyCredentials.$raw(undefined, m));
  await api.getJson("domain blocks", "api/v1/instance/domain_blocks");

  const conn = new StreamConnection({
    streamingUrl: base.replace("http", "ws"),
    token: "secret-token",
    userAgent: config.userAgent,
    timers: systemClock,
    connectTimeoutMs: 3000,
    log: logger("fedi", "test"),
    onNotification: () => {},
    onActivity: () => {},
  });
  await conn.subscribed;
  assert.deepEqual(JSON.parse(await subscribed.promise), { type: "subscribe", stream: "user" });
  conn.close("done");
  assert.equal(await conn.ended, "done");
  await conn.settled(2000);

  assert.deepEqual(seen.map((s) => s.path), [
    "/api/v1/accounts/verify_credentials",
    "/api/v1/instance/domain_blocks",
    "/api/v1/streaming",
  ]);
  const [rest1, rest2, ws] = seen;
  assert.equal(rest1?.agent, config.userAgent);
  assert.equal(rest2?.agent, config.userAgent);
  // Deno's WebSocket sends its own "Deno/x" first and ours as a second header line
  // (denoland/deno#26866); a server joining them sees both.
  assert.ok(ws?.agent?.includes(config.userAgent), ws?.agent ?? "none");
  assert.ok(seen.every((s) => s.auth));
});
