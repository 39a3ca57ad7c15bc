import assert from "node:assert/strict";
import { MAX_INBOUND_CHARS } from "../core/engine.ts";
import { XMPP } from "../core/types.ts";
import { errorCondition, MAX_BODY_CHARS, readStanza, stripReplyFallback } from "./inbound.ts";
import { NS } from "./ns.ts";
import { element } from "./xml.ts";

const BOT = "bot@xmpp.test";

function chat(
  attrs: Record<string, string | undefined>,
  ...children: ReturnType<typeof element>[]
) {
  return element(
    "message",
    { from: "Alice@XMPP.test/phone", to: BOT, type: "chat", ...attrs },
    ...children,
  );
}

function body(text: string) {
  return element("body", {}, text);
}

Deno.test("a chat message becomes a core message with a dedupe key", () => {
  const event = readStanza(chat({ id: "m1" }, body("hello")), BOT);
  assert.deepEqual(event, {
    kind: "inbound",
    inbound: {
      kind: "message",
      from: { network: XMPP, address: "alice@xmpp.test" },
      id: "m1",
      text: "hello",
      inReplyTo: null,
      lang: null,
      extras: null,
      receipt: null,
    },
    dedupeKey: "xmpp:alice@xmpp.test:m1",
    oversize: false,
  });
});

Deno.test("a normal message (no type) counts; its language is kept", () => {
  const stanza = element(
    "message",
    { from: "alice@xmpp.test", id: "n1", "xml:lang": "de" },
    body("hallo"),
  );
  const event = readStanza(stanza, BOT);
  assert.equal(event.kind, "inbound");
  if (event.kind !== "inbound" || event.inbound.kind !== "message") return;
  assert.equal(event.inbound.text, "hallo");
  assert.equal(event.inbound.lang, "de");
});

Deno.test("no id: a local id and no dedupe key; origin-id serves when the id is missing", () => {
  const bare = readStanza(chat({ id: undefined }, body("x")), BOT, () => "gen-1");
  assert.ok(bare.kind === "inbound" && bare.inbound.kind === "message");
  assert.equal(bare.inbound.id, "gen-1");
  assert.equal(bare.dedupeKey, null);
  const withOrigin = readStanza(
    chat({ id: undefined }, body("x"), element("origin-id", { xmlns: NS.sid, id: "o-7" })),
    BOT,
  );
  assert.ok(withOrigin.kind === "inbound" && withOrigin.inbound.kind === "message");
  assert.equal(withOrigin.inbound.id, "o-7");
  assert.equal(withOrigin.dedupeKey, "xmpp:alice@xmpp.test:o-7");
});

Deno.test("a XEP-0461 reply sets inReplyTo and loses its fallback quote", () => {
  const quote = "> Alice wrote:\n> earlier text\n";
  const stanza = chat(
    { id: "r1" },
    body(`${quote}my answer`),
    element("reply", { xmlns: NS.reply, to: "bot@xmpp.test", id: "bridge-42" }),
    element(
      "fallback",
      { xmlns: NS.fallback, for: NS.reply },
      element("body", { start: "0", end: String(Array.from(quote).length) }),
    ),
  );
  const event = readStanza(stanza, BOT);
  assert.ok(event.kind === "inbound" && event.inbound.kind === "message");
  assert.equal(event.inbound.inReplyTo, "bridge-42");
  assert.equal(event.inbound.text, "my answer");
});

Deno.test("fallback offsets count code points, and only reply fallbacks are cut", () => {
  const text = "> 😀 é\nreply 😀";
  const quoteLength = Array.from("> 😀 é\n").length; // 6 code points, 7 UTF-16 units
  const stanza = chat(
    {},
    body(text),
    element(
      "fallback",
      { xmlns: NS.fallback, for: NS.reply },
      element("body", { start: "0", end: String(quoteLength) }),
    ),
    element(
      "fallback",
      { xmlns: NS.fallback, for: "urn:xmpp:other:0" },
      element("body", { start: "0", end: "11" }),
    ),
  );
  assert.equal(stripReplyFallback(text, stanza), "reply 😀");
});

