import assert from "node:assert/strict";
import { backoffDelay } from "./retry.ts";
import { sleep } from "./clock.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

Deno.test("backoff doubles up to the cap, with jitter between half and all of it", () => {
  const opts = { baseMs: 100, maxMs: 1000 };
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, opts, () => 1)), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
  assert.deepEqual([0, 1, 4].map((n) => backoffDelay(n, opts, () => 0)), [50, 100, 500]);
  assert.equal(backoffDelay(1000, opts, () => 0.5), 750);
});

Deno.test("sleep ends when its time comes, or at once when aborted, leaving no timer", async () => {
  const timers = new ManualClock();
  let done = false;
  const p = sleep(timers, 500, undefined).then(() => done = true);
  timers.advance(499);
  await Promise.resolve();
  assert.equal(done, false);
  timers.advance(1);
  await p;
  assert.equal(done, true);

  const abort = new AbortController();
  const q = sleep(timers, 10_000, abort.signal);
  assert.equal(timers.pending, 1);
  abort.abort(new Error("stop"));
  await assert.rejects(q, /stop/);
  assert.equal(timers.pending, 0);
  await sleep(timers, 0);
});
