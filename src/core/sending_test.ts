import assert from "node:assert/strict";
import {
  ALICE,
  assertOnlyNotice,
  BOB,
  CAROL,
  DAVE,
  delivers,
  join,
  notices,
  onlyDeliver,
  send,
  sentCount,
  t,
  world,
} from "../../tests/support/sending.ts";
import { makeCore } from "../../tests/support/core.ts";
import { FEDI, XMPP } from "./types.ts";

Deno.test("refused while sending is stopped; nothing recorded", async () => {
  using core = world();
  core.deps.lists.setSending(false);
  const effects = await send(core, ALICE, "@bob@social.test hello", { id: "x1" });
  assertOnlyNotice(effects, ALICE, t(core, "send.stopped"));
  assert.equal(sentCount(core, ALICE), 0);
  // From the Fediverse the answer replies to the sender's status.
  const fromBob = await send(core, BOB, "xmpp:alice@chat.test hi", { id: "s1" });
  assert.deepEqual(fromBob, [
    { kind: "notice", to: BOB, text: t(core, "send.stopped"), inReplyTo: "s1" },
  ]);
  assert.equal(sentCount(core, BOB), 0);
});

Deno.test("a short Fediverse mention from XMPP is refused", async () => {
  using core = world();
  const effects = await send(core, ALICE, "@bob hello, and @bob@social.test too");
  assertOnlyNotice(
    effects,
    ALICE,
    t(core, "send.short_mention", { names: "@bob", example: "@bob@server.tld" }),
  );
  assert.equal(sentCount(core, ALICE), 0);
});

Deno.test("more recipients than max-dest-to-send are refused", async () => {
  using core = world("max-dest-to-send: 1\n");
  const effects = await send(core, ALICE, "@bob@social.test @carol@other.social hi");
  assertOnlyNotice(effects, ALICE, t(core, "send.too_many", { max: 1, count: 2 }));
  assert.equal(sentCount(core, ALICE), 0);
});

Deno.test("no recipient: each network is told how to address someone", async () => {
  using core = world();
  assertOnlyNotice(
    await send(core, BOB, "hello?", { id: "s2" }),
    BOB,
    t(core, "send.no_recipient_fedi", { example: "xmpp:name@server.tld" }),
    "s2",
  );
  assertOnlyNotice(
    await send(core, ALICE, "hello?"),
    ALICE,
    t(core, "send.no_recipient_xmpp", { example: "@name@server.tld", minutes: 90 }),
  );
  assert.equal(sentCount(core, ALICE) + sentCount(core, BOB), 0);

  using untimed = world("max-minutes-for-reply: 0\n");
  assertOnlyNotice(
    await send(untimed, ALICE, "hello?"),
    ALICE,
    t(untimed, "send.no_recipient_xmpp_untimed", { example: "@name@server.tld" }),
  );
});

Deno.test("a Fediverse user naming only Fediverse accounts is told the bridge does not carry that", async () => {
  using core = world();
  const effects = await send(core, BOB, "@carol@other.social what do you think?", { id: "s3" });
  // The names are written so that the answer (a status) does not reach Carol.
  assertOnlyNotice(
    effects,
    BOB,
    t(core, "send.fedi_to_fedi", {
      names: "@\u200Bcarol@other.social",
      example: "xmpp:name@server.tld",
    }),
    "s3",
  );
  assert.equal(sentCount(core, BOB), 0);
  // Beside an XMPP recipient, Fediverse mentions are simply not recipients.
  const mixed = await send(core, BOB, "@carol@other.social xmpp:alice@chat.test hi both");
  assert.equal(notices(mixed).length, 0);
  assert.deepEqual(onlyDeliver(mixed).to, [ALICE]);
});