Deno.test("bad fallback ranges are ignored; a range-less body covers everything", () => {
  const text = "abc";
  const withBad = chat(
    {},
    body(text),
    element(
      "fallback",
      { xmlns: NS.fallback, for: NS.reply },
      element("body", { start: "2", end: "1" }),
      element("body", { start: "0", end: "9" }),
      element("body", { start: "x", end: "1" }),
    ),
  );
  assert.equal(stripReplyFallback(text, withBad), "abc");
  const whole = chat(
    {},
    body(text),
    element("fallback", { xmlns: NS.fallback, for: NS.reply }, element("body")),
  );
  assert.equal(stripReplyFallback(text, whole), "");
});

Deno.test("ignored messages: groupchat, headline, no body, carbons, own account, servers", () => {
  const cases: [ReturnType<typeof element>, string][] = [
    [chat({ type: "groupchat" }, body("x")), "a groupchat message"],
    [chat({ type: "headline" }, body("x")), "a headline message"],
    [chat({}, element("active", { xmlns: "http://jabber.org/protocol/chatstates" })), "no body"],
    [
      chat({}, body("x"), element("received", { xmlns: NS.carbons })),
      "a carbon copy",
    ],
    [chat({ from: "Bot@xmpp.test/other" }, body("x")), "from the bot's own account"],
    [chat({ from: "xmpp.test" }, body("motd")), "not from a user account"],
    [chat({ from: undefined }, body("x")), "no sender"],
  ];
  for (const [stanza, reason] of cases) {
    assert.deepEqual(readStanza(stanza, BOT), { kind: "ignore", reason });
  }
});

Deno.test("an empty body is passed on (the core ignores it without an answer)", () => {
  const event = readStanza(chat({ id: "e" }, body("")), BOT);
  assert.ok(event.kind === "inbound" && event.inbound.kind === "message");
  assert.equal(event.inbound.text, "");
});

Deno.test("an oversized body is cut so the core refuses it", () => {
  assert.ok(MAX_INBOUND_CHARS < MAX_BODY_CHARS, "the cut must stay above the core's limit");
  const huge = "a".repeat(1_000_000);
  const event = readStanza(chat({ id: "big" }, body(huge)), BOT);
  assert.ok(event.kind === "inbound" && event.inbound.kind === "message");
  assert.equal(event.oversize, true);
  assert.equal(event.inbound.text.length, MAX_BODY_CHARS + 1);
  assert.ok(event.inbound.text.length > MAX_INBOUND_CHARS);
  const fits = readStanza(chat({ id: "ok" }, body("a".repeat(MAX_BODY_CHARS))), BOT);
  assert.ok(fits.kind === "inbound" && !fits.oversize);
});

Deno.test("a receipt is wanted only when asked for and the message has an id", () => {
  const asked = readStanza(
    chat({ id: "q1" }, body("x"), element("request", { xmlns: NS.receipts })),
    BOT,
  );
  assert.ok(asked.kind === "inbound");
  assert.ok(asked.inbound.kind === "message");
  assert.deepEqual(asked.inbound.receipt, { jid: "Alice@XMPP.test/phone", id: "q1" });
  const noId = readStanza(
    chat({ id: undefined }, body("x"), element("request", { xmlns: NS.receipts })),
    BOT,
  );
  assert.ok(noId.kind === "inbound");
  assert.ok(noId.inbound.kind === "message");
  assert.equal(noId.inbound.receipt, null);
});

Deno.test("subscription presences become (un)subscribe events; others are ignored", () => {
  const presence = (type: string | undefined, from = "Carol@xmpp.test/x") =>
    element("presence", { from, type });
  assert.deepEqual(readStanza(presence("subscribe"), BOT), {
    kind: "inbound",
    inbound: { kind: "subscribe", from: { network: XMPP, address: "carol@xmpp.test" } },
    dedupeKey: null,
    oversize: false,
  });
  const un = readStanza(presence("unsubscribe"), BOT);
  assert.ok(un.kind === "inbound" && un.inbound.kind === "unsubscribe");
  assert.equal(readStanza(presence(undefined), BOT).kind, "ignore");
  assert.equal(readStanza(presence("subscribed"), BOT).kind, "ignore");
  assert.equal(readStanza(presence("subscribe", "xmpp.test"), BOT).kind, "ignore");
  assert.equal(readStanza(presence("subscribe", "bot@xmpp.test"), BOT).kind, "ignore");
});

