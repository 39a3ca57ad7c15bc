import assert from "node:assert/strict";
import { ManualClock } from "../../tests/support/manual_clock.ts";
import { withTimeout } from "./clock.ts";

Deno.test("withTimeout passes the outcome through and clears its timer", async () => {
  const timers = new ManualClock();
  assert.equal(await withTimeout(Promise.resolve(7), 100, timers), 7);
  await assert.rejects(withTimeout(Promise.reject(new Error("boom")), 100, timers), /boom/);
  assert.equal(timers.pending, 0);
});

Deno.test("withTimeout rejects when the deadline passes first", async () => {
  const timers = new ManualClock();
  const never = new Promise<number>(() => {});
  const raced = withTimeout(never, 100, timers);
  timers.advance(100);
  await assert.rejects(raced, /no outcome within 100 ms/);
});
