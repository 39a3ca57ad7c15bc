import assert from "node:assert/strict";
import { backoffDelay } from "./retry.ts";

Deno.test("one backoff: the jitter share of the policy sets how much of the step is random", () => {
  const policy = { baseMs: 1000, maxMs: 16_000 };
  // Default: equal jitter, between half and all of the step.
  assert.equal(backoffDelay(2, policy, () => 0), 2000);
  assert.equal(backoffDelay(2, policy, () => 1), 4000);
  // No jitter: the step itself, whatever the random number.
  assert.equal(backoffDelay(2, { ...policy, jitter: 0 }, () => 0), 4000);
  // Full jitter: anywhere from 0 to the step.
  assert.equal(backoffDelay(2, { ...policy, jitter: 1 }, () => 0), 0);
  assert.equal(backoffDelay(2, { ...policy, jitter: 1 }, () => 0.25), 1000);
  // The cap holds, and odd inputs stay in bounds.
  assert.equal(backoffDelay(50, policy, () => 1), 16_000);
  assert.equal(backoffDelay(-1, policy, () => 1), 1000);
  assert.equal(backoffDelay(2, { ...policy, jitter: 7 }, () => 0), 0, "jitter clamped to 1");
  assert.equal(backoffDelay(2, policy, () => -5), 2000, "random clamped to 0");
});
