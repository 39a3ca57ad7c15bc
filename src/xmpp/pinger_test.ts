import assert from "node:assert/strict";
import { ManualClock } from "../../tests/support/manual_clock.ts";
import { Pinger, type PingOutcome } from "./pinger.ts";

function setup(outcomes: PingOutcome[]) {
  const timers = new ManualClock();
  let pings = 0;
  let dead = 0;
  const pending: ((o: PingOutcome) => void)[] = [];
  const pinger = new Pinger(
    timers,
    1000,
    () => {
      pings++;
      const next = outcomes.shift();
      return next === undefined
        ? new Promise<PingOutcome>((resolve) => pending.push(resolve))
        : Promise.resolve(next);
    },
    () => dead++,
  );
  return { timers, pinger, pending, counts: () => ({ pings, dead }) };
}

Deno.test("pings every interval while answered, stops at the first dead link", async () => {
  const { timers, pinger, counts } = setup(["alive", "alive", "dead"]);
  pinger.start();
  timers.advance(999);
  assert.deepEqual(counts(), { pings: 0, dead: 0 });
  for (let i = 0; i < 3; i++) {
    timers.advance(1000);
    await Promise.resolve();
    await Promise.resolve();
  }
  assert.deepEqual(counts(), { pings: 3, dead: 1 });
  assert.equal(timers.pending, 0, "no more pings after a dead link");
});

Deno.test("a ping outcome after stop() is ignored", async () => {
  const { timers, pinger, pending, counts } = setup([]);
  pinger.start();
  timers.advance(1000);
  assert.equal(pending.length, 1);
  pinger.stop();
  pending[0]!("dead");
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(counts(), { pings: 1, dead: 0 });
  assert.equal(timers.pending, 0);
});

Deno.test("interval 0 never pings", () => {
  const timers = new ManualClock();
  const pinger = new Pinger(timers, 0, () => Promise.resolve("alive"), () => {});
  pinger.start();
  assert.equal(timers.pending, 0);
});
