/**
 * Whatever the bridge is handed (a status naming `xmpp:a&#1;b@host`, a hostile stanza id or
 * language tag), every stanza it builds is XML 1.0 that a strict parser reads back as built:
 * nothing it sends can make the server close the stream.
 */
import assert from "node:assert/strict";
import { logger } from "../log.ts";
import { type Effect, FEDI, XMPP } from "../core/types.ts";
import { capsElement, discoInfo } from "./disco.ts";
import { NS } from "./ns.ts";
import {
  chatMessage,
  deliverStanzas,
  mediaMessage,
  noticeStanza,
  presenceStanza,
  receiptStanza,
  rosterRemoveIq,
  xmlSafe,
} from "./outbound.ts";
import { type SenderLink, XmppSender } from "./sender.ts";
import { parseStrictXml, type StrictElement } from "./strict_xml.ts";
import { element, type XmlElement } from "./xml.ts";

/** Controls, noncharacters, lone surrogates, markup characters, CDATA end, astral. */
const HOSTILE =
  "a\u0001b\u0000c\uFFFEd\uFFFFe\uD800f\uDC00g<&\"'>h]]>i\u001Fj\u007F\u0085k\u{1F600}" +
  "\u{10FFFF}l&#1;m\tn";

function expectedTree(el: XmlElement): StrictElement {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attrs)) {
    if (v !== undefined) attrs[k] = v.replace(/[\t\n\r]/g, " ");
  }
  const children: (StrictElement | string)[] = [];
  for (const c of el.children) {
    if (typeof c !== "string") children.push(expectedTree(c));
    else if (typeof children[children.length - 1] === "string") {
      children[children.length - 1] += c;
    } else children.push(c);
  }
  return { name: el.name, attrs, children };
}

/** Serialises, parses strictly, and checks the result reads back as the element built. */
function roundTrip(label: string, stanza: XmlElement): StrictElement {
  const wire = stanza.toString();
  let parsed: StrictElement;
  try {
    parsed = parseStrictXml(wire);
  } catch (error) {
    throw new Error(`${label}: not well-formed XML 1.0: ${(error as Error).message}`);
  }
  assert.deepEqual(parsed, expectedTree(stanza), `${label} reads back as built`);
  return parsed;
}

function bodyOf(el: StrictElement): string {
  const body = el.children.find((c): c is StrictElement =>
    typeof c !== "string" && c.name === "body"
  );
  return body?.children.join("") ?? "";
}

const TO = { network: XMPP, address: HOSTILE } as const;

function hostileDeliver(): Extract<Effect, { kind: "deliver" }> {
  return {
    kind: "deliver",
    to: [TO, { network: XMPP, address: `x${HOSTILE}@xmpp.test` }],
    from: { network: FEDI, address: HOSTILE },
    text: HOSTILE,
    inReplyTo: HOSTILE,
    lang: HOSTILE,
    media: [{ url: `https://m.test/${HOSTILE}`, description: HOSTILE, type: "image" }],
    sourceId: HOSTILE,
    records: [1],
    messageId: HOSTILE,
    confirm: false,
    senderLang: "en",
  };
}

Deno.test("the strict reader refuses what would close an XMPP stream", () => {
  assert.deepEqual(parseStrictXml(`<a x="1 &amp; 2"><b/>t&#x1F600;</a>`), {
    name: "a",
    attrs: { x: "1 & 2" },
    children: [{ name: "b", attrs: {}, children: [] }, "t\u{1F600}"],
  });
  for (
    const bad of [
      `<a to="a\u0001b"/>`,
      `<a>\uFFFF</a>`,
      `<a>\uD800</a>`,
      `<a>&#1;</a>`,
      `<a x="&#xFFFE;"/>`,
      `<a>&nbsp;</a>`,
      `<a>a & b</a>`,
      `<a x="<"/>`,
      `<a x="1" x="2"/>`,
      `<a><b></a>`,
      `<a>]]></a>`,
    ]
  ) {
    assert.throws(() => parseStrictXml(bad), Error, JSON.stringify(bad));
  }
});

