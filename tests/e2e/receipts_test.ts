/**
 * Receipts that mean delivery, end to end (the bridge as a subprocess between the Mastodon API
 * test server and a real Prosody): an XMPP user's `<received/>` comes only once Mastodon accepted
 * the status; a message Mastodon refuses gets none (its sender is told instead); a command is
 * confirmed at once. The other way, the bot asks for receipts and `!status` shows the share.
 */
import assert from "node:assert/strict";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { element, type ReceivedMessage, XmppUser } from "../prosody/xmpp_user.ts";
import { FEDI_DOMAIN, PASSWORD, World, XMPP_DOMAIN } from "./world.ts";
import { RawClient } from "../xmpp/raw_client.ts";

const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;
const NS_RECEIPTS = "urn:xmpp:receipts";

const receiptFor = (id: string) => (m: ReceivedMessage) =>
  m.stanza.getChild("received", NS_RECEIPTS)?.attrs.id === id;

const asking = { children: [element("request", { xmlns: NS_RECEIPTS })] };

Deno.test("e2e: a receipt only after Mastodon accepted the status, none for a refused one", async () => {
  await using world = await World.start({ fediUsers: ["bob"], xmppUsers: ["alice"] });
  trustCaForNodeTls(world.prosody.caPem);
  const bridge = world.startBridge();
  try {
    await bridge.waitForLog(/running: /);
    const { mastodon } = world;
    const bob = world.fediUsers.get("bob")!;
    await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
    await using admin = XmppUser.of(world.prosody, "admin", PASSWORD);
    await alice.connect();
    await admin.connect();
    mastodon.follow(bob, world.fediBot);
    await mastodon.waitUntil(() => mastodon.relationship(world.fediBot, bob).following === true);
    await alice.subscribe(BOT_XMPP);
    await alice.nextMessageFrom(BOT_XMPP); // the welcome

    // Carried: the receipt comes, and by then Mastodon has the status.
    await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} first, please confirm`, {
      id: "m-1",
      ...asking,
    });
    await alice.nextMessage(receiptFor("m-1"), 20_000);
    const posted = mastodon.statusesOf(world.fediBot);
    assert.ok(posted.some((s) => s.text.includes("first, please confirm")), "accepted first");

    // Refused by Mastodon (its limit shrank after the bridge read it): no receipt, a notice.
    mastodon.setMaxCharacters(60);
    await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} ${"too long for the server now ".repeat(3)}`, {
      id: "m-2",
      ...asking,
    });
    const notice = await alice.nextMessage((m) => (m.body ?? "").includes(`bob@${FEDI_DOMAIN}`));
    assert.equal(notice.stanza.getChild("received", NS_RECEIPTS), undefined);
    mastodon.setMaxCharacters(500);
    // The next message is confirmed; the refused one never was (receipts keep their order).
    await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} third`, { id: "m-3", ...asking });
    await alice.nextMessage(receiptFor("m-3"), 20_000);
    assert.equal(alice.messages.pending.some(receiptFor("m-2")), false, "no receipt for m-2");

    // A command is confirmed at once, with its answer.
    await alice.send(BOT_XMPP, "!help", { id: "c-1", ...asking });
    await alice.nextMessage(receiptFor("c-1"));

    // The other way: the bot asks for a receipt; Alice's client sends one; !status counts it.
    mastodon.postAs(bob, {
      text: `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN} hello Alice`,
      visibility: "direct",
    });
    const got = await alice.nextMessage((m) => m.body?.includes("hello Alice") ?? false);
    assert.ok(got.stanza.getChild("request", NS_RECEIPTS), "the bot asks for a receipt");
    // A client's receipt has no body: sent over a bare connection of Alice's.
    await using raw = await RawClient.connect(world.prosody, "alice", PASSWORD);
    await raw.send(
      element(
        "message",
        { to: got.from, id: "rcpt-1" },
        element("received", { xmlns: NS_RECEIPTS, id: got.id! }),
      ) as unknown as Parameters<RawClient["send"]>[0],
    );
    // Stanzas between two entities keep their order: once the bot answered a ping, it has read
    // the receipt before it.
    await raw.request(
      element(
        "iq",
        { type: "get", to: got.from },
        element("ping", { xmlns: "urn:xmpp:ping" }),
      ) as unknown as Parameters<RawClient["request"]>[0],
    );
    await admin.send(BOT_XMPP, "!status");
    const status = (await admin.nextMessageFrom(BOT_XMPP)).body ?? "";
    assert.match(status, /1 of 1 message\(s\) delivered to XMPP users were confirmed/);
  } catch (e) {
    console.error(bridge.log.join("\n"));
    throw e;
  }
});
