import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { AttemptWatch } from "./attempt.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

function setup() {
  const entity = new EventEmitter();
  const sm = new EventEmitter();
  const timers = new ManualClock();
  const watch = new AttemptWatch(entity, sm, timers, 1000);
  return { entity, sm, timers, watch };
}

Deno.test("a bound resource or a resumption ends the attempt well", async () => {
  const a = setup();
  a.entity.emit("online", "bot@xmpp.test/r");
  assert.equal(await a.watch.session, "online");
  a.watch.close();
  assert.equal(a.entity.listenerCount("online"), 0);
  assert.equal(a.timers.pending, 0);

  const b = setup();
  b.sm.emit("resumed");
  assert.equal(await b.watch.session, "resumed");
  b.watch.close();
});

Deno.test("an error, a closed connection or the deadline fail it", async () => {
  const a = setup();
  a.entity.emit("error", new Error("certificate"));
  await assert.rejects(a.watch.session, /certificate/);
  await assert.rejects(a.watch.guard(new Promise(() => {})), /certificate/);
  a.watch.close();

  const b = setup();
  b.entity.emit("disconnect", { clean: false });
  await assert.rejects(b.watch.session, /closed/);
  b.watch.close();

  const c = setup();
  c.timers.advance(1000);
  await assert.rejects(c.watch.session, /within 1000 ms/);
  c.watch.close();
});

Deno.test("guard passes a step's own outcome through", async () => {
  const { watch } = setup();
  assert.equal(await watch.guard(Promise.resolve("connected")), "connected");
  watch.close();
});
