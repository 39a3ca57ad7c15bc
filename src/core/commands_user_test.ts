import assert from "node:assert/strict";
import { MAX_LIST_LINES } from "./commands_common.ts";
import {
  ALICE,
  assertNotice,
  BOB,
  DAY,
  type Part,
  runCommand,
  seedUser,
  withGerman,
} from "../../tests/support/commands.ts";
import { makeCore } from "../../tests/support/core.ts";
import { XMPP_ADMIN } from "../../tests/support/commands.ts";

// --- report ---------------------------------------------------------------------------------

Deno.test("command report: forwarded to the first XMPP admin, the reporter thanked", async () => {
  using core = makeCore();
  const body = "!report @spam@bad.example keeps sending me ads";
  const effects = await runCommand(core, BOB, body);
  assert.equal(effects.length, 2);
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [["report.forward", {
    sender: "xmpp:bob@jabber.example",
    text: body,
  }]]);
  assertNotice(core.deps, effects[1], BOB, [["report.thanks"]]);
  // From the Fediverse, unregistered: anyone may report.
  const fromFedi = await runCommand(core, ALICE, "@bridge@social.test !report xmpp:x@y.example");
  assertNotice(core.deps, fromFedi[0], XMPP_ADMIN, [["report.forward", {
    sender: "@alice@remote.example",
    text: "!report xmpp:x@y.example",
  }]]);
  assert.equal(fromFedi[1]?.kind === "notice" && fromFedi[1].inReplyTo, "msg-1");
});

Deno.test("command report: an empty report asks for details and tells nobody", async () => {
  using core = makeCore();
  const effects = await runCommand(core, BOB, "  !REPORT  ");
  assert.equal(effects.length, 1);
  assertNotice(core.deps, effects[0], BOB, [["report.empty", { report: "!report" }]]);
});

// --- help -----------------------------------------------------------------------------------

function helpParts(network: "xmpp" | "fedi", url: string, admin = false): Part[] {
  const account = network === "xmpp" ? "@name@server.example" : "xmpp:name@server.example";
  return [
    ["help.intro"],
    [network === "xmpp" ? "help.from_xmpp" : "help.from_fedi", { example: account }],
    ["help.commands", {
      register: "!register",
      unregister: "!unregister",
      report: "!report",
      help: "!help",
      block: "!block",
      unblock: "!unblock",
      listblock: "!listblock",
      account,
      lang: "!lang=",
    }],
    ["help.privacy"],
    ...(admin ? [["help.admin_hint", { ahelp: "!ahelp" }] as Part] : []),
    ["help.more", { url }],
  ];
}

Deno.test("command help: usage for each network, the privacy note, the help link", async () => {
  using core = makeCore();
  const fromXmpp = await runCommand(core, BOB, "!help");
  assertNotice(core.deps, fromXmpp[0], BOB, helpParts("xmpp", "https://help.test/en"));
  const fromFedi = await runCommand(core, ALICE, "!help");
  assertNotice(core.deps, fromFedi[0], ALICE, helpParts("fedi", "https://help.test/en"));
  const admin = await runCommand(core, XMPP_ADMIN, "!help");
  assertNotice(core.deps, admin[0], XMPP_ADMIN, helpParts("xmpp", "https://help.test/en", true));
  assert.match(fromXmpp[0]?.kind === "notice" ? fromXmpp[0].text : "", /end-to-end/);
});

Deno.test("command help: without a link for the language, the bot's profile page", async () => {
  using core = makeCore();
  const deps = withGerman(core);
  seedUser(core, BOB);
  deps.store.users.setLanguage(BOB.network, BOB.address, "de");
  const effects = await runCommand(core, BOB, "!help", deps);
  assertNotice(deps, effects[0], BOB, helpParts("xmpp", "https://social.test/@bridge"), "de");
});

// --- block, unblock, listblock --------------------------------------------------------------

Deno.test("command block: only for registered users", async () => {
  using core = makeCore();
  for (const word of ["block", "unblock", "listblock"]) {
    const effects = await runCommand(core, BOB, `!${word} @spam@bad.example`);
    assertNotice(core.deps, effects[0], BOB, [
      ["cmd.not_registered", { register: "!register" }],
      // listblock takes no account: it says the named one got nothing.
      ...(word === "listblock" ? [["common.nothing_sent"] as Part] : []),
    ]);
  }
  assert.deepEqual(core.deps.store.blocks.list(BOB.network, BOB.address), []);
});

