/**
 * The bridge under faults, end to end: its Mastodon server down for 30 s, its Prosody killed,
 * the bridge itself killed in the middle of a burst, and a message that can never be delivered.
 * Each scenario runs with both roles in one process and with one process per role (both layouts
 * at the same time, each in its own world), counts what was sent and what arrived, and reports
 * the duplicates it saw.
 */
import assert from "node:assert/strict";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { FEDI_DOMAIN, PASSWORD, ROOT, XMPP_DOMAIN } from "./world.ts";
import {
  BOT_FEDI,
  BOT_XMPP,
  bridgeOf,
  fediTally,
  fediUser,
  GIVEN_UP,
  holdFor,
  inEveryLayout,
  killBridges,
  outboxDrained,
  PENDING,
  receiveTagged,
  registerFedi,
  registerXmpp,
  SENT,
  startBridges,
  stopBridges,
  syncXmpp,
  tag,
  takeReceived,
  Tally,
  waitFor,
  waitForFediTags,
} from "./faults_kit.ts";

/**
 * Stanzas the XMPP side can have in flight when its connection dies: the outbox worker keeps the
 * head of each lane in flight (up to its window of 64), one row per lane, and a lane's next row
 * waits for the server's acknowledgement (XEP-0198) of the one before. The scenes below write to
 * XMPP from two Fediverse senders, so two lanes. Only such a stanza (taken by the server, never
 * acknowledged) may arrive twice.
 */
const XMPP_IN_FLIGHT = 2;

/** How long the Mastodon server stays down (the figure). */
const MASTODON_DOWN_MS = 30_000;

Deno.test("fault: the Mastodon server is down for 30 s while XMPP users write to the Fediverse", async () => {
  const N = 10;
  await inEveryLayout("mastodon down", {
    fediUsers: ["bob"],
    xmppUsers: ["alice", "carol"],
  }, async (scene) => {
    const { world } = scene;
    const { mastodon } = world;
    const bob = fediUser(world, "bob");
    await startBridges(scene);
    await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
    await using carol = XmppUser.of(world.prosody, "carol", PASSWORD);
    await alice.connect();
    await carol.connect();

    scene.step = "registration";
    await registerFedi(world, bob);
    await registerXmpp(alice);
    await registerXmpp(carol);
    await outboxDrained(scene);
    const before = mastodon.postStats(world.fediBot);

    scene.step = "XMPP users write while the Mastodon server is down";
    const fedi = bridgeOf(scene, "fedi");
    const mark = fedi.log.length;
    await mastodon.faults.down();
    const downAt = Date.now();
    const sent = new Map<string, { from: string; text: string }>();
    for (let i = 0; i < N / 2; i++) {
      for (const [name, user] of [["alice", alice], ["carol", carol]] as const) {
        const t = tag("f1", name, i);
        const text = `${t} written while your server is away (${name}, number ${i})`;
        await user.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} ${text}`);
        sent.set(t, { from: user.jid, text });
      }
    }
    // The fault reached the outbox: an attempt to post failed.
    await fedi.waitForLog(/deliver row \d+ failed/, 30_000, mark);
    await holdFor(Math.max(0, MASTODON_DOWN_MS - (Date.now() - downAt)));
    mastodon.faults.up();
    const upAt = Date.now();

    scene.step = "every message arrives once the server is back";
    const tags = [...sent.keys()];
    await waitForFediTags(world, tags, 90_000);
    const lastAfterMs = Date.now() - upAt;
    await outboxDrained(scene);
    const after = mastodon.postStats(world.fediBot);
    const tally = fediTally(world, tags);
    const created = after.created - before.created;
    const failedAttempts = fedi.log.slice(mark).filter((l) => /deliver row \d+ failed/.test(l));
    console.log(
      `${scene.label}: ${N} sent from XMPP, ${failedAttempts.length} failed delivery attempts ` +
        `while down, all posted ${(lastAfterMs / 1000).toFixed(1)} s after the server came ` +
        `back: ${tally.distinct} distinct statuses, ${created} created, ` +
        `${after.posts - before.posts} POST requests served, ${tally.duplicates} duplicate(s)`,
    );
    assert.equal(tally.distinct, N);
    assert.equal(tally.duplicates, 0, `statuses posted twice: ${tally.repeated.join(", ")}`);
    assert.equal(created, N, "one status per message");
    assert.equal(after.distinctKeys - before.distinctKeys, N, "one Idempotency-Key per message");

    // The texts: the sender named in the header, the words as written, addressed to Bob only.
    for (const status of mastodon.statusesOf(world.fediBot)) {
      const t = tags.find((x) => status.text.includes(x));
      if (t === undefined) continue;
      const origin = sent.get(t)!;
      assert.ok(status.text.includes(origin.text), `the text of ${t} arrives as written`);
      assert.ok(status.text.includes(origin.from), `the status of ${t} names its sender`);
      assert.deepEqual(status.mentions, [bob.address]);
      assert.equal(status.visibility, "direct");
    }
    // Each sender's messages in the order written (one lane per sender).
    for (const name of ["alice", "carol"]) {
      const order = mastodon.statusesOf(world.fediBot)
        .flatMap((s) => tags.filter((t) => t.includes(`-${name}-`) && s.text.includes(t)));
      assert.deepEqual(order, [...order].sort(), `${name}'s messages keep their order`);
    }
    assert.ok(await stopBridges(scene), "the bridge stops cleanly after the fault");
  });
});

