/**
 * The XMPP bot against a real Prosody: contacts (subscribe, unsubscribe), messages in and out,
 * offline delivery, and what the session refuses (untrusted certificate, wrong password).
 */
import assert from "node:assert/strict";
import { XMPP } from "../../src/core/types.ts";
import { noticeId } from "../../src/xmpp/outbound.ts";
import { NS } from "../../src/xmpp/ns.ts";
import { element } from "../../src/xmpp/xml.ts";
import { logger } from "../../src/log.ts";
import { XmppBot } from "../../src/xmpp/bot.ts";
import { createTestCa } from "../prosody/test_ca.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { RawClient } from "./raw_client.ts";
import { ALICE, BOB, BOT, FAST_TUNING, MALLORY, startServer, TestBridge } from "./support.ts";

function bare(jid: string): string {
  return jid.split("/")[0]!.toLowerCase();
}

Deno.test("a subscription registers the user and is returned; an unsubscription undoes it", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const bot = server.jid(BOT.user);
  const aliceJid = server.jid(ALICE.user);
  // A second resource of the bot's account watches its roster.
  await using observer = XmppUser.of(server, BOT.user, BOT.password, {
    resource: "observer",
    initialPresence: false,
  });
  await observer.connect();
  await observer.roster();
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();

  await alice.subscribe(bot);
  const handled = await bridge.nextHandled((h) => h.inbound.kind === "subscribe");
  assert.deepEqual(handled.inbound.from, { network: XMPP, address: aliceJid });
  assert.equal(handled.key, null);
  await alice.nextPresence((p) => bare(p.from) === bot && p.type === "subscribed");
  await alice.nextPresence((p) => bare(p.from) === bot && p.type === "subscribe");
  const welcome = await alice.nextMessageFrom(bot);
  assert.ok((welcome.body ?? "").length > 0);
  assert.equal(bridge.store.users.get(XMPP, aliceJid)?.revokedAt, null, "registered");

  await alice.approve(bot);
  await observer.rosterPushes.next(
    (item) => item.jid === aliceJid && item.subscription === "both",
    10_000,
    "alice on the bot's roster both ways",
  );

  await alice.sendPresence(bot, "unsubscribe");
  await bridge.nextHandled((h) => h.inbound.kind === "unsubscribe");
  await observer.rosterPushes.next(
    (item) => item.jid === aliceJid && item.subscription === "remove",
    10_000,
    "alice removed from the bot's roster",
  );
  // Alice had already cancelled her side; the bot cancels its own (RFC 6121 3.3).
  await alice.nextPresence((p) => bare(p.from) === bot && p.type === "unsubscribe");
  await alice.nextMessageFrom(bot); // the confirmation
  assert.notEqual(bridge.store.users.get(XMPP, aliceJid)?.revokedAt ?? null, null, "unregistered");
  const roster = await observer.roster();
  assert.equal(roster.find((item) => item.jid === aliceJid), undefined);
});

Deno.test("a chat message reaches the core once, and the answer reaches the user", async () => {
  await using server = await startServer();
  // The user is not registered: answer every message (the flood control would answer one an hour).
  await using bridge = await TestBridge.start(server, {
    extraConfig: "max-answers-to-outsiders-per-hour: 0\n",
  });
  const bot = server.jid(BOT.user);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();

  await alice.send(bot, "!help", { id: "help-1" });
  const handled = await bridge.nextHandled((h) => h.inbound.kind === "message");
  assert.ok(handled.inbound.kind === "message");
  assert.deepEqual(handled.inbound.from, { network: XMPP, address: server.jid(ALICE.user) });
  assert.equal(handled.inbound.id, "help-1");
  assert.equal(handled.inbound.text, "!help");
  assert.equal(handled.key, `xmpp:${server.jid(ALICE.user)}:help-1`);
  assert.equal(handled.fresh, true);

  const sent = await bridge.nextSent((s) => s.effect.kind === "notice");
  const answer = await alice.nextMessageFrom(bot);
  assert.equal(answer.id, noticeId(sent.key));
  assert.equal(answer.type, "chat");
  assert.ok(sent.effect.kind === "notice" && answer.body === sent.effect.text);

  // The same stanza id again (a client resending after a reconnection) is not handled twice.
  await alice.send(bot, "!help", { id: "help-1" });
  const again = await bridge.nextHandled((h) => h.inbound.kind === "message");
  assert.equal(again.fresh, false);
  await alice.send(bot, "!help", { id: "help-2" });
  await bridge.nextHandled((h) => h.inbound.kind === "message" && h.fresh);
  const second = await bridge.nextSent((s) => s.effect.kind === "notice");
  await alice.messages.next((m) => m.id === noticeId(second.key), 10_000, "second answer");
  // Messages arrive in order: an answer to the duplicate would be waiting before this one.
  assert.deepEqual(alice.messages.pending.filter((m) => (m.body ?? "") !== ""), []);
  assert.deepEqual(bridge.pump.sent.pending, []);
});

