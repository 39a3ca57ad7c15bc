import assert from "node:assert/strict";
import { parseFor } from "./deps.ts";
import { deliveryInFlight, namedAccounts, type Resolution, resolveRoute } from "./recipients.ts";
import { ALICE, BOB, CAROL, DAVE } from "../../tests/support/sending.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { type Account, FEDI, XMPP } from "./types.ts";

function parse(core: TestCore, from: Account, text: string) {
  return parseFor(core.deps.config, text, from);
}

function record(
  core: TestCore,
  from: Account,
  to: Account,
  sourceId: string,
  postedId: string | null,
) {
  return core.deps.store.conversations.record({
    recipientType: to.network,
    recipient: to.address,
    sender: from.address,
    at: core.clock.now,
    sourceId,
    postedId,
  });
}

function recipientsOf(resolution: Resolution): string[] {
  assert.ok(resolution.ok);
  return resolution.route.recipients.map((a) => `${a.network}:${a.address}`);
}

Deno.test("namedAccounts: other network only, each once, never a bot or the sender", () => {
  using core = makeCore();
  const fromBob = namedAccounts(
    core.deps,
    BOB,
    parse(
      core,
      BOB,
      "xmpp:Alice@chat.test xmpp:alice@chat.test/phone xmpp:bridge@chat.test @carol@other.social @bob@social.test hi",
    ),
  );
  assert.deepEqual(fromBob.recipients, [ALICE]);
  assert.deepEqual(fromBob.sameNetwork, ["carol@other.social"]);

  const fromAlice = namedAccounts(
    core.deps,
    ALICE,
    parse(core, ALICE, "@bob@social.test xmpp:dave@chat.test xmpp:alice@chat.test hi"),
  );
  assert.deepEqual(fromAlice.recipients, [BOB]);
  assert.deepEqual(fromAlice.sameNetwork, ["dave@chat.test"]);
});

Deno.test("resolveRoute: naming an XMPP account stops the recency guess", () => {
  using core = makeCore();
  record(core, BOB, ALICE, "status-1", "m-1");
  // Unaddressed: the last exchange (Bob's message).
  assert.deepEqual(recipientsOf(resolveRoute(core.deps, ALICE, parse(core, ALICE, "hey"), null)), [
    `${FEDI}:${BOB.address}`,
  ]);
  // Naming only an XMPP account: no guess.
  assert.deepEqual(
    resolveRoute(core.deps, ALICE, parse(core, ALICE, "xmpp:dave@chat.test hey"), null),
    { ok: false, reason: "none" },
  );
});

Deno.test("resolveRoute: expired and none are told apart", () => {
  using core = makeCore();
  const text = parse(core, ALICE, "hey");
  assert.deepEqual(resolveRoute(core.deps, ALICE, text, null), { ok: false, reason: "none" });
  record(core, ALICE, BOB, "stanza-1", null);
  core.clock.now += 91 * 60_000;
  assert.deepEqual(resolveRoute(core.deps, ALICE, text, null), { ok: false, reason: "expired" });
  // A Fediverse sender has no recency rule at all.
  assert.deepEqual(resolveRoute(core.deps, BOB, parse(core, BOB, "hey"), null), {
    ok: false,
    reason: "none",
  });
});

Deno.test("resolveRoute: answers and threading ids for replies and resends", () => {
  using core = makeCore();
  record(core, BOB, ALICE, "status-1", "m-1");
  record(core, BOB, DAVE, "status-1", "m-2");
  const reply = resolveRoute(core.deps, DAVE, parse(core, DAVE, "ok"), "m-2");
  assert.ok(reply.ok);
  assert.deepEqual(reply.route.recipients, [BOB]);
  assert.deepEqual([...reply.route.answers], [[BOB.address, "status-1"]]);
  assert.deepEqual([...reply.route.repliedTo], [BOB.address]);

  const resend = resolveRoute(core.deps, BOB, parse(core, BOB, "more"), "status-1");
  assert.ok(resend.ok);
  assert.deepEqual(resend.route.recipients, [ALICE, DAVE]);
  assert.deepEqual([...resend.route.answers], [[ALICE.address, "m-1"], [DAVE.address, "m-2"]]);
  assert.equal(resend.route.repliedTo.size, 0);

  // An unknown id, from the Fediverse: nothing.
  assert.deepEqual(resolveRoute(core.deps, CAROL, parse(core, CAROL, "?"), "status-x"), {
    ok: false,
    reason: "none",
  });
});

Deno.test("deliveryInFlight: recorded but not yet posted", () => {
  using core = makeCore();
  assert.equal(deliveryInFlight(core.deps, BOB), false);
  const r = record(core, ALICE, BOB, "stanza-1", null);
  assert.equal(deliveryInFlight(core.deps, BOB), true);
  core.deps.store.conversations.setPostedId(r.id, "status-9");
  assert.equal(deliveryInFlight(core.deps, BOB), false);
  assert.equal(deliveryInFlight(core.deps, { network: XMPP, address: "nobody@chat.test" }), false);
});
