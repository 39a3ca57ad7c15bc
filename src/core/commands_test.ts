import assert from "node:assert/strict";
import { ADMIN_COMMANDS, applyLanguage } from "./commands.ts";
import {
  ALICE,
  assertContact,
  assertNotice,
  BOB,
  fedi,
  FEDI_ADMIN,
  runCommand,
  seedUser,
  text,
  userOf,
  withGerman,
  xmpp,
} from "../../tests/support/commands.ts";
import { Turn } from "./context.ts";
import { COMMANDS } from "./parse.ts";
import { makeCore } from "../../tests/support/core.ts";
import { XMPP_ADMIN } from "../../tests/support/commands.ts";

Deno.test("commands: the admin set is rows 7 to 22 of the table", () => {
  assert.deepEqual([...ADMIN_COMMANDS].sort(), COMMANDS.slice(7).slice().sort());
});

Deno.test("commands: every admin command is refused to a non-admin, with no change", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  seedUser(core, ALICE);
  const { lists, store } = core.deps;
  for (const name of ADMIN_COMMANDS) {
    for (const sender of [BOB, ALICE]) {
      const target = sender === BOB ? "@alice@remote.example" : "xmpp:bob@jabber.example";
      const body = `!${name} ${target} remote.example jabber.example`;
      const effects = await runCommand(core, sender, body);
      assert.equal(effects.length, 1, body);
      const extra = ["report", "block", "unblock", "ablock", "aunblock"].includes(name)
        ? []
        : [["common.nothing_sent"] as const];
      assertNotice(core.deps, effects[0], sender, [
        ["admin.only", { command: `!${name}` }],
        ...extra,
      ]);
    }
  }
  assert.equal(lists.isSending(), true);
  assert.equal(lists.isOpen(), true);
  assert.deepEqual([...lists.red()], []);
  assert.deepEqual([...lists.green()], []);
  assert.deepEqual(store.bridgeBlocks.list(), []);
  assert.equal(store.users.countActive(), 2);
});

Deno.test("commands: admins only from the network they are listed on, any case", async () => {
  using core = makeCore();
  // admin@chat.test is an XMPP admin; the same address on the Fediverse is nobody.
  const effects = await runCommand(core, fedi("admin@chat.test"), "!stop");
  assertNotice(core.deps, effects[0], fedi("admin@chat.test"), [[
    "admin.only",
    { command: "!stop" },
  ]]);
  assert.equal(core.deps.lists.isSending(), true);
  const upper = xmpp("Admin@Chat.TEST");
  const done = await runCommand(core, upper, "!stop");
  assertNotice(core.deps, done[0], upper, [["admin.stopped", { start: "!start" }]]);
  assert.equal(core.deps.lists.isSending(), false);
  // And the Fediverse admin from the Fediverse.
  await runCommand(core, FEDI_ADMIN, "!start");
  assert.equal(core.deps.lists.isSending(), true);
});

Deno.test("commands: configured command words are used in answers", async () => {
  const words = COMMANDS.map((c) => c === "stop" ? "halt" : c === "start" ? "go" : c);
  using core = makeCore(`bridge-command-list: [${words.join(", ")}]\n`);
  const effects = await runCommand(core, XMPP_ADMIN, "!halt");
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [["admin.stopped", { start: "!go" }]]);
  assert.equal(core.deps.lists.isSending(), false);
});

Deno.test("commands: a command that takes no accounts notes that nothing was sent", async () => {
  using core = makeCore();
  const effects = await runCommand(core, XMPP_ADMIN, "!status @alice@remote.example hello");
  assert.equal(effects.length, 1);
  assert.ok(effects[0]?.kind === "notice");
  assert.ok(effects[0].text.endsWith(`\n${text(core.deps, "en", "common.nothing_sent")}`));
  assert.ok(!effects.some((e) => e.kind === "deliver"));
  // A short mention from XMPP counts as an address too.
  const short = await runCommand(core, BOB, "!help @alice");
  assert.ok(short[0]?.kind === "notice");
  assert.ok(short[0].text.endsWith(`\n${text(core.deps, "en", "common.nothing_sent")}`));
  // The bot's own address is no recipient: no note.
  const own = await runCommand(core, ALICE, "@bridge@social.test !help");
  assert.ok(own[0]?.kind === "notice");
  assert.ok(!own[0].text.includes(text(core.deps, "en", "common.nothing_sent")));
});

