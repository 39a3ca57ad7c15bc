/**
 * Prosody is killed (SIGKILL) and restarted while the bot is sending: the bot reconnects by
 * itself, and every message it was asked to send reaches the recipient. The recipient is
 * offline meanwhile, so what the server took is in its offline store (written before it
 * acknowledges), and counting needs no live connection across the crash.
 */
import assert from "node:assert/strict";
import { type Effect, XMPP } from "../../src/core/types.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { ALICE, BOT, startServer, TestBridge } from "./support.ts";

const MESSAGES = 60;
const KILL_AT = 15;

Deno.test("a server crash while sending: the bot reconnects and no message is lost", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server, { concurrency: 3 });
  const alice = { network: XMPP, address: server.jid(ALICE.user) } as const;

  let crash: Promise<void> | null = null;
  bridge.pump.onAttempt = (key, attempt) => {
    if (crash === null && key === `fx-${KILL_AT}` && attempt === 1) {
      crash = (async () => {
        await server.kill("SIGKILL");
        await server.restart();
      })();
    }
  };
  const notices: Effect[] = Array.from({ length: MESSAGES }, (_, i) => ({
    kind: "notice",
    to: alice,
    text: `message ${i + 1}`,
    inReplyTo: null,
  }));
  bridge.pump.push(notices);

  for (let i = 0; i < MESSAGES; i++) {
    const sent = await bridge.nextSent(() => true, 60_000);
    assert.ok(sent.result.ok, `${sent.key} failed for good`);
  }
  assert.ok(crash !== null, "the server was killed while sending");
  await crash;
  await bridge.events.next((e) => e === "offline", 1_000, "the bot noticed the crash");
  // The server forgot the stream-management session: resumption fails, a new session opens.
  await bridge.events.next((e) => e === "online", 1_000, "the bot came back by itself");

  // Stanzas written but never acknowledged: the only ones that may arrive twice.
  const unacknowledged = new Set(
    bridge.pump.failures.filter((f) => !/^not connected/.test(f.reason)).map((f) => f.key),
  );

  await using reader = XmppUser.of(server, ALICE.user, ALICE.password);
  await reader.connect();
  // Offline messages come right after the initial presence: once a later answer is back, all
  // of them are here.
  await reader.roster();
  const bodies = reader.messages.pending
    .filter((m) => m.from.startsWith(server.jid(BOT.user)) && m.body !== null)
    .map((m) => m.body!);
  const distinct = new Set(bodies);
  const duplicates = bodies.length - distinct.size;
  console.log(
    `received ${bodies.length} messages for ${MESSAGES} sent: ${duplicates} duplicate(s); ` +
      `${unacknowledged.size} stanza(s) were unacknowledged when the server died; ` +
      `${bridge.pump.failures.length} transient failure(s) retried`,
  );
  for (let i = 1; i <= MESSAGES; i++) assert.ok(distinct.has(`message ${i}`), `message ${i} lost`);
  assert.equal(distinct.size, MESSAGES);
  assert.ok(
    duplicates <= unacknowledged.size,
    `${duplicates} duplicates but only ${unacknowledged.size} unacknowledged stanzas`,
  );
});
