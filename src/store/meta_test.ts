import assert from "node:assert/strict";
import { memoryStore } from "../../tests/support/store.ts";

Deno.test("meta: get, set, replace, delete", () => {
  using store = memoryStore();
  assert.equal(store.meta.get("fedi.last_notification"), undefined);
  store.meta.set("fedi.last_notification", "100");
  assert.equal(store.meta.get("fedi.last_notification"), "100");
  store.meta.set("fedi.last_notification", "205");
  assert.equal(store.meta.get("fedi.last_notification"), "205");
  assert.equal(store.meta.delete("fedi.last_notification"), true);
  assert.equal(store.meta.delete("fedi.last_notification"), false);
  assert.equal(store.meta.get("fedi.last_notification"), undefined);
});
