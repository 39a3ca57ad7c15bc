import assert from "node:assert/strict";
import { InboundLedger } from "./inbound_ledger.ts";

Deno.test("h is the longest prefix of arrivals that completed, in arrival order", () => {
  const advances: number[] = [];
  const ledger = new InboundLedger((h) => advances.push(h));
  const [a, b, c] = [ledger.arrive(), ledger.arrive(), ledger.arrive()];
  assert.equal(ledger.arrived, 3);
  assert.equal(ledger.h, 0);
  assert.equal(ledger.complete(c), false, "the third alone does not count");
  assert.equal(ledger.complete(b), false);
  assert.equal(ledger.h, 0);
  assert.equal(ledger.idle, false);
  assert.equal(ledger.complete(a), true, "the first completes the prefix of three");
  assert.equal(ledger.h, 3);
  assert.equal(ledger.idle, true);
  assert.deepEqual(advances, [3]);
  const d = ledger.arrive();
  ledger.complete(d);
  assert.deepEqual(advances, [3, 4]);
});

Deno.test("a ticket counts once, and not at all after a reset", () => {
  const ledger = new InboundLedger();
  const a = ledger.arrive();
  assert.equal(ledger.complete(a), true);
  assert.equal(ledger.complete(a), false, "completed twice");
  assert.equal(ledger.h, 1);
  const stale = ledger.arrive();
  ledger.reset(1);
  assert.equal(ledger.complete(stale), false, "a ticket of the previous stream");
  assert.equal(ledger.h, 1);
  assert.equal(ledger.idle, true);
  ledger.reset(0);
  assert.equal(ledger.h, 0);
});

Deno.test("a resumed count starts from the h sent, and wraps at 2^32", () => {
  const ledger = new InboundLedger();
  ledger.reset(2 ** 32 - 1);
  const t = ledger.arrive();
  ledger.complete(t);
  assert.equal(ledger.h, 0);
  assert.throws(() => ledger.reset(-1), /integer from 0 to 2\^32-1, not -1/);
  assert.throws(() => ledger.reset(2 ** 32), /not 4294967296/);
});

Deno.test("a long run completed in order keeps h exact", () => {
  const ledger = new InboundLedger();
  const tickets = Array.from({ length: 3000 }, () => ledger.arrive());
  // Completed in reverse, the prefix grows only with the very first.
  for (const t of tickets.slice(1).reverse()) ledger.complete(t);
  assert.equal(ledger.h, 0);
  ledger.complete(tickets[0]!);
  assert.equal(ledger.h, 3000);
  // Completed in order with one straggler.
  const more = Array.from({ length: 2000 }, () => ledger.arrive());
  for (const t of more.slice(0, 1500)) ledger.complete(t);
  assert.equal(ledger.h, 4500);
  ledger.complete(more[1999]!);
  assert.equal(ledger.h, 4500);
  for (const t of more.slice(1500, 1999)) ledger.complete(t);
  assert.equal(ledger.h, 5000);
});
