import assert from "node:assert/strict";
import { openStore } from "../store/mod.ts";
import { MetaSmStateStore, parseSmState, SM_STATE_KEY } from "./sm_state.ts";

Deno.test("the stream state is kept in the meta table and read back", () => {
  using store = openStore(":memory:");
  const states = new MetaSmStateStore(store.meta);
  assert.equal(states.load(), null);
  const state = {
    jid: "bot@xmpp.test",
    id: "abc",
    location: null,
    bound: "bot@xmpp.test/r",
    h: 41,
  };
  states.save(state);
  assert.deepEqual(states.load(), state);
  assert.deepEqual(new MetaSmStateStore(store.meta).load(), state);
  states.save({ ...state, h: 42, location: "[::1]:5222" });
  assert.equal(states.load()?.h, 42);
  states.clear();
  assert.equal(states.load(), null);
  assert.equal(store.meta.get(SM_STATE_KEY), undefined);
});

Deno.test("an unreadable stored state is refused with what is wrong", () => {
  assert.throws(() => parseSmState("{"), /is not JSON/);
  assert.throws(() => parseSmState("[]"), /no valid jid/);
  assert.throws(() => parseSmState("null"), /not an object/);
  const ok = { jid: "bot@xmpp.test", id: "abc", location: null, bound: null, h: 1 };
  assert.throws(() => parseSmState(JSON.stringify({ ...ok, id: "" })), /no valid id/);
  assert.throws(() => parseSmState(JSON.stringify({ ...ok, h: -1 })), /no valid h/);
  assert.throws(() => parseSmState(JSON.stringify({ ...ok, h: 1.5 })), /no valid h/);
  assert.throws(() => parseSmState(JSON.stringify({ ...ok, location: 5 })), /no valid location/);
  assert.throws(() => parseSmState(JSON.stringify({ ...ok, bound: 1 })), /no valid bound/);
  assert.deepEqual(parseSmState(JSON.stringify(ok)), ok);
  const { bound: _, ...withoutBound } = ok;
  assert.deepEqual(parseSmState(JSON.stringify(withoutBound)), ok, "bound may be absent");
});