Deno.test("command block: an XMPP user blocks Fediverse accounts", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  const { store } = core.deps;
  const effects = await runCommand(
    core,
    BOB,
    "!block @spam@bad.example @Troll@Bad.Example xmpp:pal@jabber.example @short",
  );
  assertNotice(core.deps, effects[0], BOB, [
    ["cmd.blocked", { accounts: "@spam@bad.example, @troll@bad.example" }],
    ["common.own_network", { accounts: "xmpp:pal@jabber.example" }],
    ["common.short_mentions", { names: "@short", example: "@name@server.example" }],
  ]);
  assert.deepEqual(store.blocks.list(BOB.network, BOB.address).map((b) => b.blocked).sort(), [
    "spam@bad.example",
    "troll@bad.example",
  ]);
  const again = await runCommand(core, BOB, "!block @spam@bad.example @new@bad.example");
  assertNotice(core.deps, again[0], BOB, [
    ["cmd.blocked", { accounts: "@new@bad.example" }],
    ["cmd.already_blocked", { accounts: "@spam@bad.example" }],
  ]);
  assert.equal(store.blocks.list(BOB.network, BOB.address).length, 3);
});

Deno.test("command block: a Fediverse user blocks XMPP accounts", async () => {
  using core = makeCore();
  seedUser(core, ALICE);
  const effects = await runCommand(core, ALICE, "!block xmpp:spam@bad.example/phone @x@y.example");
  assertNotice(core.deps, effects[0], ALICE, [
    ["cmd.blocked", { accounts: "xmpp:spam@bad.example" }],
    ["common.own_network", { accounts: "@x@y.example" }],
  ]);
  assert.equal(
    core.deps.store.blocks.isBlocked(ALICE.network, ALICE.address, "spam@bad.example"),
    true,
  );
});

Deno.test("command block: no account of the other network gives the usage", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  seedUser(core, ALICE);
  const effects = await runCommand(core, BOB, "!block");
  assertNotice(core.deps, effects[0], BOB, [["cmd.block_usage", {
    example: "!block @name@server.example",
  }]]);
  const fromFedi = await runCommand(core, ALICE, "!unblock");
  assertNotice(core.deps, fromFedi[0], ALICE, [["cmd.unblock_usage", {
    example: "!unblock xmpp:name@server.example",
  }]]);
});

Deno.test("command unblock: removes blocks, names those that were not blocked", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  const { store } = core.deps;
  store.blocks.add(BOB.network, BOB.address, "spam@bad.example", core.clock.now);
  store.blocks.add(BOB.network, BOB.address, "keep@bad.example", core.clock.now);
  const effects = await runCommand(core, BOB, "!unblock @spam@bad.example @nobody@bad.example");
  assertNotice(core.deps, effects[0], BOB, [
    ["cmd.unblocked", { accounts: "@spam@bad.example" }],
    ["cmd.not_blocked", { accounts: "@nobody@bad.example" }],
  ]);
  assert.deepEqual(store.blocks.list(BOB.network, BOB.address).map((b) => b.blocked), [
    "keep@bad.example",
  ]);
});

Deno.test("command listblock: newest first, or empty", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  const empty = await runCommand(core, BOB, "!listblock");
  assertNotice(core.deps, empty[0], BOB, [["cmd.listblock_empty", {
    example: "!block @name@server.example",
  }]]);
  const { store } = core.deps;
  const t0 = core.clock.now;
  store.blocks.add(BOB.network, BOB.address, "old@bad.example", t0 - 2 * DAY);
  store.blocks.add(BOB.network, BOB.address, "new@bad.example", t0);
  const effects = await runCommand(core, BOB, "!listblock");
  assert.ok(effects[0]?.kind === "notice");
  assert.equal(
    effects[0].text,
    [
      core.deps.i18n.t("en", "cmd.listblock", { count: 2 }),
      `- ${
        core.deps.i18n.t("en", "common.item_since", {
          item: "@new@bad.example",
          date: "2026-11-25",
        })
      }`,
      `- ${
        core.deps.i18n.t("en", "common.item_since", {
          item: "@old@bad.example",
          date: "2026-11-23",
        })
      }`,
    ].join("\n"),
  );
});

Deno.test("command listblock: a long list is cut with the count of the rest", async () => {
  using core = makeCore();
  seedUser(core, ALICE);
  const total = MAX_LIST_LINES + 7;
  for (let i = 0; i < total; i++) {
    core.deps.store.blocks.add(ALICE.network, ALICE.address, `u${i}@x.example`, i);
  }
  const effects = await runCommand(core, ALICE, "!listblock");
  assert.ok(effects[0]?.kind === "notice");
  const shown = effects[0].text.split("\n");
  assert.equal(shown.length, 1 + MAX_LIST_LINES + 1);
  assert.equal(shown[1]?.startsWith(`- xmpp:u${total - 1}@x.example`), true, "newest first");
  assert.equal(shown.at(-1), core.deps.i18n.t("en", "common.more", { count: 7 }));
});
