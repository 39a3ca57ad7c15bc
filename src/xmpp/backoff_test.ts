import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";

Deno.test("backoff doubles from the minimum up to the cap", () => {
  const top = () => 1;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, DEFAULT_BACKOFF, top)),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000],
  );
  assert.equal(backoffDelay(1000, DEFAULT_BACKOFF, top), 60000);
});

Deno.test("jitter keeps the delay between half the step and the step", () => {
  const low = () => 0;
  assert.equal(backoffDelay(1, DEFAULT_BACKOFF, low), 500);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, low), 2000);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5), 3000);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(4, DEFAULT_BACKOFF);
    assert.ok(d >= 4000 && d <= 8000, `delay ${d}`);
  }
});

Deno.test("odd inputs stay within bounds", () => {
  assert.equal(backoffDelay(0, { minMs: 100, maxMs: 1000 }, () => 1), 100);
  assert.equal(backoffDelay(-3, { minMs: 100, maxMs: 1000 }, () => 1), 100);
  assert.equal(backoffDelay(2, { minMs: 100, maxMs: 1000 }, () => 7), 200);
});
