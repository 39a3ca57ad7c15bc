/**
 * The bot's avatar against a real Prosody (0.12, with mod_pep and mod_vcard_legacy as in its
 * default configuration): published from assets/ when the account has none, kept when it has one.
 */
import assert from "node:assert/strict";
import { botAvatar, publishDataIq, publishMetadataIq } from "../../src/xmpp/avatar.ts";
import { NS } from "../../src/xmpp/ns.ts";
import { element } from "../../src/xmpp/xml.ts";
import { EventQueue } from "../prosody/event_queue.ts";
import { RawClient } from "./raw_client.ts";
import { BOT, FAST_TUNING, startServer } from "./support.ts";
import { XmppBot } from "../../src/xmpp/bot.ts";
import type { AvatarOutcome } from "../../src/xmpp/avatar.ts";
import { logger } from "../../src/log.ts";
import type { ProsodyServer } from "../prosody/harness.ts";

const ASSET = new URL("../../assets/xmpp-bot-avatar.png", import.meta.url);

function startBot(server: ProsodyServer, outcomes: EventQueue<AvatarOutcome>): XmppBot {
  return new XmppBot({
    config: {
      xmppJid: server.jid(BOT.user),
      xmppPassword: BOT.password,
      xmppHost: server.host,
      xmppPort: server.port,
      xmppCaFile: server.caFile,
    },
    core: { handle: () => Promise.resolve(true) },
    log: logger("xmpp", "test"),
    tuning: FAST_TUNING,
    avatar: true,
    onAvatar: (outcome) => outcomes.push(outcome),
  });
}

const items = (node: string) =>
  element(
    "iq",
    { type: "get" },
    element("pubsub", { xmlns: NS.pubsub }, element("items", { node })),
  );

Deno.test("the bot publishes the avatar of assets/ when its account has none", async () => {
  await using server = await startServer();
  const outcomes = new EventQueue<AvatarOutcome>("avatar outcomes");
  await using bot = startBot(server, outcomes);
  await bot.start();
  assert.equal(await outcomes.next(() => true, 10_000, "the avatar step"), "published");

  const file = await Deno.readFile(ASSET);
  const image = await botAvatar();
  await using raw = await RawClient.connect(server, BOT.user, BOT.password);
  // XEP-0084: the data node holds the picture, the metadata names it by its SHA-1.
  const data = await raw.request(items(NS.avatarData));
  const item = data.getChild("pubsub", NS.pubsub)?.getChild("items")?.getChild("item");
  assert.equal(item?.attrs.id, image.sha1);
  const stored = item?.getChildText("data", NS.avatarData) ?? "";
  assert.deepEqual(Uint8Array.from(atob(stored), (c) => c.charCodeAt(0)), file);
  const meta = await raw.request(items(NS.avatarMetadata));
  const info = meta.getChild("pubsub", NS.pubsub)?.getChild("items")?.getChild("item")
    ?.getChild("metadata", NS.avatarMetadata)?.getChild("info");
  assert.deepEqual(
    { ...info?.attrs },
    {
      id: image.sha1,
      bytes: String(file.length),
      width: "400",
      height: "400",
      type: "image/png",
    },
  );
  // XEP-0153: the vCard has the same photo, whose hash the presence announces.
  const vcard = await raw.request(
    element("iq", { type: "get" }, element("vCard", { xmlns: NS.vcard })),
  );
  const binval = vcard.getChild("vCard", NS.vcard)?.getChild("PHOTO")?.getChildText("BINVAL") ?? "";
  assert.deepEqual(Uint8Array.from(atob(binval.replace(/\s/g, "")), (c) => c.charCodeAt(0)), file);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", file));
  assert.equal(image.sha1, [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
});

Deno.test("an account that has an avatar keeps it", async () => {
  await using server = await startServer();
  // Someone set another picture on the bot's account before.
  const own = await botAvatar(btoa(String.fromCharCode(...pngOf(2, 3))));
  {
    await using raw = await RawClient.connect(server, BOT.user, BOT.password);
    await raw.request(publishDataIq(own));
    await raw.request(publishMetadataIq(own));
  }
  const outcomes = new EventQueue<AvatarOutcome>("avatar outcomes");
  await using bot = startBot(server, outcomes);
  await bot.start();
  assert.equal(await outcomes.next(() => true, 10_000, "the avatar step"), "kept");
  await using raw = await RawClient.connect(server, BOT.user, BOT.password);
  const meta = await raw.request(items(NS.avatarMetadata));
  const found = meta.getChild("pubsub", NS.pubsub)?.getChild("items")?.getChildren("item") ?? [];
  assert.deepEqual(found.map((i) => i.attrs.id), [own.sha1], "still the account's own picture");
});

/** The first bytes of a PNG of `width` x `height` (enough for the size and the hash). */
function pngOf(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  bytes.set([...new TextEncoder().encode("IHDR")], 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}
