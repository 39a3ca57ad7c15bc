/**
 * Native replies (XEP-0461) and attachments (XEP-0066) through a real Prosody.
 */
import assert from "node:assert/strict";
import { NS } from "../../src/xmpp/ns.ts";
import { element } from "../../src/xmpp/xml.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { ALICE, BOT, startServer, TestBridge } from "./support.ts";

const MINUTE = 60_000;

Deno.test("a native reply to an old bridged message reaches that message's sender", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const bot = server.jid(BOT.user);
  const aliceJid = server.jid(ALICE.user);
  const carol = bridge.fediUser("carol@social.test");
  const dave = bridge.fediUser("dave@other.test");
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();

  await bridge.fromFedi(carol.address, "c-1", `xmpp:${aliceJid} question from Carol`);
  const fromCarol = await alice.nextMessageFrom(bot);
  await bridge.fromFedi(dave.address, "d-1", `xmpp:${aliceJid} later news from Dave`);
  await alice.nextMessageFrom(bot);
  assert.ok(fromCarol.id !== undefined);

  bridge.clock.now += (bridge.config.maxMinutesForReply + 30) * MINUTE;

  // Without a reply reference, the last exchange is too old: the bot explains.
  await alice.send(bot, "anyone?", { id: "plain-1" });
  const refusal = await bridge.nextSent((s) => s.effect.kind === "notice");
  assert.ok(refusal.effect.kind === "notice");
  assert.match(refusal.effect.text, new RegExp(String(bridge.config.maxMinutesForReply)));
  await alice.nextMessageFrom(bot);

  // With one, it goes to Carol (not Dave, the most recent), quote left out.
  const quote = "> question from Carol\n";
  await alice.send(bot, `${quote}answer for Carol`, {
    id: "reply-1",
    children: [
      element("reply", { xmlns: NS.reply, to: bot, id: fromCarol.id }),
      element(
        "fallback",
        { xmlns: NS.fallback, for: NS.reply },
        element("body", { start: "0", end: String(Array.from(quote).length) }),
      ),
    ],
  });
  const handled = await bridge.nextHandled((h) =>
    h.inbound.kind === "message" && h.inbound.id === "reply-1"
  );
  assert.ok(handled.inbound.kind === "message");
  assert.equal(handled.inbound.inReplyTo, fromCarol.id);
  assert.equal(handled.inbound.text, "answer for Carol");
  const out = await bridge.pump.fedi.next((e) => e.kind === "deliver", 10_000, "the answer");
  assert.ok(out.kind === "deliver");
  assert.deepEqual(out.to, [carol]);
  assert.match(out.text, /answer for Carol/);
  assert.doesNotMatch(out.text, /question from Carol/);
  assert.equal(out.inReplyTo, "c-1", "threaded under Carol's status");
});

Deno.test("an attachment arrives as its own message whose body is the XEP-0066 URL", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const bot = server.jid(BOT.user);
  const carol = bridge.fediUser("carol@social.test");
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();

  const url = "https://files.social.test/media/cat.png";
  await bridge.fromFedi(carol.address, "c-2", `xmpp:${server.jid(ALICE.user)} look at this`, {
    extras: {
      spoiler: null,
      media: [{ url, description: "a sleeping cat", type: "image" }],
      pollUrl: null,
    },
  });
  const sent = await bridge.nextSent((s) => s.effect.kind === "deliver");
  assert.ok(sent.result.ok && sent.effect.kind === "deliver");
  const text = await alice.nextMessageFrom(bot);
  assert.equal(text.id, sent.effect.messageId);
  assert.match(text.body ?? "", /look at this/);
  const media = await alice.nextMessageFrom(bot);
  assert.equal(media.body, url);
  const oob = media.stanza.getChild("x", NS.oob);
  assert.equal(oob?.getChildText("url"), url);
  assert.equal(oob?.getChildText("desc"), "a sleeping cat");
  assert.notEqual(media.id, text.id);
});
