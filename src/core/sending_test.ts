import assert from "node:assert/strict";
import { fediLength } from "./render.ts";
import {
  ALICE,
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
} from "../../tests/support/sending.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { type Effect, FEDI, XMPP } from "./types.ts";

/** A core with Alice and Dave (XMPP) and Bob and Carol (Fediverse) registered. */
function world(extraConfig = ""): TestCore {
  const core = makeCore(extraConfig);
  for (const a of [ALICE, DAVE, BOB, CAROL]) join(core, a);
  return core;
}

/** Exactly one effect: a notice to `to` with `text` (answering `inReplyTo` on the Fediverse). */
function assertOnlyNotice(
  effects: readonly Effect[],
  to: typeof ALICE,
  text: string,
  inReplyTo: string | null = null,
): void {
  assert.deepEqual(effects, [{ kind: "notice", to, text, inReplyTo }]);
}

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

Deno.test("XMPP to the Fediverse: one status mentioning every recipient, recorded without posted id", async () => {
  using core = world();
  core.clock.now += 12_345;
  const effects = await send(core, ALICE, "@bob@social.test @carol@other.social hi both", {
    id: "stanza-1",
  });
  const deliver = onlyDeliver(effects);
  const header = t(core, "header.new", { app: "XMPP", user: "xmpp:alice@chat.test" });
  assert.equal(
    deliver.text,
    `@bob@social.test @carol@other.social ${header}\n` +
      // Only the leading mentions are live: the text's own are made inert.
      "@\u200Bbob@social.test @\u200Bcarol@other.social hi both",
  );
  assert.deepEqual(deliver.to, [BOB, CAROL]);
  assert.deepEqual(deliver.from, ALICE);
  assert.equal(deliver.inReplyTo, null);
  assert.equal(deliver.messageId, null);
  assert.equal(deliver.sourceId, "stanza-1");
  assert.deepEqual(deliver.media, []);
  const records = core.deps.store.conversations.findBySourceId(XMPP, ALICE.address, "stanza-1");
  assert.deepEqual(records.map((r) => r.id), deliver.records);
  assert.deepEqual(
    records.map((r) => [r.recipientType, r.recipient, r.sender, r.at, r.postedId]),
    [
      [FEDI, BOB.address, ALICE.address, core.clock.now, null],
      [FEDI, CAROL.address, ALICE.address, core.clock.now, null],
    ],
  );
});

Deno.test("Fediverse to XMPP: one message per recipient, its id recorded as posted id", async () => {
  using core = world();
  const effects = await send(core, BOB, "xmpp:alice@chat.test xmpp:dave@chat.test hi", {
    id: "status-7",
  });
  const list = delivers(effects);
  assert.deepEqual(list.map((d) => d.to), [[ALICE], [DAVE]]);
  const header = t(core, "header.new", { app: "Mastodon", user: "@bob@social.test" });
  for (const d of list) {
    assert.equal(d.text, `${header}\nxmpp:alice@chat.test xmpp:dave@chat.test hi`);
    assert.ok(d.messageId !== null);
    assert.equal(d.records.length, 1);
    const [record] = core.deps.store.conversations.findByPostedId(XMPP, d.messageId);
    assert.equal(record?.id, d.records[0]);
    assert.equal(record?.recipient, d.to[0]?.address);
    assert.equal(record?.sourceId, "status-7");
  }
  assert.notEqual(list[0]?.messageId, list[1]?.messageId);
});

Deno.test("Fediverse to XMPP: content warning, media and poll are rendered; media also as items", async () => {
  using core = world();
  const media = [
    { url: "https://files.social.test/cat.jpg", description: "A cat", type: "image" },
  ];
  const extras = { spoiler: "animals", media, pollUrl: "https://social.test/@bob/99" };
  const deliver = onlyDeliver(await send(core, BOB, "xmpp:alice@chat.test vote!", { extras }));
  const header = t(core, "header.new", { app: "Mastodon", user: "@bob@social.test" });
  assert.equal(
    deliver.text,
    [
      `${header}\n${t(core, "render.content_warning", { text: "animals" })}`,
      "xmpp:alice@chat.test vote!",
      `${t(core, "render.media")}\n- ${
        t(core, "render.media_item_described", {
          kind: t(core, "render.media_kind.image"),
          url: media[0]!.url,
          description: "A cat",
        })
      }`,
      t(core, "render.poll", { url: "https://social.test/@bob/99" }),
    ].join("\n\n"),
  );
  assert.deepEqual(deliver.media, media);
});

Deno.test("a status with only the bot's mention and a picture is carried; with nothing, ignored", async () => {
  using core = world();
  await send(core, BOB, "xmpp:alice@chat.test first");
  const media = [{ url: "https://files.social.test/p.png", description: null, type: "image" }];
  const bobStatus = core.deps.store.conversations.lastSentBy(FEDI, BOB.address)[0]!;
  const effects = await send(core, BOB, "@bridge@social.test", {
    inReplyTo: bobStatus.sourceId,
    extras: { spoiler: null, media, pollUrl: null },
  });
  assert.deepEqual(onlyDeliver(effects).media, media);
  assert.deepEqual(await send(core, BOB, "@bridge@social.test"), []);
  assert.deepEqual(await send(core, ALICE, "   "), []);
});

Deno.test("the Fediverse limit counts URLs and mentions the Mastodon way", async () => {
  using core = world();
  const limits = { maxCharacters: 120, charactersReservedPerUrl: 23 };
  const deps = { ...core.deps, fediLimits: () => limits };
  const url = `https://example.org/${"p".repeat(150)}`;
  // Far over 120 code units, but a URL counts 23 and the mention only "@carol".
  const fits = `@carol@other.social see ${url}`;
  const ok = onlyDeliver(await send(core, ALICE, fits, { deps }));
  assert.ok(ok.text.length > limits.maxCharacters);
  assert.ok(fediLength(ok.text, 23) <= limits.maxCharacters);

  const long = `@carol@other.social ${"word ".repeat(30)}${url}`.trim();
  const effects = await send(core, ALICE, long, { deps });
  const header = t(core, "header.new", { app: "XMPP", user: "xmpp:alice@chat.test" });
  // "@carol " + header + "\n" + the text (its mention made inert, so counted whole) and a
  // 23-character URL.
  const count = `@carol ${header}\n@\u200Bcarol@other.social ${"word ".repeat(30)}`.length + 23;
  assertOnlyNotice(effects, ALICE, t(core, "send.too_long", { max: 120, count }));
  assert.equal(sentCount(core, ALICE), 1);
});

Deno.test("a new Fediverse sender is registered on the spot; the header names their app", async () => {
  using core = makeCore();
  join(core, ALICE);
  core.fedi.add("erin@social.test", { app: "pixelfed", now: core.clock.now });
  const erin = { network: FEDI, address: "erin@social.test" } as const;
  const effects = await send(core, erin, "xmpp:alice@chat.test hello from Erin", { id: "e1" });
  assert.equal(core.deps.store.users.get(FEDI, erin.address)?.app, "Pixelfed");
  const deliver = onlyDeliver(effects);
  assert.equal(
    deliver.text,
    `${
      t(core, "header.new", { app: "Pixelfed", user: "@erin@social.test" })
    }\nxmpp:alice@chat.test hello from Erin`,
  );
  assert.ok(notices(effects).every((n) => n.to === erin && n.inReplyTo === "e1"));
});
