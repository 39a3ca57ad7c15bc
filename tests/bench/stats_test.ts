import assert from "node:assert/strict";
import { mean, median, percentile, summarise } from "./stats.ts";

Deno.test("percentile: nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("median, mean and summary", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.deepEqual(summarise([5, 1, 9]), { median: 5, min: 1, max: 9, runs: 3 });
  assert.ok(Number.isNaN(summarise([]).median));
});
