import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { getLogger } from "@logtape/logtape";
import { MemorySmStateStore } from "./sm_state.ts";
import { StreamKeeper } from "./stream_keeper.ts";
import { element, parseJid, type XmlElement, type XmppClient } from "./xml.ts";
import { NS } from "./ns.ts";

const JID = "bot@xmpp.test";

function setup(saved: MemorySmStateStore["state"] = null) {
  const entity = new EventEmitter();
  const sent: XmlElement[] = [];
  const sm = Object.assign(new EventEmitter(), {
    enabled: false,
    enableSent: false,
    id: "",
    inbound: 0,
    outbound: 0,
    outbound_q: [] as unknown[],
    requestAckDebounce: 250,
    requestAckInterval: 30_000,
    timeout: 60_000,
  });
  const client = Object.assign(entity, {
    jid: null,
    streamManagement: sm,
    send(el: XmlElement) {
      sent.push(el);
      entity.emit("send", el);
      return Promise.resolve();
    },
  }) as unknown as XmppClient;
  const store = new MemorySmStateStore();
  store.state = saved;
  const keeper = new StreamKeeper(client, { jid: JID, store, log: getLogger(["test"]) });
  /** The server sends `el`: `element`, then `stanza` for stanzas, as the library does. */
  const receive = (el: XmlElement) => {
    entity.emit("element", el);
    return keeper.ticketOf(el);
  };
  return { entity, client, sm, sent, store, keeper, receive };
}

const message = (id: string) => element("message", { from: "a@xmpp.test", id }, element("body"));
const enabled = (id = "sm-1") => element("enabled", { xmlns: NS.sm, id, resume: "true" });

Deno.test("h counts only handled stanzas, in arrival order; IQs at once", () => {
  const t = setup();
  t.client.jid = parseJid(`${JID}/bound`);
  t.receive(enabled());
  assert.deepEqual(t.store.state, {
    jid: JID,
    id: "sm-1",
    location: null,
    bound: `${JID}/bound`,
    h: 0,
  });
  const a = t.receive(message("a"));
  const b = t.receive(message("b"));
  t.receive(element("iq", { type: "result", id: "x" }));
  assert.equal(t.sm.inbound, 0, "the library's h is ours: nothing handled yet");
  t.keeper.complete(b);
  assert.equal(t.sm.inbound, 0);
  t.sm.inbound = 99; // the library's own counting is ignored
  t.keeper.complete(a);
  assert.equal(t.sm.inbound, 3, "a, b and the IQ");
  assert.equal(t.store.state?.h, 3, "saved at once");
  assert.equal(t.keeper.busy, false);
});

Deno.test("an ack that reported too few is followed by one with the handled count", () => {
  const t = setup();
  t.receive(enabled());
  const a = t.receive(message("a"));
  // The library answers the server's <r/> with what is handled so far.
  void t.entity.emit("send", element("a", { xmlns: NS.sm, h: "0" }));
  t.keeper.complete(a);
  const last = t.sent.at(-1);
  assert.ok(last?.is("a", NS.sm));
  assert.equal(last?.attrs.h, "1");
});

Deno.test("a link loss drops what was in hand; the saved state stays for a resumption", () => {
  const t = setup();
  t.receive(enabled());
  const a = t.receive(message("a"));
  t.entity.emit("disconnect", { clean: false });
  t.keeper.complete(a);
  assert.equal(t.sm.inbound, 0, "resent after the resumption instead");
  assert.equal(t.store.state?.id, "sm-1");
  assert.equal(t.receive(message("b")), null, "nothing counts until resumed");
});

Deno.test("a saved session is resumed with its h; the server's count sets the outbound base", () => {
  const t = setup({ jid: JID, id: "old", location: null, bound: `${JID}/res`, h: 7 });
  assert.equal(t.keeper.restore()?.id, "old");
  assert.equal(t.sm.id, "old");
  assert.equal(t.sm.inbound, 7, "<resume h='7'/>");
  t.receive(element("resumed", { xmlns: NS.sm, h: "12", previd: "old" }));
  assert.equal(t.sm.outbound, 12, "our stanzas of the previous run are not in the queue");
  assert.equal(t.client.jid?.toString(), `${JID}/res`, "the bound JID of the previous run");
  const resent = t.receive(message("resent"));
  t.keeper.complete(resent);
  assert.equal(t.store.state?.h, 8);
});

Deno.test("a refused resumption drops the saved state; the new session is saved", () => {
  const t = setup({ jid: JID, id: "old", location: null, bound: `${JID}/res`, h: 7 });
  t.keeper.restore();
  t.receive(element("failed", { xmlns: NS.sm }, element("item-not-found", { xmlns: NS.stanzas })));
  assert.equal(t.store.state, null);
  t.receive(enabled("new"));
  assert.deepEqual(t.store.state, { jid: JID, id: "new", location: null, bound: null, h: 0 });
  assert.equal(t.sm.inbound, 0);
});

Deno.test("another account's or an unreadable saved state is not resumed", () => {
  const other = setup({ jid: "other@xmpp.test", id: "old", location: null, bound: null, h: 1 });
  assert.equal(other.keeper.restore(), null);
  assert.equal(other.sm.id, "");
  assert.equal(other.store.state, null);

  const broken = setup();
  broken.store.load = () => {
    throw new Error("the stored XEP-0198 state (xmpp.stream_management) is not JSON");
  };
  assert.equal(broken.keeper.restore(), null);
});

Deno.test("a session without resumption is not saved", () => {
  const t = setup();
  t.receive(element("enabled", { xmlns: NS.sm, id: "x" }));
  assert.equal(t.store.state, null);
  const a = t.receive(message("a"));
  t.keeper.complete(a);
  assert.equal(t.sm.inbound, 1, "counted all the same");
  assert.equal(t.store.state, null);
});

Deno.test("the server's preferred location is kept with the session", () => {
  const t = setup();
  t.receive(element("enabled", { xmlns: NS.sm, id: "x", resume: "1", location: "[::1]:5223" }));
  assert.equal(t.store.state?.location, "[::1]:5223");
  assert.equal(t.store.state?.id, "x");
});
