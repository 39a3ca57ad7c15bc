/** The stream connection on its own: subscribing, receiving, and ending without leftovers. */
import assert from "node:assert/strict";
import type { mastodon } from "masto";
import { StreamConnection } from "../../src/fedi/stream.ts";
import { systemClock } from "../../src/time/clock.ts";
import { logger } from "../../src/log.ts";
import { MastodonTestServer } from "../mastodon/server.ts";

function connect(
  server: MastodonTestServer,
  token: string,
  onNotification: (n: mastodon.v1.Notification) => void = () => {},
) {
  return new StreamConnection({
    streamingUrl: server.streamingUrl,
    token,
    userAgent: "bridge-test/1.0",
    timers: systemClock,
    connectTimeoutMs: 3000,
    log: logger("fedi", "test"),
    onNotification,
    onActivity: () => {},
  });
}

Deno.test("a connection subscribes to the user stream and passes notifications on", async () => {
  await using server = await MastodonTestServer.start({ domain: "fedi.test" });
  const bot = server.createAccount({ username: "bridge" });
  const alice = server.createAccount({ username: "alice", domain: "other.example" });
  const got = Promise.withResolvers<mastodon.v1.Notification>();
  const conn = connect(server, bot.token!, got.resolve);
  await conn.subscribed;
  await server.waitForStream(bot);
  server.follow(alice, bot);
  const n = await got.promise;
  assert.equal(n.type, "follow");
  assert.equal(n.account.acct, "alice@other.example");
  await server.faults.dropStreams();
  assert.match(await conn.ended, /closed|error/);
  await conn.settled(3000);
});

Deno.test("a connection closed before masto subscribed ends, and masto opens no other", async () => {
  await using server = await MastodonTestServer.start({ domain: "fedi.test" });
  const bot = server.createAccount({ username: "bridge" });
  const conn = connect(server, bot.token!);
  // Open, but masto waits a second before it takes the socket and subscribes.
  await conn.opened;
  conn.close("test over");
  await assert.rejects(conn.subscribed);
  assert.equal(await conn.ended, "test over");
  // Settled once masto asked for its socket (and got one that is over).
  await conn.settled(3000);
  await server.waitUntil(() => server.streamConnections(bot) === 0);
  const upgrades = server.requests.filter((r) => r.path === "/api/v1/streaming");
  assert.equal(upgrades.length, 1);
});

Deno.test("a refused token ends the connection instead of retrying forever", async () => {
  await using server = await MastodonTestServer.start({ domain: "fedi.test" });
  const conn = connect(server, "wrong-token");
  await assert.rejects(conn.subscribed);
  assert.match(await conn.ended, /error|closed/);
  await conn.settled(3000);
});
