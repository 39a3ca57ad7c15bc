import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { logger } from "../log.ts";
import { type Effect, XMPP } from "../core/types.ts";
import { AckTracker, type Delivery } from "./ack_tracker.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";
import { malformedCondition, PoisonGuard, type SmQueue } from "./poison.ts";
import { type SenderLink, XmppSender } from "./sender.ts";
import { element, type XmlElement } from "./xml.ts";

const log = logger("xmpp", "test");

function streamError(condition: string): Error {
  return Object.assign(new Error(condition), { name: "StreamError", condition });
}

function rig() {
  const client = new EventEmitter();
  const smEvents = new EventEmitter();
  const sm: SmQueue = { outbound_q: [], id: "sm-1" };
  const tracker = new AckTracker(smEvents, new ManualClock(), 60_000);
  const guard = new PoisonGuard(client, sm, tracker, log);
  /** Tracks and queues a stanza as a send through the library would. */
  const send = (body: string): Promise<Delivery> => {
    const stanza = element("message", { to: "alice@xmpp.test" }, element("body", {}, body));
    const outcome = tracker.track(stanza);
    sm.outbound_q.push({ stanza });
    return outcome;
  };
  return { client, sm, tracker, guard, send };
}

Deno.test("a stream closed as malformed: what was in flight is not resent on resume, and failed as suspect", async () => {
  const { client, sm, guard, send } = rig();
  const first = send("one");
  const second = send("two");
  client.emit("error", streamError("not-well-formed"));
  assert.deepEqual(sm.outbound_q, [], "nothing left for the library to resend");
  assert.equal(sm.id, "", "no resumption: a new session starts");
  assert.equal(guard.count, 1);
  for (const outcome of [await first, await second]) {
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.suspect === true);
    assert.match(!outcome.ok ? outcome.reason : "", /not-well-formed/);
  }
});

Deno.test("other stream errors (conflict, shutdown) and other errors leave the queue for the resumption", () => {
  const { client, sm, guard, send } = rig();
  void send("one");
  client.emit("error", streamError("system-shutdown"));
  client.emit("error", streamError("conflict"));
  client.emit("error", new Error("ECONNRESET"));
  assert.equal(sm.outbound_q.length, 1);
  assert.equal(sm.id, "sm-1");
  assert.equal(guard.count, 0);
  for (const c of ["not-well-formed", "invalid-xml", "bad-format", "policy-violation"]) {
    assert.equal(malformedCondition(streamError(c)), c);
  }
  assert.equal(malformedCondition({ name: "SASLError", condition: "not-well-formed" }), null);
});

class SuspectLink implements SenderLink {
  readonly ready = true;
  readonly roster = { subscribedTo: () => false };
  readonly outcomes: Delivery[] = [];
  sent = 0;
  send(): Promise<Delivery> {
    this.sent++;
    return Promise.resolve(this.outcomes.shift() ?? { ok: true });
  }
  request(iq: XmlElement): Promise<XmlElement> {
    return Promise.resolve(iq);
  }
}

Deno.test("the XMPP sender gives a row up after the second stream error traced to it", async () => {
  const link = new SuspectLink();
  const sender = new XmppSender(link, log);
  const notice: Effect = {
    kind: "notice",
    to: { network: XMPP, address: "alice@xmpp.test" },
    text: "hi",
    inReplyTo: null,
  };
  const suspect: Delivery = { ok: false, reason: "closed (not-well-formed)", suspect: true };
  link.outcomes.push(suspect, suspect);
  const first = await sender.send(notice, "k1");
  assert.deepEqual(first, {
    ok: false,
    permanent: false,
    reason: "closed (not-well-formed)",
    suspect: true,
  });
  const second = await sender.send(notice, "k1");
  assert.ok(!second.ok && second.permanent, "given up at the second");

  // Another key is counted on its own; a success forgets the count.
  link.outcomes.push(suspect, { ok: true }, suspect);
  assert.ok(!(await sender.send(notice, "k2")).ok);
  assert.ok((await sender.send(notice, "k2")).ok);
  const again = await sender.send(notice, "k2");
  assert.ok(!again.ok && !again.permanent, "a success in between starts the count again");
});
