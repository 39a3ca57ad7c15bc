/** A stream that silently stops carrying anything is found out and replaced. */
import assert from "node:assert/strict";
import { makeHarness, nextEvent, notificationsUntil } from "./support.ts";

Deno.test("a silent stall is detected and the bot reconnects, missing nothing", async () => {
  await using h = await makeHarness({ stallTimeoutMs: 300 });
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  assert.equal(h.server.streamConnections(h.botAccount), 1);

  const stall = nextEvent(h.bot, "stall");
  const reconnected = nextEvent(h.bot, "reconnected");
  const handled = notificationsUntil(h.bot, (s) => s.length === 1);
  assert.equal(h.server.faults.stallStreams(), 1);
  const status = h.server.postAs(alice, { text: "@bridge@fedi.test !help", visibility: "direct" });
  await stall;
  await reconnected;
  const [event] = await handled;
  assert.equal(event?.outcome, "handled");
  assert.deepEqual(h.spy.calls.map((c) => c.inbound.kind === "message" && c.inbound.id), [
    status.id,
  ]);

  // The new connection works.
  const again = notificationsUntil(h.bot, (s) => s.length === 1);
  const next = h.server.postAs(alice, { text: "@bridge@fedi.test !help", visibility: "direct" });
  assert.equal((await again)[0]?.outcome, "handled");
  const last = h.spy.calls.at(-1)?.inbound;
  assert.equal(last?.kind === "message" ? last.id : null, next.id);
  assert.equal(h.spy.calls.length, 2);
  // Let the stalled socket finish closing before the server goes.
  h.server.faults.resumeStreams();
  await h.server.waitUntil(() => h.server.streamConnections(h.botAccount) === 1);
});

Deno.test("a quiet but healthy stream is checked and kept", async () => {
  await using h = await makeHarness({ stallTimeoutMs: 200 });
  await h.bot.start();
  let reconnects = 0;
  h.bot.addEventListener("reconnected", () => reconnects++);
  const count = () =>
    h.server.requests.filter((r) =>
      r.path === "/api/v1/notifications" && r.search.includes("min_id")
    )
      .length;
  const start = count();
  // Wait for two checks of the quiet stream.
  await h.server.waitUntil(() => count() >= start + 2);
  assert.equal(reconnects, 0);
  assert.equal(h.server.streamConnections(h.botAccount), 1);
});