Deno.test("fault: Prosody is killed (SIGKILL) and restarted while Fediverse users write to XMPP", async () => {
  const ROUNDS = 5;
  await inEveryLayout("prosody killed", {
    fediUsers: ["bob", "dave"],
    xmppUsers: ["alice"],
  }, async (scene) => {
    const { world } = scene;
    const { mastodon } = world;
    const bob = fediUser(world, "bob");
    const dave = fediUser(world, "dave");
    await startBridges(scene);
    await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
    await alice.connect();

    scene.step = "registration";
    await registerFedi(world, bob);
    await registerFedi(world, dave);
    await registerXmpp(alice);
    await outboxDrained(scene);

    const tags: string[] = [];
    const post = (round: number) => {
      for (const [name, account] of [["bob", bob], ["dave", dave]] as const) {
        const t = tag("f2", name, round);
        tags.push(t);
        mastodon.postAs(account, {
          text: `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN} ${t} from ${name}, round ${round}`,
          visibility: "direct",
        });
      }
    };
    const expected = Array.from(
      { length: ROUNDS },
      (_, r) => [tag("f2", "bob", r), tag("f2", "dave", r)],
    ).flat();
    const tally = new Tally(expected);

    scene.step = "a burst, and Prosody killed once the first messages arrived";
    for (let r = 0; r < 3; r++) post(r);
    const beforeKill = [...tags];
    await receiveTagged(alice, tally, (t) => t.distinct >= 2, 20_000);
    const xmpp = bridgeOf(scene, "xmpp");
    const mark = xmpp.log.length;
    await world.prosody.kill("SIGKILL");
    for (let r = 3; r < ROUNDS; r++) post(r);
    await xmpp.waitForLog(/lost the XMPP connection/, 30_000, mark);
    // Alice's connection is gone too; what she read before it closed counts.
    await alice.sessions.next((e) => e.kind === "disconnect", 10_000, "Alice's disconnection");
    await takeReceived(alice, tally);
    // The messages written meanwhile wait in the outbox (a delivery in flight at the kill waits
    // for the session's fate; the others wait behind it or fail to send).
    await waitFor(
      "the deliveries written while Prosody is down are in the outbox",
      () => scene.outbox.rows().filter((r) => r.network === 1 && r.state === PENDING).length >= 4,
      30_000,
    );

    scene.step = "Prosody restarted: every message arrives";
    await world.prosody.restart();
    // Alice comes back with a new session: what the bot sent meanwhile waits offline for her.
    await using aliceAgain = XmppUser.of(world.prosody, "alice", PASSWORD);
    await aliceAgain.connect();
    await receiveTagged(aliceAgain, tally, (t) => t.complete, 60_000);
    await outboxDrained(scene);
    await syncXmpp(world, bob, aliceAgain, tally);
    console.log(
      `${scene.label}: ${tags.length} sent from the Fediverse, ${tally.distinct} distinct ` +
        `messages received by XMPP, ${tally.duplicates} duplicate(s)` +
        (tally.duplicates > 0 ? `: ${tally.repeatedNotes.join("; ")}` : ""),
    );
    assert.equal(tags.length, expected.length);
    assert.deepEqual(tally.missing, []);
    assert.deepEqual(tally.strays, []);
    assert.ok(
      tally.duplicates <= XMPP_IN_FLIGHT,
      `at most ${XMPP_IN_FLIGHT} duplicate(s) expected, got: ${tally.repeated.join(", ")}`,
    );
    // Only a message already on its way when Prosody died can come twice.
    for (const t of tally.repeated) assert.ok(beforeKill.some((b) => t.startsWith(b)), t);
    assert.ok(await stopBridges(scene), "the bridge stops cleanly after the fault");
  });
});

