/**
 * Corrections, retractions and reactions end to end (issue 16, items 2 to 4): the bridge as a
 * subprocess between the Mastodon API test server and a real Prosody, both directions, the
 * refusals, and a restart between a message and its correction.
 */
import assert from "node:assert/strict";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { element, type ReceivedMessage, XmppUser } from "../prosody/xmpp_user.ts";
import { FEDI_DOMAIN, PASSWORD, World, XMPP_DOMAIN } from "./world.ts";

const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;
const CORRECT = "urn:xmpp:message-correct:0";
const RETRACT = "urn:xmpp:message-retract:1";
const REACTIONS = "urn:xmpp:reactions:0";
const EN = JSON.parse(
  Deno.readTextFileSync(new URL("../../locales/en.json", import.meta.url)),
) as Record<string, string>;

function reactionsOf(m: ReceivedMessage): string[] | null {
  const el = m.stanza.getChild("reactions", REACTIONS);
  return el
    ? el.getChildren("reaction").map((r) => String(r.toString().replace(/<[^>]+>/g, "")))
    : null;
}

Deno.test("corrections, retractions and reactions cross both ways, across a restart", async () => {
  await using world = await World.start({ fediUsers: ["bob"], xmppUsers: ["alice"] });
  const progress = { step: "start" };
  try {
    await steps(world, progress);
  } catch (e) {
    console.error(`failed at: ${progress.step}`);
    for (const b of world.bridges) console.error(`--- bridge ${b.roles}:\n${b.log.join("\n")}`);
    throw e;
  }
});

async function steps(world: World, progress: { step: string }) {
  trustCaForNodeTls(world.prosody.caPem);
  let bridge = world.startBridge();
  await bridge.waitForLog(/running: /);
  const { mastodon } = world;
  const bob = world.fediUsers.get("bob")!;
  await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
  await alice.connect();

  progress.step = "registration";
  mastodon.follow(bob, world.fediBot);
  await mastodon.waitUntil(() => mastodon.relationship(world.fediBot, bob).following === true);
  await alice.subscribe(BOT_XMPP);
  await alice.nextMessageFrom(BOT_XMPP);

  progress.step = "Fediverse status to XMPP, then edited";
  const first = mastodon.postAs(bob, {
    text: `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN} Hello Alcie`,
    visibility: "direct",
  });
  const got = await alice.nextMessage((m) => m.body?.includes("Hello Alcie") ?? false);
  mastodon.editAs(bob, first.id, { text: `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN} Hello Alice` });
  const fixed = await alice.nextMessage((m) => m.stanza.getChild("replace", CORRECT) !== undefined);
  assert.equal(fixed.stanza.getChild("replace", CORRECT)!.attrs.id, got.id);
  assert.match(fixed.body!, /Hello Alice/);
  assert.match(fixed.body!, /bob@social\.test/, "the corrected text keeps its header");

  progress.step = "XMPP reaction favourites the status; none left unfavourites";
  const react = (emoji: string[]) =>
    alice.sendStanza(element(
      "message",
      { to: BOT_XMPP, type: "chat", id: crypto.randomUUID() },
      element(
        "reactions",
        { xmlns: REACTIONS, id: got.id! },
        ...emoji.map((e) => element("reaction", {}, e)),
      ),
    ));
  await react(["\u{1F44D}"]);
  await mastodon.waitUntil(() => mastodon.favouritesOf(first.id).includes(BOT_FEDI));
  await react([]);
  await mastodon.waitUntil(() => mastodon.favouritesOf(first.id).length === 0);

  progress.step = "XMPP message to the Fediverse";
  const mine = await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} see you at 5`);
  const status = await mastodon.waitForStatus(world.fediBot, (s) => s.text.includes("at 5"));

  progress.step = "restart";
  assert.equal((await bridge.stop("SIGTERM")).code, 0);
  bridge = world.startBridge();
  await bridge.waitForLog(/running: /);
  await mastodon.waitForStream(world.fediBot);

  progress.step = "XMPP correction after the restart edits the status";
  await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} see you at 6`, {
    children: [element("replace", { xmlns: CORRECT, id: mine })],
  });
  await mastodon.waitUntil(() =>
    mastodon.statusesOf(world.fediBot).find((s) => s.id === status.id)?.text.includes("at 6") ??
      false
  );
  const edited = mastodon.statusesOf(world.fediBot).find((s) => s.id === status.id)!;
  assert.deepEqual(edited.mentions, [`bob@${FEDI_DOMAIN}`], "the same recipients");
  assert.equal(mastodon.historyOf(status.id).length, 2);

  progress.step = "Fediverse favourite becomes a star on Alice's message";
  mastodon.favourite(bob, status.id);
  const star = await alice.nextMessage((m) => reactionsOf(m) !== null);
  assert.equal(star.stanza.getChild("reactions", REACTIONS)!.attrs.id, mine);
  assert.deepEqual(reactionsOf(star), ["\u2b50"]);

  progress.step = "refusal: a correction of a message that never crossed";
  await alice.send(BOT_XMPP, "typo fixed", {
    children: [element("replace", { xmlns: CORRECT, id: "never-sent" })],
  });
  const refusal = await alice.nextMessageFrom(BOT_XMPP);
  assert.equal(refusal.body, EN["amend.not_bridged"]);

  progress.step = "XMPP retraction deletes the status";
  await alice.send(BOT_XMPP, "retracted", {
    children: [
      element("retract", { xmlns: RETRACT, id: mine }),
      element("fallback", { xmlns: "urn:xmpp:fallback:0", for: RETRACT }),
    ],
  });
  await mastodon.waitUntil(() =>
    !mastodon.statusesOf(world.fediBot).some((s) => s.id === status.id)
  );

  progress.step = "refusal by the server: a correction of the deleted status";
  await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} see you at 7`, {
    children: [element("replace", { xmlns: CORRECT, id: mine })],
  });
  const failed = await alice.nextMessageFrom(BOT_XMPP);
  assert.equal(failed.body, EN["amend.failed_edit"]);

  progress.step = "Fediverse deletion retracts Alice's copy";
  mastodon.deleteAs(bob, first.id);
  const gone = await alice.nextMessage((m) => m.stanza.getChild("retract", RETRACT) !== undefined);
  assert.equal(gone.stanza.getChild("retract", RETRACT)!.attrs.id, got.id);
  assert.equal(gone.body, EN["amend.retracted_fallback"]);
  assert.equal((await bridge.stop("SIGTERM")).code, 0);
}
