/**
 * The bridge end to end, as a subprocess under its production permission flags, between the
 * Mastodon API test server and a real Prosody: both directions, replies both ways, a resend and a
 * report, with both roles in one process and with one process per role.
 */
import assert from "node:assert/strict";
import { trustCaForNodeTls } from "../prosody/node_tls_trust.ts";
import { element, XmppUser } from "../prosody/xmpp_user.ts";
import { FEDI_DOMAIN, PASSWORD, World, XMPP_DOMAIN } from "./world.ts";
import type { Role } from "../../src/config/mod.ts";

const BOT_FEDI = `bridge@${FEDI_DOMAIN}`;
const BOT_XMPP = `bridge@${XMPP_DOMAIN}`;

async function conversation(split: boolean) {
  await using world = await World.start({ fediUsers: ["bob"], xmppUsers: ["alice"] });
  const progress = { step: "start" };
  try {
    await steps(world, split, progress);
  } catch (e) {
    // What the bridge logged is what explains a failure.
    console.error(`failed at: ${progress.step}`);
    for (const b of world.bridges) console.error(`--- bridge ${b.roles}:\n${b.log.join("\n")}`);
    throw e;
  }
}

async function steps(world: World, split: boolean, progress: { step: string }) {
  trustCaForNodeTls(world.prosody.caPem);
  const layouts: Role[][] = split ? [["fedi"], ["xmpp"]] : [["fedi", "xmpp"]];
  for (const roles of layouts) {
    await world.startBridge(roles).waitForLog(/running: /);
  }
  const { mastodon } = world;
  const bob = world.fediUsers.get("bob")!;
  await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
  await using admin = XmppUser.of(world.prosody, "admin", PASSWORD);
  await alice.connect();
  await admin.connect();

  // Registration on both sides.
  progress.step = "Registration on both sides.";
  mastodon.follow(bob, world.fediBot);
  await mastodon.waitUntil(() => mastodon.relationship(world.fediBot, bob).following === true);
  progress.step = "XMPP subscription";
  await alice.subscribe(BOT_XMPP);
  const welcome = await alice.nextMessageFrom(BOT_XMPP);
  assert.ok(welcome.body && welcome.body.length > 0);

  // Fediverse -> XMPP.
  progress.step = "Fediverse -> XMPP.";
  const first = mastodon.postAs(bob, {
    text: `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN} Hello Alice, from the Fediverse!`,
    visibility: "direct",
  });
  const got = await alice.nextMessage((m) => m.body?.includes("Hello Alice") ?? false);
  assert.equal(got.from.split("/")[0], BOT_XMPP);
  assert.match(got.body!, /bob@social\.test/, "the header names the sender");

  // XMPP native reply (XEP-0461) -> the Fediverse, in reply to Bob's status.
  progress.step = "native reply";
  await alice.send(BOT_XMPP, "Hi Bob, answering natively", {
    children: [element("reply", { xmlns: "urn:xmpp:reply:0", to: BOT_XMPP, id: got.id! })],
  });
  const answer = await mastodon.waitForStatus(
    world.fediBot,
    (s) => s.text.includes("answering natively"),
  );
  assert.equal(answer.visibility, "direct");
  assert.deepEqual(answer.mentions, [`bob@${FEDI_DOMAIN}`]);
  assert.equal(answer.inReplyToId, first.id);

  // XMPP -> Fediverse with an address, then a resend without one.
  progress.step = "XMPP -> Fediverse with an address, then a resend without one.";
  await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} a new thread`);
  await mastodon.waitForStatus(world.fediBot, (s) => s.text.includes("a new thread"));
  await alice.send(BOT_XMPP, "and a second line, no address");
  const resent = await mastodon.waitForStatus(
    world.fediBot,
    (s) => s.text.includes("second line, no address"),
  );
  assert.deepEqual(resent.mentions, [`bob@${FEDI_DOMAIN}`]);

  // A Fediverse reply to the bot's status reaches its original XMPP sender.
  progress.step = "Fediverse reply";
  mastodon.postAs(bob, {
    text: `@${BOT_FEDI} got both, thanks`,
    visibility: "direct",
    inReplyToId: resent.id,
  });
  const back = await alice.nextMessage((m) => m.body?.includes("got both, thanks") ?? false);
  assert.equal(back.from.split("/")[0], BOT_XMPP);

  // A report reaches the first XMPP admin.
  progress.step = "A report reaches the first XMPP admin.";
  mastodon.postAs(bob, {
    text: `@${BOT_FEDI} !report someone is sending me spam`,
    visibility: "direct",
  });
  const report = await admin.nextMessage((m) => m.body?.includes("sending me spam") ?? false);
  assert.match(report.body!, /bob@social\.test/);

  // Every status the bot posted went out once: no Idempotency-Key was used twice.
  const stats = mastodon.postStats(world.fediBot);
  assert.equal(stats.created, stats.distinctKeys);

  for (const bridge of world.bridges) {
    const status = await bridge.stop("SIGTERM");
    assert.equal(status.code, 0, `a clean stop:\n${bridge.log.join("\n")}`);
  }
  const log = world.bridges.flatMap((b) => b.log).join("\n");
  for (const secret of [PASSWORD, world.fediBot.token ?? "no token", "Hello Alice", "spam"]) {
    assert.ok(!log.includes(secret), `the log holds no secret or message text (${secret})`);
  }
}

Deno.test("e2e, one process: both directions, replies, resend, report", async () => {
  await conversation(false);
});

Deno.test("e2e, two processes sharing the database: the same conversation", async () => {
  await conversation(true);
});