Deno.test("fault: the bridge is killed (SIGKILL) in the middle of a burst both ways, then restarted", async () => {
  const ROUNDS = 10;
  await inEveryLayout("bridge killed", {
    fediUsers: ["bob", "dave"],
    xmppUsers: ["alice", "carol"],
  }, async (scene) => {
    const { world } = scene;
    const { mastodon } = world;
    const bob = fediUser(world, "bob");
    const dave = fediUser(world, "dave");
    await startBridges(scene);
    await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
    await using carol = XmppUser.of(world.prosody, "carol", PASSWORD);
    await alice.connect();
    await carol.connect();

    scene.step = "registration";
    await registerFedi(world, bob);
    await registerFedi(world, dave);
    await registerXmpp(alice);
    await registerXmpp(carol);
    await outboxDrained(scene);
    const before = mastodon.postStats(world.fediBot);

    // Pairs: alice <-> bob, carol <-> dave, ROUNDS messages each way per pair.
    const toFedi: string[] = [];
    const toXmpp: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      toFedi.push(tag("f3", "alice", r), tag("f3", "carol", r));
      toXmpp.push(tag("f3", "bob", r), tag("f3", "dave", r));
    }
    const atAlice = new Tally(toXmpp.filter((t) => t.includes("-bob-")));
    const atCarol = new Tally(toXmpp.filter((t) => t.includes("-dave-")));
    const round = async (r: number) => {
      await alice.send(BOT_XMPP, `@bob@${FEDI_DOMAIN} ${tag("f3", "alice", r)} round ${r}`);
      await carol.send(BOT_XMPP, `@dave@${FEDI_DOMAIN} ${tag("f3", "carol", r)} round ${r}`);
      mastodon.postAs(bob, {
        text: `@${BOT_FEDI} xmpp:alice@${XMPP_DOMAIN} ${tag("f3", "bob", r)} round ${r}`,
        visibility: "direct",
      });
      mastodon.postAs(dave, {
        text: `@${BOT_FEDI} xmpp:carol@${XMPP_DOMAIN} ${tag("f3", "dave", r)} round ${r}`,
        visibility: "direct",
      });
    };

    scene.step = "a burst, and the bridge killed once the first messages arrived";
    const killAfter = 4;
    for (let r = 0; r < killAfter; r++) await round(r);
    await Promise.all([
      mastodon.waitUntil(() => fediTally(world, toFedi).distinct >= 2, { timeoutMs: 20_000 }),
      receiveTagged(alice, atAlice, (t) => t.distinct >= 1, 20_000),
      receiveTagged(carol, atCarol, (t) => t.distinct >= 1, 20_000),
    ]);
    await killBridges(scene);
    await takeReceived(alice, atAlice);
    await takeReceived(carol, atCarol);
    const atKill = {
      fedi: fediTally(world, toFedi).distinct,
      xmpp: atAlice.distinct + atCarol.distinct,
      pending: scene.outbox.pending(),
    };
    // The burst goes on while the bridge is down.
    for (let r = killAfter; r < ROUNDS; r++) await round(r);

    scene.step = "the bridge restarted: every message arrives";
    // Restarted all at once, as a service manager would after a crash of the machine.
    await startBridges(scene, true);
    await Promise.all([
      waitForFediTags(world, toFedi, 60_000),
      receiveTagged(alice, atAlice, (t) => t.complete, 60_000),
      receiveTagged(carol, atCarol, (t) => t.complete, 60_000),
    ]);
    await outboxDrained(scene);
    await syncXmpp(world, bob, alice, atAlice);
    await syncXmpp(world, dave, carol, atCarol);

    const after = mastodon.postStats(world.fediBot);
    const fediSide = fediTally(world, toFedi);
    const xmppDuplicates = atAlice.duplicates + atCarol.duplicates;
    console.log(
      `${scene.label}: killed with ${atKill.fedi} of ${toFedi.length} statuses posted, ` +
        `${atKill.xmpp} of ${toXmpp.length} XMPP messages received, ${atKill.pending} row(s) ` +
        `pending. In the end: XMPP->Fediverse ${toFedi.length} sent, ${fediSide.distinct} ` +
        `distinct statuses, ${after.created - before.created} created, ` +
        `${after.posts - before.posts} POST requests; Fediverse->XMPP ${toXmpp.length} sent, ` +
        `${atAlice.distinct + atCarol.distinct} distinct received, ${xmppDuplicates} ` +
        `duplicate(s)` +
        (xmppDuplicates > 0
          ? `: ${[...atAlice.repeatedNotes, ...atCarol.repeatedNotes].join("; ")}`
          : ""),
    );
    assert.equal(fediSide.distinct, toFedi.length);
    assert.equal(fediSide.duplicates, 0, `posted twice: ${fediSide.repeated.join(", ")}`);
    assert.equal(after.created - before.created, toFedi.length, "one status per message");
    assert.equal(after.created, after.distinctKeys, "no Idempotency-Key gave two statuses");
    assert.deepEqual([...atAlice.missing, ...atCarol.missing], []);
    assert.deepEqual([...atAlice.strays, ...atCarol.strays], []);
    // One XMPP worker was killed, with at most this many stanzas unacknowledged, and only a
    // message written before the kill can come twice.
    assert.ok(
      xmppDuplicates <= XMPP_IN_FLIGHT,
      `at most ${XMPP_IN_FLIGHT} duplicate(s) expected, got ${xmppDuplicates}`,
    );
    const writtenBeforeKill = toXmpp.filter((t) => Number(t.slice(-2)) < killAfter);
    for (const t of [...atAlice.repeated, ...atCarol.repeated]) {
      assert.ok(writtenBeforeKill.some((b) => t.startsWith(b)), t);
    }
    assert.ok(await stopBridges(scene), "the restarted bridge stops cleanly");
  });
});

