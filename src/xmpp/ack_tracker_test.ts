import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { AckTracker } from "./ack_tracker.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";
import { element } from "./xml.ts";

Deno.test("an acknowledged stanza resolves ok, a failed one not", async () => {
  const sm = new EventEmitter();
  const timers = new ManualClock();
  const tracker = new AckTracker(sm, timers, 1000);
  const a = element("message", { id: "a" });
  const b = element("message", { id: "b" });
  const pa = tracker.track(a);
  const pb = tracker.track(b);
  assert.equal(tracker.size, 2);
  sm.emit("ack", a);
  sm.emit("fail", b);
  assert.deepEqual(await pa, { ok: true });
  const outcome = await pb;
  assert.equal(outcome.ok, false);
  assert.equal(tracker.size, 0);
  assert.equal(timers.pending, 0, "deadlines are cleared");
});

Deno.test("acks are matched by stanza object, not by equal content", async () => {
  const sm = new EventEmitter();
  const tracker = new AckTracker(sm, new ManualClock(), 1000);
  const sent = element("message", { id: "same" });
  const pending = tracker.track(sent);
  sm.emit("ack", element("message", { id: "same" }));
  assert.equal(tracker.size, 1);
  sm.emit("ack", sent);
  assert.deepEqual(await pending, { ok: true });
});

Deno.test("no outcome in time fails the stanza; close fails the rest and unsubscribes", async () => {
  const sm = new EventEmitter();
  const timers = new ManualClock();
  const tracker = new AckTracker(sm, timers, 1000);
  const late = tracker.track(element("message"));
  timers.advance(999);
  assert.equal(tracker.size, 1);
  timers.advance(1);
  const outcome = await late;
  assert.ok(!outcome.ok && /in time/.test(outcome.reason));

  const left = tracker.track(element("message"));
  tracker.close("stopped");
  assert.deepEqual(await left, { ok: false, reason: "stopped" });
  assert.equal(sm.listenerCount("ack"), 0);
  assert.equal(sm.listenerCount("fail"), 0);
});

Deno.test("a full window of unacknowledged stanzas asks for an acknowledgement once", () => {
  const sm = new EventEmitter();
  let asked = 0;
  const tracker = new AckTracker(sm, new ManualClock(), 1000, { size: 3, ask: () => asked++ });
  const stanzas = [1, 2, 3, 4].map((n) => element("message", { id: `m${n}` }));
  for (const s of stanzas.slice(0, 2)) {
    void tracker.track(s);
    tracker.written();
  }
  assert.equal(asked, 0, "two of three: the library's idle request will do");
  void tracker.track(stanzas[2]!);
  tracker.written();
  assert.equal(asked, 1, "the window is full");
  void tracker.track(stanzas[3]!);
  tracker.written();
  assert.equal(asked, 1, "asked already, not answered yet");
  sm.emit("ack", stanzas[0]);
  tracker.written();
  assert.equal(asked, 2, "answered, and still a full window waiting");
  sm.emit("ack", stanzas[1]);
  tracker.written();
  assert.equal(asked, 2, "room in the window again");
  tracker.close("done");
});