Deno.test("a Fediverse message reaches the XMPP user, whose answer goes back", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const bot = server.jid(BOT.user);
  const carol = bridge.fediUser("carol@social.test");
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();

  await bridge.fromFedi(carol.address, "st-1", `xmpp:${server.jid(ALICE.user)} hello Alice`);
  const sent = await bridge.nextSent((s) => s.effect.kind === "deliver");
  assert.ok(sent.effect.kind === "deliver" && sent.result.ok);
  const got = await alice.nextMessageFrom(bot);
  assert.equal(got.id, sent.effect.messageId);
  assert.equal(got.body, sent.effect.text);
  assert.match(got.body ?? "", /hello Alice/);
  assert.equal(got.stanza.attrs["xml:lang"], sent.effect.lang);

  // Alice answers without naming anyone: the answer goes to Carol.
  await alice.send(bot, "hi Carol", { id: "a-1" });
  const out = await bridge.pump.fedi.next((e) => e.kind === "deliver", 10_000, "delivery to Carol");
  assert.ok(out.kind === "deliver");
  assert.deepEqual(out.to, [carol]);
  assert.match(out.text, /hi Carol/);
  assert.equal(out.sourceId, "a-1");
});

Deno.test("a message to a user who is offline is delivered when they log in", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  const carol = bridge.fediUser("carol@social.test");
  const bobJid = server.jid(BOB.user);

  await bridge.fromFedi(carol.address, "st-2", `xmpp:${bobJid} are you there?`);
  const sent = await bridge.nextSent((s) => s.effect.kind === "deliver");
  assert.ok(sent.result.ok, "the server took it (stored offline)");
  assert.ok(sent.effect.kind === "deliver");

  await using bob = XmppUser.of(server, BOB.user, BOB.password);
  await bob.connect();
  const got = await bob.nextMessageFrom(server.jid(BOT.user));
  assert.equal(got.id, sent.effect.messageId);
  assert.match(got.body ?? "", /are you there\?/);
  assert.ok(got.stanza.getChild("delay", "urn:xmpp:delay"), "it waited on the server");
});

Deno.test("what came while the bot was away is handled when it logs in", async () => {
  await using server = await startServer();
  const bot = server.jid(BOT.user);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  await alice.subscribe(bot);
  await alice.send(bot, "!help", { id: "while-away" });
  await alice.roster(); // answered after the server stored both (one stream is handled in order)

  await using bridge = await TestBridge.start(server);
  const subscribe = await bridge.nextHandled((h) => h.inbound.kind === "subscribe");
  assert.equal(subscribe.inbound.from.address, server.jid(ALICE.user));
  const message = await bridge.nextHandled((h) => h.inbound.kind === "message");
  assert.ok(message.inbound.kind === "message");
  assert.equal(message.inbound.id, "while-away");
  assert.equal(message.key, `xmpp:${server.jid(ALICE.user)}:while-away`);
  await alice.nextPresence((p) => bare(p.from) === bot && p.type === "subscribed");
});

Deno.test("the bot answers service discovery and pings", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  await using mallory = await RawClient.connect(server, MALLORY.user, MALLORY.password);
  const botFull = `${server.jid(BOT.user)}/xmpp-ap-bridge`;
  const info = await mallory.request(
    element("iq", { type: "get", to: botFull }, element("query", { xmlns: NS.discoInfo })),
  );
  const features = info.getChild("query", NS.discoInfo)?.getChildren("feature")
    .map((f) => f.attrs.var) ?? [];
  for (const feature of [NS.discoInfo, NS.ping, NS.reply, NS.oob, NS.receipts]) {
    assert.ok(features.includes(feature), feature);
  }
  const pong = await mallory.request(
    element("iq", { type: "get", to: botFull }, element("ping", { xmlns: NS.ping })),
  );
  assert.equal(pong.attrs.type, "result");
  assert.equal(bridge.bot.ready, true);
});

Deno.test("start() refuses an untrusted certificate and a wrong password", async () => {
  await using server = await startServer();
  const dir = await Deno.makeTempDir({ prefix: "other-ca-" });
  try {
    const other = await createTestCa(dir, "unrelated-ca");
    const base = {
      xmppJid: server.jid(BOT.user),
      xmppHost: server.host,
      xmppPort: server.port,
    };
    const core = { handle: () => Promise.reject(new Error("nothing may arrive")) };
    const log = logger("xmpp", "test");
    {
      await using bot = new XmppBot({
        config: { ...base, xmppPassword: BOT.password, xmppCaFile: other.certFile },
        core,
        log,
        tuning: FAST_TUNING,
      });
      await assert.rejects(bot.start(), (e: Error & { code?: string }) => {
        assert.match(`${e.message} ${e.code}`, /certificate|UNABLE_TO_VERIFY/i);
        return true;
      });
      assert.equal(bot.ready, false);
    }
    {
      await using bot = new XmppBot({
        config: { ...base, xmppPassword: "wrong-password", xmppCaFile: server.caFile },
        core,
        log,
        tuning: FAST_TUNING,
      });
      await assert.rejects(bot.start(), (e: Error & { condition?: string }) => {
        assert.equal(e.condition, "not-authorized");
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
