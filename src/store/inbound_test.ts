import assert from "node:assert/strict";
import { memoryStore } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

Deno.test("markHandled is true once per network and key", () => {
  using store = memoryStore();
  assert.equal(store.inbound.isHandled(FEDI, "n1"), false);
  assert.equal(store.inbound.markHandled(FEDI, "n1", 10), true);
  assert.equal(store.inbound.markHandled(FEDI, "n1", 20), false);
  assert.equal(store.inbound.isHandled(FEDI, "n1"), true);
  // The same key on the other network is another event.
  assert.equal(store.inbound.isHandled(XMPP, "n1"), false);
  assert.equal(store.inbound.markHandled(XMPP, "n1", 10), true);
});

Deno.test("a mark inside a rolled-back transaction is forgotten", () => {
  using store = memoryStore();
  assert.throws(() =>
    store.transaction(() => {
      store.inbound.markHandled(XMPP, "stanza-1", 5);
      throw new Error("handling failed");
    })
  );
  assert.equal(store.inbound.markHandled(XMPP, "stanza-1", 6), true);
});

Deno.test("pruneBefore forgets exactly the marks strictly older than the limit", () => {
  using store = memoryStore();
  store.inbound.markHandled(FEDI, "old", 99);
  store.inbound.markHandled(XMPP, "edge", 100);
  store.inbound.markHandled(FEDI, "new", 101);
  assert.equal(store.inbound.pruneBefore(100), 1);
  assert.equal(store.inbound.isHandled(FEDI, "old"), false);
  assert.equal(store.inbound.isHandled(XMPP, "edge"), true);
  assert.equal(store.inbound.isHandled(FEDI, "new"), true);
  assert.equal(store.inbound.pruneBefore(100), 0);
});
