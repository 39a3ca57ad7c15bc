import assert from "node:assert/strict";
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  type Deliver,
  delivers,
  join,
  notices,
  onlyDeliver,
  send,
  sentCount,
  t,
} from "../../tests/support/sending.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { FEDI } from "./types.ts";

const MINUTE = 60_000;

function world(extraConfig = ""): TestCore {
  const core = makeCore(extraConfig);
  for (const a of [ALICE, DAVE, BOB, CAROL]) join(core, a);
  return core;
}

/** What the outbox does once the status is posted: the posted id goes into the records. */
function posted(core: TestCore, deliver: Deliver, statusId: string): void {
  for (const id of deliver.records) core.deps.store.conversations.setPostedId(id, statusId);
}

const bobHeader = (core: TestCore, kind: "new" | "reply") =>
  t(core, `header.${kind}`, { app: "Mastodon", user: "@bob@social.test" });
const aliceHeader = (core: TestCore, kind: "new" | "reply") =>
  t(core, `header.${kind}`, { app: "XMPP", user: "xmpp:alice@chat.test" });

Deno.test("a Fediverse reply to a bridged status reaches its original XMPP sender", async () => {
  using core = world();
  const out = onlyDeliver(await send(core, ALICE, "@bob@social.test hi Bob", { id: "stanza-A" }));
  posted(core, out, "status-100");

  const effects = await send(core, BOB, "@bridge@social.test thanks!", {
    id: "status-101",
    inReplyTo: "status-100",
  });
  const back = onlyDeliver(effects);
  assert.deepEqual(back.to, [ALICE]);
  assert.equal(back.text, `${bobHeader(core, "reply")}\nthanks!`);
  // Threaded under Alice's own message on XMPP (XEP-0461 on the adapter's side).
  assert.equal(back.inReplyTo, "stanza-A");
  assert.equal(back.sourceId, "status-101");
  assert.equal(notices(effects).length, 0);
});

Deno.test("a reply by someone the status did not go to is not routed", async () => {
  using core = world();
  const out = onlyDeliver(await send(core, ALICE, "@bob@social.test for Bob only"));
  posted(core, out, "status-100");
  const effects = await send(core, CAROL, "me too", { id: "c1", inReplyTo: "status-100" });
  assert.equal(delivers(effects).length, 0);
  assert.deepEqual(notices(effects).map((n) => n.text), [
    t(core, "send.no_recipient_fedi", { example: "xmpp:name@server.tld" }),
  ]);
  assert.equal(sentCount(core, CAROL), 0);
});

Deno.test("each recipient of a shared status can reply to its XMPP sender", async () => {
  using core = world();
  const out = onlyDeliver(await send(core, ALICE, "@bob@social.test @carol@other.social hi"));
  posted(core, out, "status-200");
  const fromCarol = onlyDeliver(
    await send(core, CAROL, "hello Alice", { inReplyTo: "status-200" }),
  );
  assert.deepEqual(fromCarol.to, [ALICE]);
  assert.ok(fromCarol.text.startsWith(t(core, "header.reply", {
    app: "Mastodon",
    user: "@carol@other.social",
  })));
});

Deno.test("a Fediverse reply to its own earlier status goes to the same recipients again", async () => {
  using core = world();
  const first = delivers(
    await send(core, BOB, "xmpp:alice@chat.test xmpp:dave@chat.test first", { id: "status-1" }),
  );
  assert.equal(first.length, 2);
  const again = delivers(
    await send(core, BOB, "@bridge@social.test second", { id: "status-2", inReplyTo: "status-1" }),
  );
  assert.deepEqual(again.map((d) => d.to), [[ALICE], [DAVE]]);
  for (const [i, d] of again.entries()) {
    assert.equal(d.text, `${bobHeader(core, "new")}\nsecond`);
    // Each copy threads under the copy of the first message that recipient got.
    assert.equal(d.inReplyTo, first[i]!.messageId);
  }
  // Records of the resend carry the new status id.
  assert.equal(
    core.deps.store.conversations.findBySourceId(FEDI, BOB.address, "status-2").length,
    2,
  );
});

Deno.test("an unaddressed XMPP message answers the last sender within max-minutes-for-reply", async () => {
  using core = world();
  const start = core.clock.now;
  await send(core, BOB, "xmpp:alice@chat.test are you there?", { id: "status-5" });

  core.clock.now = start + 90 * MINUTE; // exactly at the limit: still in time
  const reply = onlyDeliver(await send(core, ALICE, "yes, here"));
  assert.deepEqual(reply.to, [BOB]);
  assert.equal(reply.text, `@bob@social.test ${aliceHeader(core, "reply")}\nyes, here`);
  assert.equal(reply.inReplyTo, "status-5");

  // Alice's own message is now the latest exchange; past the limit after it, nothing goes.
  core.clock.now += 90 * MINUTE + 1;
  const effects = await send(core, ALICE, "hello again?");
  assert.equal(delivers(effects).length, 0);
  assert.deepEqual(notices(effects).map((n) => n.text), [
    t(core, "send.no_recipient_xmpp", { example: "@name@server.tld", minutes: 90 }),
  ]);
  assert.equal(sentCount(core, ALICE), 1);
});

Deno.test("max-minutes-for-reply 0: the last exchange counts however old", async () => {
  using core = world("max-minutes-for-reply: 0\n");
  await send(core, BOB, "xmpp:alice@chat.test ping");
  core.clock.now += 30 * 24 * 60 * MINUTE;
  assert.deepEqual(onlyDeliver(await send(core, ALICE, "pong")).to, [BOB]);
});