Deno.test("an XMPP user naming XMPP accounts: refused alone, noted beside a real recipient", async () => {
  using core = world();
  const names = "xmpp:dave@chat.test";
  assertOnlyNotice(
    await send(core, ALICE, "xmpp:dave@chat.test hi"),
    ALICE,
    t(core, "send.same_network_xmpp", { names }),
  );
  assert.equal(sentCount(core, ALICE), 0);
  const effects = await send(core, ALICE, "xmpp:dave@chat.test @bob@social.test hi");
  assert.deepEqual(notices(effects).map((n) => n.text), [
    t(core, "send.same_network_xmpp", { names }),
  ]);
  assert.deepEqual(onlyDeliver(effects).to, [BOB]);
});

Deno.test("the rate limit counts each sender-recipient pair over five minutes", async () => {
  using core = world("max-user-rate: 3\nmax-dest-to-send: 2\n");
  const refusal = t(core, "send.rate_limited", { max: 3, minutes: 5 });
  assert.equal(
    delivers(await send(core, ALICE, "@bob@social.test @carol@other.social one"))
      .length,
    1,
  );
  assert.equal(sentCount(core, ALICE), 2);
  // Two more pairs would make four: refused, and nothing recorded.
  assertOnlyNotice(
    await send(core, ALICE, "@bob@social.test @carol@other.social two"),
    ALICE,
    refusal,
  );
  assert.equal(sentCount(core, ALICE), 2);
  // One more makes three: fine. Then a fourth is refused.
  core.clock.now += 60_000;
  assert.equal(delivers(await send(core, ALICE, "@bob@social.test three")).length, 1);
  assertOnlyNotice(await send(core, ALICE, "@bob@social.test four"), ALICE, refusal);
  // Five minutes after the first two, they no longer count.
  core.clock.now += 4 * 60_000 + 1;
  assert.equal(
    delivers(await send(core, ALICE, "@bob@social.test @carol@other.social five"))
      .length,
    1,
  );
  assert.equal(sentCount(core, ALICE), 5);
});

Deno.test("max-user-rate 0 means no limit", async () => {
  using core = world("max-user-rate: 0\n");
  for (let i = 0; i < 40; i++) {
    assert.equal(delivers(await send(core, BOB, `xmpp:alice@chat.test n${i}`)).length, 1);
  }
  assert.equal(sentCount(core, BOB), 40);
});

Deno.test("blocks: the recipient's block is silent with silent-block, told without", async () => {
  for (const silent of [true, false]) {
    using core = world(`silent-block: ${silent}\n`);
    core.deps.store.blocks.add(FEDI, BOB.address, ALICE.address, core.clock.now);
    const effects = await send(core, ALICE, "@bob@social.test hi");
    assert.equal(delivers(effects).length, 0);
    assert.deepEqual(
      notices(effects).map((n) => n.text),
      silent ? [] : [t(core, "send.skip_blocked_by", { user: "@bob@social.test" })],
    );
    assert.equal(sentCount(core, ALICE), 0);
    // The other way round: Fediverse to XMPP.
    core.deps.store.blocks.add(XMPP, DAVE.address, BOB.address, core.clock.now);
    const back = await send(core, BOB, "xmpp:dave@chat.test hi");
    assert.equal(delivers(back).length, 0);
    assert.deepEqual(
      notices(back).map((n) => n.text),
      silent ? [] : [t(core, "send.skip_blocked_by", { user: "xmpp:dave@chat.test" })],
    );
  }
});

Deno.test("blocks: the sender's own block is always told, with how to lift it", async () => {
  for (const silent of [true, false]) {
    using core = world(`silent-block: ${silent}\n`);
    core.deps.store.blocks.add(XMPP, ALICE.address, BOB.address, core.clock.now);
    const effects = await send(core, ALICE, "@bob@social.test hi");
    assert.equal(delivers(effects).length, 0);
    assert.deepEqual(notices(effects).map((n) => n.text), [
      t(core, "send.skip_you_block", {
        user: "@bob@social.test",
        command: "!unblock @bob@social.test",
      }),
    ]);
  }
});

