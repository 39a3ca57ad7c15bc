/**
 * Hostile input (issue 12, item 7): what protects users from an account, and what limits it,
 * outlives that account's row: a personal block against it, how often it registered, how much
 * it sent lately.
 */
import assert from "node:assert/strict";
import { runCleanup } from "./cleanup.ts";
import { chatMaker } from "../../tests/support/commands.ts";
import { Core } from "./engine.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { type Account, FEDI, XMPP } from "./types.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };
const BOB: Account = { network: FEDI, address: "bob@social.test" };
const DAY = 24 * 3600_000;

const message = chatMaker();

const follow = (engine: Core) =>
  engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false });

/** Lets the days pass and runs the daily cleanup (retention of revoked users: 30 days). */
function monthLater(core: TestCore): void {
  core.clock.now += 31 * DAY;
  runCleanup(core.deps, { networks: [FEDI, XMPP] });
}

function deliveredTo(core: TestCore, to: Account): number {
  return core.emitted.filter((e) =>
    e.kind === "deliver" && e.to.some((a) => a.address === to.address)
  ).length;
}

Deno.test("a personal block outlives the blocked user's purged row", async () => {
  using core = makeCore();
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  await follow(engine);
  await engine.handle({ kind: "subscribe", from: ALICE });
  await engine.handle(message(ALICE, "!block @bob@social.test"));
  assert.ok(core.deps.store.blocks.isBlocked(XMPP, ALICE.address, BOB.address));

  // Bob leaves, and his row is purged once the retention time is over.
  await engine.handle(message(BOB, "!unregister"));
  monthLater(core);
  assert.equal(core.deps.store.users.get(FEDI, BOB.address), undefined, "purged");

  // He comes back: Alice's block still stands.
  assert.ok(core.deps.store.blocks.isBlocked(XMPP, ALICE.address, BOB.address));
  await follow(engine);
  core.emitted.length = 0;
  await engine.handle(message(BOB, "xmpp:alice@chat.test remember me?"));
  assert.equal(deliveredTo(core, ALICE), 0, JSON.stringify(core.emitted));
});

Deno.test("re-registering after a purge does not reset the registration counter", async () => {
  using core = makeCore("max-ap-registrations: 2\n");
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  for (let i = 0; i < 2; i++) {
    await follow(engine);
    await engine.handle(message(BOB, "!unregister"));
  }
  assert.equal(core.deps.store.users.get(FEDI, BOB.address)?.registrations, 2);
  monthLater(core);
  assert.equal(core.deps.store.users.get(FEDI, BOB.address), undefined, "purged");

  core.emitted.length = 0;
  await follow(engine);
  assert.equal(core.deps.store.users.get(FEDI, BOB.address), undefined, "not registered again");
  const answer = core.emitted.find((e) => e.kind === "notice");
  assert.equal(
    answer?.kind === "notice" ? answer.text : "",
    core.deps.i18n.t("en", "reg.too_many", { max: 2 }),
  );
});

Deno.test("unregistering and coming back does not reset the rate limit", async () => {
  using core = makeCore("max-user-rate: 2\nmax-dest-to-send: 1\n");
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  await follow(engine);
  await engine.handle({ kind: "subscribe", from: ALICE });
  await engine.handle(message(ALICE, "@bob@social.test one"));
  await engine.handle(message(ALICE, "@bob@social.test two"));
  assert.equal(deliveredTo(core, BOB), 2);
  // Alice leaves and comes straight back (a message registers her again).
  await engine.handle(message(ALICE, "!unregister"));
  core.emitted.length = 0;
  await engine.handle(message(ALICE, "@bob@social.test three"));
  assert.ok(core.deps.store.users.get(XMPP, ALICE.address)?.revokedAt === null, "registered");
  assert.equal(deliveredTo(core, BOB), 0, JSON.stringify(core.emitted));
  assert.ok(
    core.emitted.some((e) =>
      e.kind === "notice" &&
      e.text === core.deps.i18n.t("en", "send.rate_limited", { max: 2, minutes: 5 })
    ),
    JSON.stringify(core.emitted),
  );
  // Once the window is over, she may send again.
  core.clock.now += 5 * 60_000 + 1;
  await engine.handle(message(ALICE, "@bob@social.test four"));
  assert.equal(deliveredTo(core, BOB), 1);
});
