/**
 * Hostile addresses and poison stanzas against a real Prosody: a JID with a control character
 * never reaches the wire (the sender gets a refusal naming it), and a stanza that makes the
 * server close the stream anyway is not resent by the session: its row is given up after the
 * second stream error, and the rows behind it go through.
 */
import assert from "node:assert/strict";
import { type Effect, FEDI, XMPP } from "../../src/core/types.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { ALICE, startServer, TestBridge } from "./support.ts";

for (
  const [what, local] of [
    ["a control character", "a\u0001b"],
    ["U+FFFF", "a\uFFFFb"],
    ["a lone surrogate", "a\uD800b"],
  ] as const
) {
  Deno.test(`${what} in a JID is refused and the XMPP session stays up`, async () => {
    await using server = await startServer();
    await using bridge = await TestBridge.start(server);
    await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
    await alice.connect();
    const carol = bridge.fediUser("carol@social.test");
    const bad = `${local}@${server.domain}`;

    await bridge.fromFedi(carol.address, "c-1", `xmpp:${bad} hi`);
    const refusal = await bridge.pump.fedi.next(
      (e) => e.kind === "notice" && e.to.address === carol.address,
      5_000,
      "the refusal to carol",
    );
    assert.ok(refusal.kind === "notice");
    const shown = `xmpp:${
      local.replace(/[^a-z]/, (c) =>
        `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`)
    }@${server.domain}`;
    assert.equal(
      refusal.text,
      bridge.core.deps.i18n.t("en", "engine.bad_address", { addresses: shown }),
      "the refusal names the address, its odd character made visible",
    );

    // The next message crosses at once, on the same session.
    await bridge.fromFedi(carol.address, "c-2", `xmpp:${server.jid(ALICE.user)} next one`);
    const got = await alice.nextMessageFrom(server.jid("bot"), 10_000);
    assert.match(got.body ?? "", /next one/);
    assert.equal(bridge.bot.ready, true);
    assert.ok(!bridge.events.pending.includes("offline"), "the session was never lost");
    assert.deepEqual(
      bridge.pump.failures,
      [],
      "nothing was sent that the server could refuse",
    );
  });
}

/** A delivery from carol to alice with `text`. */
function delivery(to: string, text: string, id: string): Effect {
  return {
    kind: "deliver",
    to: [{ network: XMPP, address: to }],
    from: { network: FEDI, address: "carol@social.test" },
    text,
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: id,
    records: [],
    messageId: `msg-${id}`,
    confirm: false,
    senderLang: "en",
  };
}

Deno.test("a stanza that makes Prosody close the stream is given up after two stream errors and the session delivers the next rows", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  const aliceJid = server.jid(ALICE.user);

  // Over Prosody's c2s_stanza_size_limit (256 KiB): it closes the stream (policy-violation).
  // The stand-in outbox retries a transient failure as soon as the bot is back, as the real
  // outbox's retryNow would without the suspect mark: the sender still stops at two.
  bridge.pump.push([delivery(aliceJid, "x".repeat(300_000), "big")]);
  const big = await bridge.nextSent((s) => s.effect.kind === "deliver", 60_000);
  assert.equal(big.result.ok, false);
  assert.ok(!big.result.ok && big.result.permanent, "given up, not retried forever");
  assert.match(big.result.reason, /policy-violation/);
  assert.equal(
    bridge.pump.failures.filter((f) => /closed the stream/.test(f.reason)).length,
    1,
    "one retry between the two stream errors",
  );

  bridge.pump.push([delivery(aliceJid, "the next row", "next")]);
  const next = await bridge.nextSent((s) => s.effect.kind === "deliver", 30_000);
  assert.ok(next.result.ok, "the next row went through");
  const got = await alice.nextMessageFrom(server.jid("bot"), 10_000);
  assert.equal(got.body, "the next row", "alice never got the big one, and got the next");
  assert.equal(
    bridge.events.pending.filter((e) => e === "offline").length,
    2,
    "exactly two streams were lost: the session never resent the stanza by itself",
  );
});
