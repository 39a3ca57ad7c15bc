/**
 * A link that dies without closing (the server frozen with SIGSTOP: its sockets stay open but
 * nothing answers) is noticed by the bot's pings; the bot reconnects once the server is back,
 * resuming its stream-management session, and what it sent meanwhile arrives once.
 */
import assert from "node:assert/strict";
import { XMPP } from "../../src/core/types.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { ALICE, BOT, startServer, TestBridge } from "./support.ts";

Deno.test("an unanswered ping closes a dead link; the bot comes back and resends", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server, {
    tuning: {
      pingIntervalMs: 200,
      pingTimeoutMs: 600,
      stepTimeoutMs: 1_000,
      sessionTimeoutMs: 3_000,
    },
  });
  const alice = { network: XMPP, address: server.jid(ALICE.user) } as const;
  const pid = server.pid;
  assert.ok(pid !== null);

  Deno.kill(pid, "SIGSTOP");
  try {
    // Written to a server that does not read: no acknowledgement can come.
    bridge.pump.push([{ kind: "notice", to: alice, text: "sent into the void", inReplyTo: null }]);
    await bridge.events.next((e) => e === "offline", 10_000, "the dead link noticed");
  } finally {
    Deno.kill(pid, "SIGCONT");
  }
  const back = await bridge.events.next(
    (e) => e === "online" || e === "resumed",
    20_000,
    "the bot back online",
  );
  const sent = await bridge.nextSent(() => true, 20_000);
  assert.ok(sent.result.ok);
  console.log(
    `session ${back} after the freeze; ${bridge.pump.failures.length} transient failure(s)`,
  );

  await using reader = XmppUser.of(server, ALICE.user, ALICE.password);
  await reader.connect();
  await reader.roster(); // offline messages are all in before this answer
  const copies = reader.messages.pending.filter((m) =>
    m.from.startsWith(server.jid(BOT.user)) && m.body === "sent into the void"
  );
  assert.ok(copies.length >= 1, "the message arrived");
  // A second copy is only possible when the stanza was resent by the outbox after a failure.
  assert.ok(copies.length === 1 || bridge.pump.failures.length > 0, `${copies.length} copies`);
});
