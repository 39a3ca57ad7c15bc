import assert from "node:assert/strict";
import { RateLimiter } from "./rate_limit.ts";

Deno.test("windows are aligned on the period and counted per key", () => {
  let t = 1_000_000 + 250;
  const limiter = new RateLimiter(2, 1000, () => t);
  assert.deepEqual(limiter.hit("a"), { allowed: true, limit: 2, remaining: 1, resetAt: 1_001_000 });
  assert.equal(limiter.hit("a").remaining, 0);
  assert.equal(limiter.hit("a").allowed, false);
  assert.equal(limiter.hit("b").allowed, true);
  t += 750;
  assert.deepEqual(limiter.hit("a"), { allowed: true, limit: 2, remaining: 1, resetAt: 1_002_000 });
});