Deno.test("the most recent of what was received and what was sent wins", async () => {
  using core = world();
  const toCarol = onlyDeliver(await send(core, ALICE, "@carol@other.social hi Carol"));
  posted(core, toCarol, "status-c1");
  core.clock.now += MINUTE;
  await send(core, BOB, "xmpp:alice@chat.test hi Alice", { id: "status-b1" });
  core.clock.now += MINUTE;
  // Received from Bob after writing to Carol: to Bob.
  assert.deepEqual(onlyDeliver(await send(core, ALICE, "hi Bob")).to, [BOB]);
  core.clock.now += MINUTE;
  const again = onlyDeliver(await send(core, ALICE, "@carol@other.social and you?"));
  posted(core, again, "status-c2");
  core.clock.now += MINUTE;
  // Now her own message to Carol is the latest: sent again to Carol, threaded under it.
  const resend = onlyDeliver(await send(core, ALICE, "one more thing"));
  assert.deepEqual(resend.to, [CAROL]);
  assert.equal(resend.text, `@carol@other.social ${aliceHeader(core, "new")}\none more thing`);
  assert.equal(resend.inReplyTo, "status-c2");
});

Deno.test("an unaddressed XMPP message goes again to all recipients of the last one", async () => {
  using core = world();
  onlyDeliver(await send(core, ALICE, "@bob@social.test @carol@other.social hi both"));
  core.clock.now += MINUTE;
  const resend = onlyDeliver(await send(core, ALICE, "and another thing"));
  assert.deepEqual(resend.to, [BOB, CAROL]);
  // Not posted yet: nothing to thread under.
  assert.equal(resend.inReplyTo, null);
});

Deno.test("an XMPP native reply reaches the sender of that message, however old", async () => {
  using core = world();
  await send(core, BOB, "xmpp:dave@chat.test for Dave", { id: "status-d" });
  const toAlice = onlyDeliver(
    await send(core, BOB, "xmpp:alice@chat.test old news", { id: "status-8" }),
  );
  // Another sender wrote to Alice since; the reply still goes to Bob, with no guessing.
  core.clock.now += MINUTE;
  await send(core, CAROL, "xmpp:alice@chat.test newer", { id: "status-9" });
  core.clock.now += 5 * 60 * MINUTE;

  const reply = onlyDeliver(
    await send(core, ALICE, "late answer", { inReplyTo: toAlice.messageId }),
  );
  assert.deepEqual(reply.to, [BOB]);
  assert.equal(reply.inReplyTo, "status-8");
  assert.ok(reply.text.includes(aliceHeader(core, "reply")));
});

Deno.test("an XMPP native reply works before the delivery it answers has settled", async () => {
  using core = world();
  // Nothing marks the delivery as sent: its id was recorded with the delivery itself.
  const toAlice = onlyDeliver(await send(core, BOB, "xmpp:alice@chat.test quick", { id: "s-q" }));
  const reply = onlyDeliver(await send(core, ALICE, "quicker", { inReplyTo: toAlice.messageId }));
  assert.deepEqual(reply.to, [BOB]);
  assert.equal(reply.inReplyTo, "s-q");
});

Deno.test("an XMPP native reply to one's own old message resends it to the same recipients", async () => {
  using core = world();
  await send(core, ALICE, "@carol@other.social hello", { id: "stanza-old" });
  core.clock.now += 10 * 60 * MINUTE;
  const resend = onlyDeliver(await send(core, ALICE, "again", { inReplyTo: "stanza-old" }));
  assert.deepEqual(resend.to, [CAROL]);
});

Deno.test("an XMPP native reply to a message delivered to someone else is no route", async () => {
  using core = world();
  const toDave = onlyDeliver(await send(core, BOB, "xmpp:dave@chat.test secret"));
  const effects = await send(core, ALICE, "what?", { inReplyTo: toDave.messageId });
  assert.equal(delivers(effects).length, 0);
  assert.equal(sentCount(core, ALICE), 0);
});

Deno.test("named recipients win; an explicit reply still threads the copy of the one it answers", async () => {
  using core = world();
  const out = onlyDeliver(await send(core, ALICE, "@bob@social.test question", { id: "st-q" }));
  posted(core, out, "status-q");
  const effects = await send(core, BOB, "xmpp:alice@chat.test xmpp:dave@chat.test answer", {
    inReplyTo: "status-q",
  });
  const [toAlice, toDave] = delivers(effects);
  assert.deepEqual(toAlice?.to, [ALICE]);
  assert.equal(toAlice?.inReplyTo, "st-q");
  assert.ok(toAlice?.text.startsWith(bobHeader(core, "reply")));
  assert.deepEqual(toDave?.to, [DAVE]);
  assert.equal(toDave?.inReplyTo, null);
  assert.ok(toDave?.text.startsWith(bobHeader(core, "new")));
});

Deno.test("the bots' own addresses are never recipients", async () => {
  using core = world();
  const effects = await send(core, BOB, "xmpp:bridge@chat.test @bridge@social.test hi");
  assert.equal(delivers(effects).length, 0);
  const fromXmpp = await send(core, ALICE, "@bridge@social.test xmpp:bridge@chat.test hi");
  assert.equal(delivers(fromXmpp).length, 0);
  assert.deepEqual(notices(fromXmpp).map((n) => n.text), [
    t(core, "send.no_recipient_xmpp", { example: "@name@server.tld", minutes: 90 }),
  ]);
});
