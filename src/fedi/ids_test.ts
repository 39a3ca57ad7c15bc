import assert from "node:assert/strict";
import { compareIds, maxId } from "./ids.ts";

Deno.test("decimal ids compare by value, whatever their length", () => {
  assert.equal(compareIds("9", "10"), -1);
  assert.equal(compareIds("110000000000000000", "99999999999999999"), 1);
  assert.equal(compareIds("007", "7"), 0);
  assert.equal(compareIds("0", "1"), -1);
  const sorted = ["100", "20", "3", "1000"].sort(compareIds);
  assert.deepEqual(sorted, ["3", "20", "100", "1000"]);
});

Deno.test("other ids (ULIDs, flake ids) compare as text", () => {
  assert.equal(compareIds("01HZX0000000000000000000AA", "01HZX0000000000000000000AB"), -1);
  assert.equal(compareIds("0", "01HZX0000000000000000000AA"), -1);
  assert.equal(maxId(null, "5"), "5");
  assert.equal(maxId("12", "5"), "12");
});
