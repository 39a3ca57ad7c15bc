/**
 * The flood control (flood.ts) as an attacker meets it: whole conversations through the core,
 * with the default budgets unless a test says otherwise, and an injected clock.
 */
import assert from "node:assert/strict";
import { fedi, seedUser, text, xmpp } from "../../tests/support/commands.ts";
import { Core } from "./engine.ts";
import { HOUR_MS, NegativeLookups } from "./flood.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import type { Account, Effect } from "./types.ts";

const ADMIN = xmpp("admin@chat.test");
const TROLL = xmpp("troll@spam.example");
const BOB = xmpp("bob@chat.test");
const FEDI_ADMIN = fedi("admin@social.test");

let ids = 0;

/** Hands one message to the core, as an adapter does (with a fresh dedupe key). */
async function say(core: TestCore, from: Account, body: string): Promise<Effect[]> {
  const before = core.emitted.length;
  const id = `m${++ids}`;
  await new Core(core.deps).handle(
    { kind: "message", from, id, text: body, inReplyTo: null, lang: null, extras: null },
    `${from.address}/${id}`,
  );
  return core.emitted.slice(before);
}

async function sayMany(core: TestCore, from: Account, body: string, n: number): Promise<Effect[]> {
  const out: Effect[] = [];
  for (let i = 0; i < n; i++) out.push(...await say(core, from, body));
  return out;
}

function noticesTo(effects: readonly Effect[], to: Account): string[] {
  return effects.flatMap((e) =>
    e.kind === "notice" && e.to.network === to.network && e.to.address === to.address
      ? [e.text]
      : []
  );
}

function lookups(core: TestCore): number {
  return core.fedi.calls.filter((c) => c.startsWith("lookup ")).length;
}

Deno.test("50 reports from a blocked red-listed unregistered account reach the admin at most 5 times and get one answer", async () => {
  using core = makeCore("", { flood: true });
  core.deps.lists.addRed(["spam.example"]);
  core.deps.store.bridgeBlocks.add(TROLL.network, TROLL.address, core.clock.now);
  const effects = await sayMany(core, TROLL, "!report the admins must read this", 50);
  const forwarded = noticesTo(effects, ADMIN);
  assert.equal(forwarded.length, core.config.maxReportsPerDay);
  assert.equal(core.config.maxReportsPerDay, 5, "the default");
  assert.equal(noticesTo(effects, TROLL).length, 1, "one answer, then silence");
  assert.equal(effects.length, 5 + 1, "nothing else went out");

  // The admin sees what was held back.
  const held = core.deps.store.flood.heldSince(0);
  assert.equal(held.accounts, 1);
  assert.ok(held.held >= 45, `held back: ${held.held}`);
  const status = noticesTo(await say(core, ADMIN, "!status"), ADMIN);
  assert.equal(status.length, 1);
  assert.ok(status[0]!.includes(text(core.deps, "en", "admin.status_flood", held)), status[0]);

  // A new day: the budgets start over.
  core.clock.now += 24 * HOUR_MS;
  const next = await say(core, TROLL, "!report again");
  assert.equal(noticesTo(next, ADMIN).length, 1);
  assert.equal(noticesTo(next, TROLL).length, 1);
});

Deno.test("an unregistered account's repeated messages cause one directory look-up", async () => {
  using core = makeCore("", { flood: true });
  const stranger = fedi("nobody@remote.example");
  const effects = await sayMany(core, stranger, "xmpp:bob@chat.test hello there", 5);
  assert.equal(lookups(core), 1);
  // Not an outsider (merely unregistered): each refusal is answered, within the refusal budget.
  const refusal = text(core.deps, "en", "reg.unknown_account", { server: "social.test" });
  assert.deepEqual(noticesTo(effects, stranger), Array(5).fill(refusal));
  assert.equal(effects.filter((e) => e.kind === "deliver").length, 0);
  // The failure is remembered for negative-lookup-cache-minutes (60), then asked again.
  core.clock.now += 61 * 60_000;
  await say(core, stranger, "xmpp:bob@chat.test hello again");
  assert.equal(lookups(core), 2);
});

Deno.test("a bot account's repeated join attempts stop at max-registration-attempts-per-day", async () => {
  using core = makeCore(
    "max-registration-attempts-per-day: 3\nnegative-lookup-cache-minutes: 0\n",
    { flood: true },
  );
  const bot = fedi("spambot@remote.example");
  core.fedi.add(bot.address, { bot: true });
  const effects = await sayMany(core, bot, "!register", 10);
  assert.equal(lookups(core), 3, "no lookup past the budget");
  // An answer per attempt within the budget, one notice at the limit, then silence.
  const refusal = text(core.deps, "en", "reg.bot");
  assert.deepEqual(noticesTo(effects, bot), [
    refusal,
    refusal,
    refusal,
    text(core.deps, "en", "flood.registrations", { max: 3 }),
  ]);
});

