import assert from "node:assert/strict";
import { memoryStore } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

Deno.test("personal blocks: idempotent add, list newest first, remove", () => {
  using store = memoryStore();
  assert.equal(store.blocks.add(FEDI, "Alice@fedi.example", "Bob@xmpp.example", 10), true);
  assert.equal(store.blocks.add(FEDI, "alice@fedi.example", "bob@xmpp.example", 99), false);
  assert.equal(store.blocks.add(FEDI, "alice@fedi.example", "carol@xmpp.example", 20), true);
  store.blocks.add(XMPP, "bob@xmpp.example", "alice@fedi.example", 30);

  assert.deepEqual(store.blocks.list(FEDI, "alice@fedi.example"), [
    { blockerType: FEDI, blocker: "alice@fedi.example", blocked: "carol@xmpp.example", at: 20 },
    { blockerType: FEDI, blocker: "alice@fedi.example", blocked: "bob@xmpp.example", at: 10 },
  ]);
  assert.deepEqual(store.blocks.list(XMPP, "alice@fedi.example"), []);

  assert.equal(store.blocks.remove(FEDI, "alice@fedi.example", "BOB@xmpp.example"), true);
  assert.equal(store.blocks.remove(FEDI, "alice@fedi.example", "bob@xmpp.example"), false);
  assert.deepEqual(store.blocks.list(FEDI, "alice@fedi.example").map((b) => b.blocked), [
    "carol@xmpp.example",
  ]);
});

Deno.test("isBlocked looks at one direction only", () => {
  using store = memoryStore();
  store.blocks.add(FEDI, "alice@fedi.example", "bob@xmpp.example", 10);
  assert.equal(store.blocks.isBlocked(FEDI, "alice@fedi.example", "bob@xmpp.example"), true);
  assert.equal(store.blocks.isBlocked(FEDI, "ALICE@fedi.example", "bob@XMPP.example"), true);
  assert.equal(store.blocks.isBlocked(XMPP, "bob@xmpp.example", "alice@fedi.example"), false);
  assert.equal(store.blocks.isBlocked(XMPP, "alice@fedi.example", "bob@xmpp.example"), false);
});

Deno.test("removeAllBy removes one user's blocks and counts them", () => {
  using store = memoryStore();
  store.blocks.add(FEDI, "alice@fedi.example", "bob@xmpp.example", 10);
  store.blocks.add(FEDI, "alice@fedi.example", "carol@xmpp.example", 11);
  store.blocks.add(FEDI, "dave@fedi.example", "bob@xmpp.example", 12);
  assert.equal(store.blocks.removeAllBy(FEDI, "alice@fedi.example"), 2);
  assert.equal(store.blocks.removeAllBy(FEDI, "alice@fedi.example"), 0);
  assert.equal(store.blocks.isBlocked(FEDI, "dave@fedi.example", "bob@xmpp.example"), true);
});
