import assert from "node:assert/strict";
import {
  ALICE,
  assertContact,
  assertNotice,
  BOB,
  fedi,
  seedUser,
  userOf,
} from "../../tests/support/commands.ts";
import { Turn } from "./context.ts";
import { activeUser, revokeUser, unregisterAccount } from "./registration.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";

// --- Leaving --------------------------------------------------------------------------------

/** BOB and ALICE registered, blocking each other, with conversations both ways. */
function seedPair(core: TestCore): void {
  seedUser(core, ALICE);
  seedUser(core, BOB);
  const { store } = core.deps;
  store.blocks.add(BOB.network, BOB.address, "x@remote.example", core.clock.now);
  store.blocks.add(ALICE.network, ALICE.address, BOB.address, core.clock.now);
  store.conversations.record({
    recipientType: ALICE.network,
    recipient: ALICE.address,
    sender: BOB.address,
    at: core.clock.now,
    sourceId: "a",
    postedId: "b",
  });
  store.conversations.record({
    recipientType: BOB.network,
    recipient: BOB.address,
    sender: ALICE.address,
    at: core.clock.now,
    sourceId: "c",
    postedId: "d",
  });
}

Deno.test("revokeUser: revoke date, own blocks and conversations gone, contact dropped", () => {
  using core = makeCore();
  seedPair(core);
  const { store } = core.deps;
  const turn = new Turn(core.deps, fedi("admin@social.test"), null);
  const done = turn.commit(() => revokeUser(turn, BOB, "unreg.not_allowed"));
  assert.equal(done, true);
  assert.equal(userOf(core, BOB)?.revokedAt, core.clock.now);
  assert.deepEqual(store.blocks.list(BOB.network, BOB.address), []);
  // Others' blocks of him stay; the conversations to and from him are gone.
  assert.equal(store.blocks.isBlocked(ALICE.network, ALICE.address, BOB.address), true);
  assert.equal(store.conversations.lastReceivedBy(BOB.network, BOB.address), undefined);
  assert.equal(store.conversations.lastReceivedBy(ALICE.network, ALICE.address), undefined);
  assertNotice(core.deps, core.emitted[0], BOB, [["unreg.not_allowed", {
    domain: "jabber.example",
  }]]);
  assertContact(core.emitted[1], BOB, "remove");

  const again = turn.commit(() => revokeUser(turn, ALICE, null));
  assert.equal(again, true);
  assertContact(core.emitted[2], ALICE, "unfollow", "id-alice@remote.example");
  assert.equal(core.emitted.length, 3);
  // Not active: nothing to tell, nothing to drop.
  assert.equal(turn.commit(() => revokeUser(turn, ALICE, "unreg.not_allowed")), false);
  assert.equal(core.emitted.length, 3);
});

Deno.test("unregisterAccount: by command and by unsubscribe", () => {
  using core = makeCore();
  seedPair(core);
  const turn = new Turn(core.deps, BOB, "m1");
  assert.equal(unregisterAccount(turn, "command"), true);
  assertNotice(core.deps, core.emitted[0], BOB, [["unreg.done", { register: "!register" }]]);
  assertContact(core.emitted[1], BOB, "remove");
  assert.equal(activeUser(turn, BOB), undefined);
  assert.deepEqual(core.deps.store.blocks.list(BOB.network, BOB.address), []);

  // Again: not registered.
  const twice = new Turn(core.deps, BOB, "m2");
  assert.equal(unregisterAccount(twice, "command"), false);
  assertNotice(core.deps, core.emitted[2], BOB, [["unreg.not_registered"]]);
  // An unsubscribe from someone not registered is ignored quietly.
  assert.equal(unregisterAccount(new Turn(core.deps, BOB, null), "unsubscribe"), false);
  assert.equal(core.emitted.length, 3);

  const alice = new Turn(core.deps, ALICE, "m3");
  assert.equal(unregisterAccount(alice, "command"), true);
  assertNotice(core.deps, core.emitted[3], ALICE, [["unreg.done", { register: "!register" }]]);
  assertContact(core.emitted[4], ALICE, "unfollow", "id-alice@remote.example");
});

Deno.test("unregisterAccount: an XMPP unsubscribe confirms", () => {
  using core = makeCore();
  seedUser(core, BOB);
  assert.equal(unregisterAccount(new Turn(core.deps, BOB, null), "unsubscribe"), true);
  assertNotice(core.deps, core.emitted[0], BOB, [["unreg.done", { register: "!register" }]]);
  assertContact(core.emitted[1], BOB, "remove");
  assert.notEqual(userOf(core, BOB)?.revokedAt, null);
});