Deno.test("40 commands in an hour from a registered user: 30 answers, one notice, then silence", async () => {
  using core = makeCore("", { flood: true });
  seedUser(core, BOB);
  const effects = await sayMany(core, BOB, "!listblock", 40);
  const answers = noticesTo(effects, BOB);
  assert.equal(answers.length, 31);
  assert.equal(answers.at(-1), text(core.deps, "en", "flood.commands", { max: 30 }));
  assert.equal(answers.filter((a) => a === answers[0]).length, 30);
  core.clock.now += HOUR_MS;
  assert.equal(noticesTo(await say(core, BOB, "!listblock"), BOB).length, 1, "a new hour");
});

Deno.test("a stream of unanswerable messages gets max-refusals-per-hour error answers, one notice, then silence", async () => {
  using core = makeCore("", { flood: true });
  seedUser(core, BOB);
  const effects = await sayMany(core, BOB, "to nobody in particular", 15);
  const answers = noticesTo(effects, BOB);
  assert.equal(answers.length, 11);
  assert.equal(
    answers.at(-1),
    text(core.deps, "en", "flood.refusals", { max: 10, help: "!help" }),
  );
  // Deliveries are not refusals: the user can still write to someone.
  const alice = fedi("alice@remote.example");
  seedUser(core, alice);
  const sent = await say(core, BOB, "@alice@remote.example hi");
  assert.equal(sent.filter((e) => e.kind === "deliver").length, 1);
});

Deno.test("the report budget outlives unregistering and coming back", async () => {
  using core = makeCore("max-reports-per-day: 2\n", { flood: true });
  seedUser(core, BOB);
  assert.equal(noticesTo(await sayMany(core, BOB, "!report one", 2), ADMIN).length, 2);
  await say(core, BOB, "!unregister");
  await say(core, BOB, "!register");
  assert.equal(core.deps.store.users.get(BOB.network, BOB.address)?.revokedAt, null);
  const third = await say(core, BOB, "!report three");
  assert.equal(noticesTo(third, ADMIN).length, 0);
  assert.deepEqual(noticesTo(third, BOB), [
    text(core.deps, "en", "flood.reports", { max: 2 }),
  ]);
});

Deno.test("a newcomer's welcome and a leaver's goodbye are never held back", async () => {
  using core = makeCore("", { flood: true });
  const newcomer = xmpp("new@chat.test");
  assert.equal(noticesTo(await say(core, newcomer, "hello?"), newcomer).length, 1);
  // Not registered yet is no outsider: a newcomer finding their way in is answered.
  assert.equal(noticesTo(await say(core, newcomer, "!help"), newcomer).length, 1);
  const welcome = noticesTo(await say(core, newcomer, "!register"), newcomer);
  assert.equal(welcome.length, 1);
  assert.ok(welcome[0]!.startsWith(text(core.deps, "en", "reg.welcome_xmpp", { help: "!help" })));
  assert.equal(noticesTo(await say(core, newcomer, "!unregister"), newcomer).length, 1);
});

Deno.test("admins have no flood budget", async () => {
  using core = makeCore("", { flood: true });
  assert.equal(noticesTo(await sayMany(core, FEDI_ADMIN, "!status", 40), FEDI_ADMIN).length, 40);
});

Deno.test("max-... 0 turns a budget off", async () => {
  using core = makeCore(
    "max-commands-per-hour: 0\nmax-answers-to-outsiders-per-hour: 0\n",
    { flood: true },
  );
  const stranger = xmpp("stranger@chat.test");
  assert.equal(noticesTo(await sayMany(core, stranger, "!help", 40), stranger).length, 40);
});

Deno.test("the failed-lookup memory is bounded and expires", () => {
  const cache = new NegativeLookups(3);
  for (const a of ["a", "b", "c", "d"]) cache.set(a, { key: "reg.bot" }, 0, 1000);
  assert.equal(cache.size, 3);
  assert.equal(cache.get("a", 10), null, "the oldest went first");
  assert.deepEqual(cache.get("d", 10), { key: "reg.bot" });
  assert.equal(cache.get("d", 1000), null, "expired");
  cache.set("e", { key: "reg.bot" }, 0, 0);
  assert.equal(cache.get("e", 0), null, "a ttl of 0 remembers nothing");
});