Deno.test("a blocked recipient is left out, the others still get it", async () => {
  using core = world("silent-block: true\n");
  core.deps.store.blocks.add(FEDI, CAROL.address, ALICE.address, core.clock.now);
  const effects = await send(core, ALICE, "@bob@social.test @carol@other.social hi both");
  assert.equal(notices(effects).length, 0);
  const deliver = onlyDeliver(effects);
  assert.deepEqual(deliver.to, [BOB]);
  assert.equal(deliver.records.length, 1);
  // Carol is not mentioned in a way that would deliver the status to her.
  assert.ok(deliver.text.startsWith("@bob@social.test "));
  assert.ok(deliver.text.includes("@\u200Bcarol@other.social"));
  assert.equal(core.deps.store.conversations.lastReceivedBy(FEDI, CAROL.address), undefined);
});

Deno.test("bridge-wide blocked and unregistered recipients are skipped with a note", async () => {
  using core = world();
  const stranger = { network: FEDI, address: "stranger@social.test" } as const;
  core.deps.store.bridgeBlocks.add(FEDI, CAROL.address, core.clock.now);
  const effects = await send(
    core,
    ALICE,
    "@carol@other.social @stranger@social.test @bob@social.test yo",
  );
  assert.deepEqual(notices(effects).map((n) => n.text), [
    t(core, "send.skip_unavailable", { user: "@carol@other.social" }),
    t(core, "send.skip_unregistered_fedi", {
      user: "@stranger@social.test",
      bot: "@bridge@social.test",
    }),
  ]);
  assert.deepEqual(onlyDeliver(effects).to, [BOB]);
  assert.equal(core.deps.store.conversations.lastReceivedBy(FEDI, stranger.address), undefined);
});

Deno.test("an unregistered XMPP recipient gets Fediverse messages; one who left does not", async () => {
  using core = world();
  const newcomer = { network: XMPP, address: "newcomer@chat.test" } as const;
  const deliver = onlyDeliver(await send(core, BOB, "xmpp:newcomer@chat.test welcome"));
  assert.deepEqual(deliver.to, [newcomer]);

  core.deps.store.users.revoke(XMPP, DAVE.address, core.clock.now);
  const effects = await send(core, BOB, "xmpp:dave@chat.test still there?");
  assert.equal(delivers(effects).length, 0);
  assert.deepEqual(notices(effects).map((n) => n.text), [
    t(core, "send.skip_unregistered_xmpp", {
      user: "xmpp:dave@chat.test",
      bot: "xmpp:bridge@chat.test",
    }),
  ]);
});

Deno.test("an unregistered sender is registered first, then the message goes", async () => {
  using core = makeCore();
  join(core, BOB);
  const effects = await send(core, ALICE, "@bob@social.test hello");
  const user = core.deps.store.users.get(XMPP, ALICE.address);
  assert.ok(user !== undefined && user.revokedAt === null);
  // The welcome (the registration's answer) comes first, then the delivery.
  assert.equal(effects[0]?.kind, "notice");
  assert.equal(effects.at(-1)?.kind, "deliver");
  assert.deepEqual(onlyDeliver(effects).to, [BOB]);
});

Deno.test("a refused registration stops the send", async () => {
  using core = makeCore();
  join(core, BOB);
  core.deps.lists.setOpen(false);
  const effects = await send(core, ALICE, "@bob@social.test hello");
  assert.equal(delivers(effects).length, 0);
  assert.deepEqual(notices(effects).map((n) => n.text), [t(core, "reg.closed")]);
  assert.equal(sentCount(core, ALICE), 0);
  assert.equal(core.deps.store.users.get(XMPP, ALICE.address), undefined);
});

Deno.test("silent-send decides the confirmation; the sender's language goes along", async () => {
  for (const silent of [true, false]) {
    using core = world(`silent-send: ${silent}\n`);
    const toFedi = onlyDeliver(await send(core, ALICE, "@bob@social.test hi"));
    const toXmpp = onlyDeliver(await send(core, BOB, "xmpp:alice@chat.test hi"));
    for (const d of [toFedi, toXmpp]) {
      assert.equal(d.confirm, !silent);
      assert.equal(d.senderLang, "en");
      assert.equal(d.lang, "en");
    }
  }
});
