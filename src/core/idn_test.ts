/**
 * One account, one spelling: a domain written in Unicode and the punycode (A-label) form that
 * Mastodon reports are the same domain in blocks, the bridge block list, the red list and
 * registration; and an address that breaks the address grammar is refused by name.
 */
import assert from "node:assert/strict";
import { fedi, runCommand, seedUser, text, userOf, xmpp } from "../../tests/support/commands.ts";
import { Core } from "./engine.ts";
import { makeCore } from "../../tests/support/core.ts";
import type { Account, Effect, Inbound } from "./types.ts";
import type { TestCore } from "../../tests/support/core.ts";

const BOB = xmpp("bob@chat.test");
/** As Mastodon reports an account of bücher.example. */
const TROLL = fedi("troll@xn--bcher-kva.example");
const XMPP_ADMIN = xmpp("admin@chat.test");

function message(from: Account, body: string, id: string): Extract<Inbound, { kind: "message" }> {
  return { kind: "message", from, id, text: body, inReplyTo: null, lang: "en", extras: null };
}

function deliveriesTo(effects: readonly Effect[], to: Account): Effect[] {
  return effects.filter((e) =>
    e.kind === "deliver" && e.to.some((a) => a.network === to.network && a.address === to.address)
  );
}

/** Bob (XMPP) and the troll (Fediverse, as Mastodon reports it) registered. */
function bobAndTroll(): TestCore {
  const core = makeCore();
  seedUser(core, BOB);
  seedUser(core, TROLL);
  core.fedi.add(TROLL.address, { now: core.clock.now });
  return core;
}

Deno.test("a block written in Unicode stops the punycode acct Mastodon reports", async () => {
  using core = bobAndTroll();
  const engine = new Core(core.deps);

  await engine.handle(message(BOB, "!block @troll@Bücher.Example", "b-1"));
  assert.ok(
    core.deps.store.blocks.isBlocked(BOB.network, BOB.address, TROLL.address),
    "the block names the A-label form",
  );
  const before = core.emitted.length;
  await engine.handle(message(TROLL, "xmpp:bob@chat.test you again", "t-1"));
  assert.deepEqual(deliveriesTo(core.emitted.slice(before), BOB), [], "nothing reaches bob");
});

Deno.test("an admin block written in Unicode stops the punycode acct", async () => {
  using core = bobAndTroll();
  const engine = new Core(core.deps);

  await engine.handle(message(XMPP_ADMIN, "!ablock @troll@bücher.example", "a-1"));
  const before = core.emitted.length;
  await engine.handle(message(TROLL, "xmpp:bob@chat.test hello", "t-1"));
  assert.deepEqual(deliveriesTo(core.emitted.slice(before), BOB), [], "nothing reaches bob");
});

Deno.test("!addred of an IDN domain unregisters its users, however their addresses were written", async () => {
  using core = makeCore();
  const jorg = xmpp("jörg@bücher.example");
  seedUser(core, TROLL);
  seedUser(core, jorg);
  seedUser(core, BOB);
  await runCommand(core, XMPP_ADMIN, "!addred Bücher.Example");
  assert.deepEqual([...core.deps.lists.red()], ["xn--bcher-kva.example"]);
  assert.notEqual(userOf(core, TROLL)?.revokedAt ?? null, null, "the Fediverse user is out");
  assert.notEqual(userOf(core, jorg)?.revokedAt ?? null, null, "the XMPP user is out");
  assert.equal(userOf(core, BOB)?.revokedAt, null);
});

Deno.test("a control character in a JID named in a status is refused by name; nothing is sent", async () => {
  using core = makeCore();
  const carol = fedi("carol@social.test");
  seedUser(core, carol);
  seedUser(core, BOB);
  core.fedi.add(carol.address, { now: core.clock.now });
  const engine = new Core(core.deps);
  await engine.handle(message(carol, "xmpp:a\u0001b@chat.test xmpp:bob@chat.test hi", "c-1"));
  assert.equal(core.emitted.length, 1, JSON.stringify(core.emitted));
  const [refusal] = core.emitted;
  assert.ok(refusal?.kind === "notice");
  assert.deepEqual(refusal.to, carol);
  assert.equal(
    refusal.text,
    text(core.deps, "en", "engine.bad_address", { addresses: "xmpp:a\\u0001b@chat.test" }),
  );
});