Deno.test("fault: a message the server refuses for good ends with a notice to its sender", async () => {
  const template = (JSON.parse(
    await Deno.readTextFile(`${ROOT}locales/en.json`),
  ) as Record<string, string>)["outbox.not_delivered"];
  assert.ok(template !== undefined, "locales/en.json has outbox.not_delivered");
  await inEveryLayout("refused for good", {
    fediUsers: ["bob"],
    xmppUsers: ["alice"],
  }, async (scene) => {
    const { world } = scene;
    const { mastodon } = world;
    const bob = fediUser(world, "bob");
    await startBridges(scene);
    await using alice = XmppUser.of(world.prosody, "alice", PASSWORD);
    await alice.connect();

    scene.step = "registration";
    await registerFedi(world, bob);
    await registerXmpp(alice);
    await outboxDrained(scene);
    const before = mastodon.postStats(world.fediBot);
    const rowsBefore = scene.outbox.rows().length;

    scene.step = "a message the server refuses (422)";
    // The server's limit drops below what the bridge read at start: the post is refused with
    // 422, which no retry can change.
    mastodon.setMaxCharacters(40);
    const fedi = bridgeOf(scene, "fedi");
    const mark = fedi.log.length;
    const t = tag("f4", "alice", 0);
    await alice.send(
      BOT_XMPP,
      `@bob@${FEDI_DOMAIN} ${t} this message is longer than the server now accepts`,
    );
    await fedi.waitForLog(/gave up deliver row \d+ after 1 attempt/, 20_000, mark);

    scene.step = "the sender is told";
    const expected = template.replace("{recipients}", `@bob@${FEDI_DOMAIN}`);
    const notice = await alice.nextMessage((m) => m.body?.startsWith("Sorry") ?? false, 20_000);
    assert.equal(notice.from.split("/")[0], BOT_XMPP);
    assert.equal(notice.body, expected);

    scene.step = "the outbox rows are closed";
    await outboxDrained(scene);
    const rows = scene.outbox.rows().slice(rowsBefore);
    const after = mastodon.postStats(world.fediBot);
    console.log(
      `${scene.label}: 1 sent from XMPP, ${after.posts - before.posts} POST refused, ` +
        `${after.created - before.created} created, 1 notice back; new outbox rows ` +
        JSON.stringify(rows.map((r) => ({ network: r.network, state: r.state }))),
    );
    assert.deepEqual(rows.map((r) => r.state).filter((s) => s === PENDING), []);
    assert.deepEqual(
      rows.map((r) => [r.network, r.state]),
      [[0, GIVEN_UP], [1, SENT]],
      "the delivery (Fediverse) given up, the notice (XMPP) sent",
    );
    assert.equal(after.created - before.created, 0, "nothing was posted");
    assert.equal(after.posts - before.posts, 1, "one attempt: a 422 is not retried");
    assert.equal(fediTally(world, [t]).distinct, 0);
    assert.ok(await stopBridges(scene), "the bridge stops cleanly after the fault");
  });
});
