import assert from "node:assert/strict";
import { memoryStore } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

Deno.test("bridge-wide blocks: add, has, list newest first, remove", () => {
  using store = memoryStore();
  assert.equal(store.bridgeBlocks.has(FEDI, "spam@bad.example"), false);
  assert.equal(store.bridgeBlocks.add(FEDI, "Spam@Bad.example", 10), true);
  assert.equal(store.bridgeBlocks.add(FEDI, "spam@bad.example", 50), false);
  assert.equal(store.bridgeBlocks.add(XMPP, "troll@xmpp.example", 20), true);

  assert.equal(store.bridgeBlocks.has(FEDI, "SPAM@bad.example"), true);
  assert.equal(store.bridgeBlocks.has(XMPP, "spam@bad.example"), false);
  assert.deepEqual(store.bridgeBlocks.list(), [
    { type: XMPP, address: "troll@xmpp.example", at: 20 },
    { type: FEDI, address: "spam@bad.example", at: 10 },
  ]);

  assert.equal(store.bridgeBlocks.remove(FEDI, "spam@bad.example"), true);
  assert.equal(store.bridgeBlocks.remove(FEDI, "spam@bad.example"), false);
  assert.equal(store.bridgeBlocks.has(FEDI, "spam@bad.example"), false);
  assert.deepEqual(store.bridgeBlocks.list().map((b) => b.address), ["troll@xmpp.example"]);
});
