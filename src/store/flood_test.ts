import assert from "node:assert/strict";
import { openStore } from "./store.ts";
import { FEDI, XMPP } from "./types.ts";

const HOUR = 3600_000;

Deno.test("flood counters count within a window and start over after it", () => {
  using store = openStore(":memory:");
  const t0 = 1_000_000;
  assert.deepEqual(store.flood.charge(XMPP, "a@x.example", "command", HOUR, t0), {
    count: 1,
    windowStart: t0,
  });
  assert.equal(store.flood.charge(XMPP, "a@x.example", "command", HOUR, t0 + 10).count, 2);
  // Another budget, another network, another account: separate counters.
  assert.equal(store.flood.charge(XMPP, "a@x.example", "report", HOUR, t0 + 10).count, 1);
  assert.equal(store.flood.charge(FEDI, "a@x.example", "command", HOUR, t0 + 10).count, 1);
  assert.equal(store.flood.charge(XMPP, "b@x.example", "command", HOUR, t0 + 10).count, 1);
  assert.equal(store.flood.hold(XMPP, "a@x.example", "command"), 1);
  assert.deepEqual(store.flood.heldSince(t0), { accounts: 1, held: 1 });
  // The window ends an hour after it started: a new one begins, held back starts over.
  assert.deepEqual(store.flood.charge(XMPP, "a@x.example", "command", HOUR, t0 + HOUR), {
    count: 1,
    windowStart: t0 + HOUR,
  });
  assert.deepEqual(store.flood.heldSince(t0), { accounts: 0, held: 0 });
  assert.equal(store.flood.pruneBefore(t0 + HOUR), 3);
  assert.equal(store.flood.charge(XMPP, "a@x.example", "command", HOUR, t0 + HOUR).count, 2);
});