Deno.test("command register: registers the sender, with the note when addresses came", async () => {
  using core = makeCore();
  const effects = await runCommand(core, BOB, "!register xmpp:carol@jabber.example");
  assertNotice(core.deps, effects[0], BOB, [
    ["reg.welcome_xmpp", { help: "!help" }],
    ["reg.subscribe_back"],
    ["common.nothing_sent"],
  ]);
  assertContact(effects[1], BOB, "subscribe");
  assert.equal(userOf(core, BOB)?.revokedAt, null);
  assert.equal(userOf(core, xmpp("carol@jabber.example")), undefined);
});

Deno.test("command register: a Fediverse sender goes through the lookups", async () => {
  using core = makeCore();
  const effects = await runCommand(core, ALICE, "!register");
  assertNotice(core.deps, effects[0], ALICE, [["reg.unknown_account", {
    server: "social.test",
  }]]);
  assert.equal(userOf(core, ALICE), undefined);
  core.fedi.add(ALICE.address, { id: "5", now: core.clock.now });
  const ok = await runCommand(core, ALICE, "!register");
  assertContact(ok[1], ALICE, "follow", "5");
  assert.equal(userOf(core, ALICE)?.accountId, "5");
});

Deno.test("command unregister: leaves, deleting blocks; twice says not registered", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  core.deps.store.blocks.add(BOB.network, BOB.address, "x@remote.example", core.clock.now);
  const effects = await runCommand(core, BOB, "!unregister");
  assertNotice(core.deps, effects[0], BOB, [["unreg.done", { register: "!register" }]]);
  assertContact(effects[1], BOB, "remove");
  assert.equal(userOf(core, BOB)?.revokedAt, core.clock.now);
  assert.deepEqual(core.deps.store.blocks.list(BOB.network, BOB.address), []);
  const again = await runCommand(core, BOB, "!unregister @a@remote.example");
  assertNotice(core.deps, again[0], BOB, [["unreg.not_registered"], ["common.nothing_sent"]]);
});

// --- !lang= ---------------------------------------------------------------------------------

Deno.test("lang: a registered user's language is set and the answer is in it", () => {
  using core = makeCore();
  const deps = withGerman(core);
  seedUser(core, BOB);
  const turn = new Turn(deps, BOB, "m1");
  assert.equal(applyLanguage(turn, "DE"), true);
  assert.equal(userOf(core, BOB)?.lang, "de");
  assert.equal(turn.lang, "de");
  assertNotice(deps, core.emitted[0], BOB, [["lang.set", { language: "de" }]], "de");
  // Later answers use it too.
  assert.equal(new Turn(deps, BOB, null).lang, "de");
});

Deno.test("lang: an unknown code answers in the unknown-language with the list", () => {
  using core = makeCore();
  const deps = withGerman(core);
  seedUser(core, BOB);
  deps.store.users.setLanguage(BOB.network, BOB.address, "de");
  for (const code of ["xx", ""]) {
    const before = core.emitted.length;
    assert.equal(applyLanguage(new Turn(deps, BOB, null), code), false);
    assertNotice(deps, core.emitted[before], BOB, [["lang.unknown", {
      code,
      languages: "de, en",
      example: "!lang=de",
    }]], "en");
  }
  assert.equal(userOf(core, BOB)?.lang, "de");
});

Deno.test("lang: an unregistered sender is told to register first", () => {
  using core = makeCore();
  assert.equal(applyLanguage(new Turn(core.deps, BOB, null), "en"), false);
  assertNotice(core.deps, core.emitted[0], BOB, [["lang.not_registered", {
    register: "!register",
    example: `!lang=${core.deps.i18n.languages()[0]}`,
  }]]);
  assert.equal(userOf(core, BOB), undefined);
});