Deno.test("an error message is a bounce with its condition", () => {
  const stanza = element(
    "message",
    { from: "Nobody@xmpp.test", type: "error", id: "bridge-9" },
    element(
      "error",
      { type: "cancel" },
      element("service-unavailable", { xmlns: NS.stanzas }),
      element("text", { xmlns: NS.stanzas }, "gone"),
    ),
  );
  assert.deepEqual(readStanza(stanza, BOT), {
    kind: "bounce",
    id: "bridge-9",
    condition: "service-unavailable",
    from: "nobody@xmpp.test",
  });
  const bare = element("message", { from: "xmpp.test", type: "error", id: "z" });
  assert.equal(errorCondition(bare), "undefined-condition");
  assert.equal(readStanza(element("message", { from: "a@b", type: "error" }), BOT).kind, "ignore");
});

Deno.test("encrypted messages are never read as text, whatever their fallback body says", () => {
  const payloads = [
    element("encrypted", { xmlns: NS.omemoLegacy }, element("payload", {}, "AAAA")),
    element("encrypted", { xmlns: NS.omemo2 }, element("payload", {}, "AAAA")),
    element("openpgp", { xmlns: NS.openpgp }, "BASE64"),
    element("x", { xmlns: NS.pgpLegacy }, "-----BEGIN PGP MESSAGE-----"),
    element("encryption", { xmlns: NS.eme, namespace: "urn:example:new-scheme" }),
  ];
  for (const payload of payloads) {
    const fallback = body("I sent you an OMEMO encrypted message: fedi:bob@social.test");
    const event = readStanza(chat({ id: "e1" }, fallback, payload), BOT);
    assert.ok(event.kind === "inbound", payload.toString());
    assert.deepEqual(event.inbound, {
      kind: "encrypted",
      from: { network: XMPP, address: "alice@xmpp.test" },
    });
    assert.equal(event.dedupeKey, "xmpp:alice@xmpp.test:e1");
    // Without a body too (some clients send none).
    const bare = readStanza(chat({ id: "e2" }, payload), BOT);
    assert.ok(bare.kind === "inbound" && bare.inbound.kind === "encrypted");
  }
  // A plain message that merely talks about OMEMO stays a message.
  const plain = readStanza(chat({ id: "p1" }, body("do you support OMEMO?")), BOT);
  assert.ok(plain.kind === "inbound" && plain.inbound.kind === "message");
});

Deno.test("a XEP-0184 receipt for one of our messages is reported with its sender", () => {
  const receipt = readStanza(
    chat({ id: "r1" }, element("received", { xmlns: NS.receipts, id: "bridge-msg-7" })),
    BOT,
  );
  assert.deepEqual(receipt, { kind: "receipt", id: "bridge-msg-7", from: "alice@xmpp.test" });
  const empty = readStanza(chat({ id: "r2" }, element("received", { xmlns: NS.receipts })), BOT);
  assert.equal(empty.kind, "ignore");
});

Deno.test("a shared file (XEP-0066) becomes a media item with its description; one not in the body does not", () => {
  const url = "https://upload.xmpp.test/slot/cat.png";
  const oob = (u: string, desc?: string) =>
    element(
      "x",
      { xmlns: NS.oob },
      element("url", {}, u),
      ...(desc === undefined ? [] : [element("desc", {}, desc)]),
    );
  const event = readStanza(
    chat({ id: "m9" }, body(url), oob(url, " A cat "), oob("https://elsewhere.test/hidden.png")),
    BOT,
  );
  assert.equal(event.kind, "inbound");
  if (event.kind !== "inbound" || event.inbound.kind !== "message") return;
  assert.deepEqual(event.inbound.extras, {
    spoiler: null,
    media: [{ url, description: "A cat", type: "unknown" }],
    pollUrl: null,
  });
  const plain = readStanza(chat({ id: "m10" }, body("no file")), BOT);
  assert.ok(plain.kind === "inbound" && plain.inbound.kind === "message");
  assert.equal(plain.inbound.extras, null);
});
