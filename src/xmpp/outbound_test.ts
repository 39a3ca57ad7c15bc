import assert from "node:assert/strict";
import { FEDI, XMPP } from "../core/types.ts";
import {
  baseMessageId,
  type DeliverEffect,
  deliverStanzas,
  noticeId,
  noticeStanza,
  partId,
  presenceStanza,
  receiptStanza,
  rosterRemoveIq,
  xmlSafe,
} from "./outbound.ts";
import { NS } from "./ns.ts";

const ALICE = { network: XMPP, address: "alice@xmpp.test" } as const;

function deliver(extra: Partial<DeliverEffect> = {}): DeliverEffect {
  return {
    kind: "deliver",
    to: [ALICE],
    from: { network: FEDI, address: "carol@social.test" },
    text: "Message from Mastodon user carol@social.test:\nhi",
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: "109",
    records: [1],
    messageId: "bridge-msg-1",
    confirm: false,
    senderLang: "en",
    ...extra,
  };
}

Deno.test("a notice is a chat message whose id comes from the outbox key", () => {
  const stanza = noticeStanza(
    { kind: "notice", to: ALICE, text: "Welcome", inReplyTo: null },
    "outbox-12",
  );
  assert.equal(stanza.attrs.to, "alice@xmpp.test");
  assert.equal(stanza.attrs.type, "chat");
  assert.equal(stanza.attrs.id, noticeId("outbox-12"));
  assert.equal(stanza.getChildText("body"), "Welcome");
  assert.equal(stanza.getChild("origin-id", NS.sid)?.attrs.id, stanza.attrs.id);
  assert.equal(
    noticeStanza({ kind: "notice", to: ALICE, text: "", inReplyTo: null }, "outbox-12")
      .attrs.id,
    stanza.attrs.id,
    "the same key gives the same id",
  );
});

Deno.test("a delivery carries the recorded id, the language and the reply reference", () => {
  const [text] = deliverStanzas(deliver({ inReplyTo: "alice-msg-3", lang: "de" }), "k");
  assert.ok(text);
  assert.equal(text.attrs.id, "bridge-msg-1");
  assert.equal(text.attrs["xml:lang"], "de");
  assert.equal(text.getChild("reply", NS.reply)?.attrs.id, "alice-msg-3");
  assert.match(text.toString(), /<body>Message from Mastodon user carol@social.test:\nhi<\/body>/);
  const [plain] = deliverStanzas(deliver(), "k");
  assert.equal(plain?.getChild("reply", NS.reply), undefined);
});

Deno.test("a delivery's text asks for a XEP-0184 receipt; its attachments do not", () => {
  const media = [{ url: "https://media.test/a.png", description: null, type: "image" }];
  const [text, attachment] = deliverStanzas(deliver({ media }), "k");
  assert.ok(text?.getChild("request", NS.receipts), "the text asks for a receipt");
  assert.equal(attachment?.getChild("request", NS.receipts), undefined);
  const notice = noticeStanza({ kind: "notice", to: ALICE, text: "hi", inReplyTo: null }, "k");
  assert.equal(notice.getChild("request", NS.receipts), undefined);
});

Deno.test("each attachment is its own message whose body equals its XEP-0066 URL", () => {
  const stanzas = deliverStanzas(
    deliver({
      media: [
        { url: "https://media.test/a.png", description: "a cat", type: "image" },
        { url: "https://media.test/b.mp4", description: null, type: "video" },
      ],
    }),
    "k",
  );
  assert.equal(stanzas.length, 3);
  const [, first, second] = stanzas;
  assert.equal(first?.getChildText("body"), "https://media.test/a.png");
  assert.equal(first?.getChild("x", NS.oob)?.getChildText("url"), "https://media.test/a.png");
  assert.equal(first?.getChild("x", NS.oob)?.getChildText("desc"), "a cat");
  assert.equal(second?.getChild("x", NS.oob)?.getChild("desc"), undefined);
  assert.equal(first?.attrs.id, partId("bridge-msg-1", "oob", 1));
  assert.equal(second?.attrs.id, partId("bridge-msg-1", "oob", 2));
  assert.equal(new Set(stanzas.map((s) => s.attrs.id)).size, 3, "ids are distinct");
});

Deno.test("part ids lead back to the message id", () => {
  assert.equal(baseMessageId(partId("bridge-msg-1", "oob", 2)), "bridge-msg-1");
  assert.equal(baseMessageId(partId(partId("m", "to", 2), "oob", 1)), "m");
  assert.equal(baseMessageId("bridge-msg-1"), "bridge-msg-1");
  assert.equal(baseMessageId("9f0c-44"), "9f0c-44");
});

Deno.test("a delivery without a recorded id falls back to the key", () => {
  const [text] = deliverStanzas(deliver({ messageId: null }), "k9");
  assert.equal(text?.attrs.id, noticeId("k9"));
});

Deno.test("characters XML cannot carry are replaced, never sent", () => {
  assert.equal(xmlSafe("a\u0000b\u0008c\u000Bd\uFFFEe"), "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
  assert.equal(xmlSafe("tab\tnl\ncr\r😀"), "tab\tnl\ncr\r😀");
  assert.equal(xmlSafe("lone \uD800 surrogate"), "lone \uFFFD surrogate");
  const stanza = noticeStanza(
    { kind: "notice", to: ALICE, text: "bell\u0007 <b>&", inReplyTo: null },
    "k",
  );
  assert.equal(stanza.getChildText("body"), "bell\uFFFD <b>&");
  assert.match(stanza.toString(), /bell\uFFFD &lt;b&gt;&amp;/);
});

Deno.test("presence, roster removal and receipt stanzas", () => {
  assert.equal(
    presenceStanza("alice@xmpp.test", "subscribed").toString(),
    '<presence to="alice@xmpp.test" type="subscribed"/>',
  );
  const iq = rosterRemoveIq("alice@xmpp.test");
  assert.equal(iq.attrs.type, "set");
  const item = iq.getChild("query", NS.roster)?.getChild("item");
  assert.deepEqual(item?.attrs, { jid: "alice@xmpp.test", subscription: "remove" });
  const receipt = receiptStanza("alice@xmpp.test/phone", "m1", "xapb-k-3");
  assert.equal(receipt.getChild("received", NS.receipts)?.attrs.id, "m1");
  assert.equal(receipt.attrs.to, "alice@xmpp.test/phone");
  // The same row sends the same stanza id on every attempt.
  assert.equal(receipt.attrs.id, receiptStanza("alice@xmpp.test/phone", "m1", "xapb-k-3").attrs.id);
  assert.equal(receipt.getChild("body"), undefined);
});
