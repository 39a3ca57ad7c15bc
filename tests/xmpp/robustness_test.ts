/**
 * Stanzas a bridge user would not normally send do not disturb the bot: no body, group chat,
 * headlines, error stanzas, a megabyte of text. Errors for what the bot sent are reported.
 */
import assert from "node:assert/strict";
import { MAX_INBOUND_CHARS } from "../../src/core/engine.ts";
import { NS } from "../../src/xmpp/ns.ts";
import { element } from "../../src/xmpp/xml.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { raiseStanzaSizeLimit } from "./prosody_tweak.ts";
import { RawClient } from "./raw_client.ts";
import { ALICE, BOT, MALLORY, startServer, TestBridge } from "./support.ts";

const MEGABYTE = 1024 * 1024;

Deno.test("odd stanzas and a 1 MB body do not crash the bot; the big one gets a clear refusal", async () => {
  await using server = await startServer();
  // Prosody would otherwise close the sender's stream at 256 KiB: the bot would never see it.
  await raiseStanzaSizeLimit(server, 4 * MEGABYTE);
  // The user is not registered: answer every message (the flood control would answer one an hour).
  await using bridge = await TestBridge.start(server, {
    extraConfig: "max-answers-to-outsiders-per-hour: 0\n",
  });
  const bot = server.jid(BOT.user);
  const malloryJid = server.jid(MALLORY.user);
  await using mallory = await RawClient.connect(server, MALLORY.user, MALLORY.password);

  const msg = (attrs: Record<string, string>, ...children: ReturnType<typeof element>[]) =>
    element("message", { to: bot, ...attrs }, ...children);
  await mallory.send(msg(
    { type: "chat", id: "state-1" },
    element("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
  ));
  await mallory.send(msg({ type: "chat", id: "nobody-1" }));
  await mallory.send(msg({ type: "groupchat", id: "muc-1" }, element("body", {}, "!help")));
  await mallory.send(msg({ type: "headline", id: "news-1" }, element("body", {}, "!help")));
  // (To the full JID: servers drop error messages sent to a bare JID, RFC 6121 8.5.2.1.1.)
  await mallory.send(msg(
    { type: "error", id: "spoofed-1", to: `${bot}/xmpp-ap-bridge` },
    element("error", { type: "cancel" }, element("item-not-found", { xmlns: NS.stanzas })),
  ));
  await mallory.send(element("iq", { to: bot, type: "error", id: "iq-err-1" }));
  // A last ordinary message: when the core has it, everything before it was read (one stream).
  await mallory.send(msg({ type: "chat", id: "last-1" }, element("body", {}, "!help")));

  const last = await bridge.nextHandled((h) => h.inbound.kind === "message");
  assert.ok(last.inbound.kind === "message");
  assert.equal(last.inbound.id, "last-1", "nothing before it reached the core");
  assert.equal(last.inbound.from.address, malloryJid);
  // The error stanza was reported as a bounce, with who sent it (the outbox checks that it
  // comes from the message's recipient before believing it).
  const bounce = await bridge.bounces.next(() => true, 1_000, "the reported error");
  assert.deepEqual(bounce, {
    messageId: "spoofed-1",
    condition: "item-not-found",
    from: malloryJid,
  });

  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  await alice.send(bot, "x".repeat(MEGABYTE), { id: "huge-1" });
  const huge = await bridge.nextHandled((h) => h.inbound.kind === "message", 30_000);
  assert.ok(huge.inbound.kind === "message");
  assert.equal(huge.inbound.id, "huge-1");
  assert.ok(huge.inbound.text.length < 100_000, "the megabyte stayed in the adapter");
  const refusal = await alice.nextMessageFrom(bot, 30_000);
  assert.equal(
    refusal.body,
    bridge.core.deps.i18n.t("en", "engine.too_long", { max: MAX_INBOUND_CHARS }),
  );

  // Still the same session, still answering.
  await alice.send(bot, "!help", { id: "help-after" });
  await alice.nextMessageFrom(bot);
  assert.equal(bridge.bot.ready, true);
  assert.ok(!bridge.events.pending.includes("offline"), "the session was never lost");
});

Deno.test("an error returned for a message the bot sent is reported as a bounce", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const carol = bridge.fediUser("carol@social.test");
  const ghost = server.jid("ghost"); // no such account

  await bridge.fromFedi(carol.address, "c-9", `xmpp:${ghost} hello?`);
  const sent = await bridge.nextSent((s) => s.effect.kind === "deliver");
  assert.ok(sent.effect.kind === "deliver" && sent.result.ok, "the server took it");
  const bounce = await bridge.bounces.next(() => true, 10_000, "the bounce");
  assert.deepEqual(bounce, {
    messageId: sent.effect.messageId,
    condition: "service-unavailable",
    from: ghost,
  });
});
