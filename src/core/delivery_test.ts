import assert from "node:assert/strict";
import { fediLength } from "./fedi_length.ts";
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

  // Too long for one status: a thread, each part within the limit, numbered, the later parts
  // starting with the recipient's mention.
  const long = `@carol@other.social ${"word ".repeat(30)}${url}`.trim();
  const thread = onlyDeliver(await send(core, ALICE, long, { deps }));
  const parts = thread.parts ?? [];
  assert.ok(parts.length > 1, `${parts.length} parts`);
  parts.forEach((part, i) => {
    assert.ok(fediLength(part, 23) <= limits.maxCharacters, part);
    assert.ok(part.endsWith(`\n${i + 1}/${parts.length}`), part);
    assert.ok(part.startsWith("@carol@other.social "), part);
  });
  assert.equal(thread.text, parts.join("\n\n"));
  assert.equal(sentCount(core, ALICE), 2);
});

Deno.test("a text that needs more than max-parts statuses is refused with a notice", async () => {
  using core = world("max-parts: 2\n");
  const limits = { maxCharacters: 120, charactersReservedPerUrl: 23 };
  const deps = { ...core.deps, fediLimits: () => limits };
  const effects = await send(core, ALICE, `@carol@other.social ${"word ".repeat(80)}`, { deps });
  assertOnlyNotice(effects, ALICE, t(core, "send.too_long_thread", { max: 120, parts: 2 }));
  assert.equal(sentCount(core, ALICE), 0);
});

Deno.test("an XMPP file of an allowed media host goes with the delivery; others stay links", async () => {
  using core = world("media-hosts: [upload.chat.test]\n");
  const photo = {
    url: "https://upload.chat.test/s/cat.png",
    description: "A cat",
    type: "unknown",
  };
  const other = { url: "https://elsewhere.test/x.png", description: null, type: "unknown" };
  const deliver = onlyDeliver(
    await send(core, ALICE, `@carol@other.social ${photo.url} ${other.url}`, {
      extras: { spoiler: null, media: [photo, other], pollUrl: null },
    }),
  );
  assert.deepEqual(deliver.media, [photo]);
  assert.ok(deliver.text.includes(other.url));
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
