import assert from "node:assert/strict";
import { memoryStore } from "../../tests/support/store.ts";

Deno.test("a transaction commits what its function wrote and returns its result", () => {
  using store = memoryStore();
  const result = store.transaction(() => {
    store.meta.set("a", "1");
    store.meta.set("b", "2");
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(store.meta.get("a"), "1");
  assert.equal(store.meta.get("b"), "2");
});

Deno.test("a throwing transaction writes nothing and rethrows", () => {
  using store = memoryStore();
  const failure = new Error("boom");
  assert.throws(() =>
    store.transaction(() => {
      store.meta.set("a", "1");
      throw failure;
    }), (error) => error === failure);
  assert.equal(store.meta.get("a"), undefined);
  // The connection is usable afterwards.
  store.transaction(() => store.meta.set("c", "3"));
  assert.equal(store.meta.get("c"), "3");
});

Deno.test("nested transactions: a caught inner failure only undoes the inner part", () => {
  using store = memoryStore();
  store.transaction(() => {
    store.meta.set("outer", "1");
    assert.throws(() =>
      store.transaction(() => {
        store.meta.set("inner", "1");
        store.transaction(() => store.meta.set("innermost", "1"));
        throw new Error("inner");
      })
    );
    store.transaction(() => store.meta.set("second", "1"));
  });
  assert.equal(store.meta.get("outer"), "1");
  assert.equal(store.meta.get("inner"), undefined);
  assert.equal(store.meta.get("innermost"), undefined);
  assert.equal(store.meta.get("second"), "1");
});

Deno.test("an outer failure undoes committed inner transactions too", () => {
  using store = memoryStore();
  assert.throws(() =>
    store.transaction(() => {
      store.transaction(() => store.meta.set("inner", "1"));
      throw new Error("outer");
    })
  );
  assert.equal(store.meta.get("inner"), undefined);
});

Deno.test("an async function is refused and its writes are undone", () => {
  using store = memoryStore();
  assert.throws(
    // deno-lint-ignore require-await
    () => store.transaction(async () => store.meta.set("a", "1")),
    /synchronous/,
  );
  assert.equal(store.meta.get("a"), undefined);
});

Deno.test("close is idempotent and dispose closes", () => {
  const store = memoryStore();
  {
    using held = store;
    assert.equal(held.isOpen, true);
  }
  assert.equal(store.isOpen, false);
  store.close();
  assert.equal(store.isOpen, false);
});