Deno.test("every stanza builder turns hostile input into well-formed XML 1.0 that reads back as built", () => {
  const safe = xmlSafe(HOSTILE);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(safe, /[\u0000-\u0008\uFFFE\uFFFF\uD800-\uDFFF]/u);

  const chat = roundTrip(
    "chatMessage",
    chatMessage({ to: HOSTILE, id: HOSTILE, text: HOSTILE, lang: HOSTILE, replyTo: HOSTILE }),
  );
  assert.equal(bodyOf(chat), safe, "the body carries the text, bad characters replaced");
  // (In an attribute, XML reads a tab as a space.)
  assert.equal(chat.attrs.to, safe.replace("\t", " "));
  assert.equal(chat.attrs["xml:lang"], safe.replace("\t", " "));

  roundTrip(
    "mediaMessage",
    mediaMessage({
      to: HOSTILE,
      id: HOSTILE,
      lang: HOSTILE,
      media: { url: HOSTILE, description: HOSTILE, type: "image" },
    }),
  );
  roundTrip(
    "noticeStanza",
    noticeStanza({ kind: "notice", to: TO, text: HOSTILE, inReplyTo: HOSTILE }, HOSTILE),
  );
  const parts = deliverStanzas(hostileDeliver(), HOSTILE);
  assert.equal(parts.length, 4, "text and attachment for each of two recipients");
  parts.forEach((stanza, i) => roundTrip(`deliverStanzas[${i}]`, stanza));
  for (const type of ["subscribe", "subscribed", "unsubscribe", "unsubscribed"] as const) {
    roundTrip(`presenceStanza ${type}`, presenceStanza(HOSTILE, type));
  }
  roundTrip("rosterRemoveIq", rosterRemoveIq(HOSTILE));
  roundTrip("receiptStanza", receiptStanza(HOSTILE, HOSTILE, HOSTILE));
  roundTrip("capsElement", capsElement(HOSTILE));
  roundTrip("discoInfo", discoInfo(undefined, HOSTILE));
  roundTrip("discoInfo for another node", discoInfo(HOSTILE, HOSTILE));
  // What the session builds itself (roster fetch, presence, ping) goes through element() too.
  roundTrip(
    "element()",
    element(
      "iq",
      { type: "get", to: HOSTILE, id: HOSTILE },
      element("ping", { xmlns: NS.ping }, HOSTILE),
    ),
  );
});

/** A link that records what it was asked to send. */
class RecordingLink implements SenderLink {
  readonly ready = true;
  readonly sent: XmlElement[] = [];
  readonly roster = { subscribedTo: () => false };
  send(stanza: XmlElement) {
    this.sent.push(stanza);
    return Promise.resolve({ ok: true } as const);
  }
  request(iq: XmlElement) {
    this.sent.push(iq);
    return Promise.resolve(iq);
  }
}

Deno.test("a stanza to a JID with a control character, U+FFFF or a lone surrogate is refused for good and never written", async () => {
  for (const address of ["a\u0001b@xmpp.test", "a\uFFFFb@xmpp.test", "a\uD800b@xmpp.test"]) {
    const link = new RecordingLink();
    const sender = new XmppSender(link, logger("xmpp", "test"));
    const to = { network: XMPP, address } as const;
    const effects: Effect[] = [
      { kind: "notice", to, text: "hi", inReplyTo: null },
      { ...hostileDeliver(), to: [to], text: "hi" },
      { kind: "contact", to, action: "subscribe", accountId: null },
    ];
    for (const effect of effects) {
      const result = await sender.send(effect, "k1");
      assert.equal(result.ok, false, `${JSON.stringify(address)} ${effect.kind}`);
      assert.ok(!result.ok && result.permanent, "retrying cannot help");
    }
    assert.deepEqual(link.sent, [], "nothing reached the wire");
  }
});
