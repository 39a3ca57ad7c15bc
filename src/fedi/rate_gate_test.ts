import assert from "node:assert/strict";
import { parseReset, RateGate, readRateWindow } from "./rate_gate.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

function answer(remaining: number, resetAt: number, limit = 300): Headers {
  return new Headers({
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Remaining": String(remaining),
    "X-RateLimit-Reset": new Date(resetAt).toISOString().replace("Z", "000Z"),
  });
}

Deno.test("the rate-limit headers are read, Mastodon's microsecond times included", () => {
  const at = Date.UTC(2026, 0, 1, 12, 5);
  assert.deepEqual(readRateWindow(answer(17, at)), { limit: 300, remaining: 17, resetAt: at });
  assert.equal(readRateWindow(new Headers()), null);
  assert.equal(parseReset(new Headers({ "X-RateLimit-Reset": "1767269100" })), 1767269100_000);
  assert.equal(parseReset(new Headers({ "X-RateLimit-Reset": "soon" })), null);
});

Deno.test("with plenty left requests go at once; with few left they are spread to the reset", () => {
  const timers = new ManualClock();
  const gate = new RateGate({ timers });
  assert.equal(gate.reserve(), 0);
  gate.observe(answer(200, timers.now() + 60_000));
  assert.equal(gate.reserve(), 0);
  // 10 left of 300 (low water 30): one every 6 s.
  gate.observe(answer(10, timers.now() + 60_000));
  assert.deepEqual([gate.reserve(), gate.reserve(), gate.reserve()], [0, 6000, 12000]);
  // None left: wait for the reset.
  gate.observe(answer(0, timers.now() + 45_000));
  assert.equal(gate.reserve(), 45_000);
  // After the reset the old figures no longer hold.
  timers.advance(45_001);
  assert.equal(gate.reserve(), 0);
});

Deno.test("requests in flight count against what is left", () => {
  const timers = new ManualClock();
  const gate = new RateGate({ timers, lowWater: 0 });
  gate.observe(answer(2, timers.now() + 10_000));
  assert.deepEqual([gate.reserve(), gate.reserve(), gate.reserve()], [0, 0, 10_000]);
});

Deno.test("the headroom for requests at once shrinks as the window runs low", () => {
  const timers = new ManualClock();
  const gate = new RateGate({ timers });
  assert.equal(gate.headroom(16), 16, "nothing known yet");
  gate.observe(answer(250, timers.now() + 60_000));
  assert.equal(gate.headroom(16), 16, "plenty left");
  // 40 left of 300, low water 30: ten may go at once, less what is already under way.
  gate.observe(answer(40, timers.now() + 60_000));
  assert.equal(gate.headroom(16), 10);
  gate.reserve();
  gate.reserve();
  assert.equal(gate.headroom(16), 8);
  // Paced or waiting for the reset: one at a time.
  gate.observe(answer(20, timers.now() + 60_000));
  assert.equal(gate.headroom(16), 1);
  gate.observe(answer(0, timers.now() + 60_000));
  assert.equal(gate.headroom(16), 1);
  timers.advance(60_000);
  assert.equal(gate.headroom(16), 16, "a new window");
});
