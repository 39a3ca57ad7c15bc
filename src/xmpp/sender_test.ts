import assert from "node:assert/strict";
import { logger } from "../log.ts";
import { type Effect, FEDI, XMPP } from "../core/types.ts";
import type { Delivery } from "./ack_tracker.ts";
import { NS } from "./ns.ts";
import { noticeId } from "./outbound.ts";
import { type SenderLink, XmppSender } from "./sender.ts";
import type { XmlElement } from "./xml.ts";

const ALICE = { network: XMPP, address: "alice@xmpp.test" } as const;

/** A session stand-in: records stanzas, answers with scripted outcomes. */
class FakeLink implements SenderLink {
  ready = true;
  readonly sent: XmlElement[] = [];
  readonly requests: XmlElement[] = [];
  /** Outcomes of the next sends, in order; ok when empty. */
  readonly outcomes: Delivery[] = [];
  requestError: unknown = null;
  subscribed = new Set<string>();
  readonly roster = { subscribedTo: (jid: string) => this.subscribed.has(jid) };

  send(stanza: XmlElement): Promise<Delivery> {
    this.sent.push(stanza);
    return Promise.resolve(this.outcomes.shift() ?? { ok: true });
  }

  request(iq: XmlElement): Promise<XmlElement> {
    this.requests.push(iq);
    if (this.requestError !== null) return Promise.reject(this.requestError);
    return Promise.resolve(iq);
  }
}

function setup() {
  const link = new FakeLink();
  return { link, sender: new XmppSender(link, logger("xmpp", "test")) };
}

const notice: Effect = { kind: "notice", to: ALICE, text: "hello", inReplyTo: null };

function deliver(media = 2): Effect {
  return {
    kind: "deliver",
    to: [ALICE],
    from: { network: FEDI, address: "carol@social.test" },
    text: "hi",
    inReplyTo: null,
    lang: "en",
    media: Array.from({ length: media }, (_, i) => ({
      url: `https://media.test/${i}.png`,
      description: null,
      type: "image",
    })),
    sourceId: "s1",
    records: [1],
    messageId: "bridge-msg-7",
    confirm: false,
    senderLang: "en",
  };
}

Deno.test("a notice is sent and reported with its stanza id", async () => {
  const { link, sender } = setup();
  assert.deepEqual(await sender.send(notice, "k1"), { ok: true, postedId: noticeId("k1") });
  assert.equal(link.sent.length, 1);
  assert.equal(link.sent[0]?.getChildText("body"), "hello");
});

Deno.test("offline is a transient failure; foreign recipients and bad JIDs are permanent", async () => {
  const { link, sender } = setup();
  link.ready = false;
  const offline = await sender.send(notice, "k");
  assert.ok(!offline.ok && !offline.permanent);
  link.ready = true;
  const fedi = await sender.send(
    { ...notice, to: { network: FEDI, address: "x@social.test" } },
    "k",
  );
  assert.ok(!fedi.ok && fedi.permanent);
  const bad = await sender.send({ ...notice, to: { network: XMPP, address: "no-domain" } }, "k");
  assert.ok(!bad.ok && bad.permanent);
  const follow = await sender.send({
    kind: "contact",
    to: ALICE,
    action: "follow",
    accountId: null,
  }, "k");
  assert.ok(!follow.ok && follow.permanent);
  assert.equal(link.sent.length, 0);
});

Deno.test("a delivery sends text then attachments; a retry resumes after the acknowledged parts", async () => {
  const { link, sender } = setup();
  link.outcomes.push({ ok: true }, { ok: false, reason: "lost" });
  const first = await sender.send(deliver(), "d1");
  assert.ok(!first.ok && !first.permanent);
  assert.equal(link.sent.length, 2);
  const second = await sender.send(deliver(), "d1");
  assert.deepEqual(second, { ok: true, postedId: "bridge-msg-7" });
  assert.deepEqual(
    link.sent.map((s) => s.attrs.id),
    ["bridge-msg-7", "bridge-msg-7~oob1", "bridge-msg-7~oob1", "bridge-msg-7~oob2"],
  );
  // Done: a later send under the same key starts over (the outbox would not send it again).
  await sender.send(deliver(), "d1");
  assert.equal(link.sent[4]?.attrs.id, "bridge-msg-7");
});

Deno.test("subscribe is skipped when we already see their presence", async () => {
  const { link, sender } = setup();
  const subscribe: Effect = { kind: "contact", to: ALICE, action: "subscribe", accountId: null };
  assert.deepEqual(await sender.send(subscribe, "c1"), { ok: true, postedId: null });
  assert.equal(link.sent[0]?.attrs.type, "subscribe");
  link.subscribed.add("alice@xmpp.test");
  assert.deepEqual(await sender.send(subscribe, "c2"), { ok: true, postedId: null });
  assert.equal(link.sent.length, 1);
  await sender.send({ kind: "contact", to: ALICE, action: "subscribed", accountId: null }, "c3");
  assert.equal(link.sent[1]?.attrs.type, "subscribed");
});

Deno.test("remove unsubscribes both ways, then takes the contact off the roster", async () => {
  const { link, sender } = setup();
  const remove: Effect = { kind: "contact", to: ALICE, action: "remove", accountId: null };
  assert.deepEqual(await sender.send(remove, "r1"), { ok: true, postedId: null });
  assert.deepEqual(link.sent.map((s) => s.attrs.type), ["unsubscribe", "unsubscribed"]);
  const item = link.requests[0]?.getChild("query", NS.roster)?.getChild("item");
  assert.deepEqual(item?.attrs, { jid: "alice@xmpp.test", subscription: "remove" });

  link.requestError = Object.assign(new Error("item-not-found"), {
    name: "StanzaError",
    condition: "item-not-found",
    type: "cancel",
  });
  assert.deepEqual(await sender.send(remove, "r2"), { ok: true, postedId: null }, "already gone");
  link.requestError = Object.assign(new Error("not-allowed"), {
    name: "StanzaError",
    condition: "not-allowed",
    type: "cancel",
  });
  const refused = await sender.send(remove, "r3");
  assert.ok(!refused.ok && refused.permanent);
  link.requestError = Object.assign(new Error("timeout"), { name: "TimeoutError" });
  const timeout = await sender.send(remove, "r4");
  assert.ok(!timeout.ok && !timeout.permanent);
});
