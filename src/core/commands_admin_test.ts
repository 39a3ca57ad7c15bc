import assert from "node:assert/strict";
import * as admin from "./commands_admin.ts";
import { Answer, type CommandContext } from "./commands_common.ts";
import {
  ALICE,
  assertContact,
  assertNotice,
  BOB,
  DAY,
  FEDI_ADMIN,
  listText,
  messageOf,
  parse,
  runCommand,
  seedUser,
  SPAM,
  userOf,
  xmpp,
  XMPP_ADMIN,
} from "../../tests/support/commands.ts";
import { Turn } from "./context.ts";
import { makeCore } from "../../tests/support/core.ts";
import { writeInletCounts } from "../store/mod.ts";

// --- start, stop, open, close ----------------------------------------------------------------

Deno.test("command stop/start: sending off and on, in the state file", async () => {
  using core = makeCore();
  const { lists } = core.deps;
  const stopped = await runCommand(core, XMPP_ADMIN, "!stop");
  assertNotice(core.deps, stopped[0], XMPP_ADMIN, [["admin.stopped", { start: "!start" }]]);
  assert.equal(lists.isSending(), false);
  assert.equal(Deno.readTextFileSync(lists.files.start).trim(), "stop");
  const started = await runCommand(core, FEDI_ADMIN, "!start");
  assertNotice(core.deps, started[0], FEDI_ADMIN, [["admin.started"]]);
  assert.equal(lists.isSending(), true);
});

Deno.test("command close/open: registrations off and on", async () => {
  using core = makeCore();
  const { lists } = core.deps;
  const closed = await runCommand(core, XMPP_ADMIN, "!close");
  assertNotice(core.deps, closed[0], XMPP_ADMIN, [["admin.closed", { open: "!open" }]]);
  assert.equal(lists.isOpen(), false);
  assert.equal(Deno.readTextFileSync(lists.files.open).trim(), "close");
  const opened = await runCommand(core, XMPP_ADMIN, "!open");
  assertNotice(core.deps, opened[0], XMPP_ADMIN, [["admin.opened"]]);
  assert.equal(lists.isOpen(), true);
});

Deno.test("command stop: a state file that cannot be written is reported", async () => {
  using core = makeCore();
  const { lists } = core.deps;
  Deno.removeSync(lists.files.start);
  Deno.mkdirSync(lists.files.start); // a folder where the file should be: the rename fails
  const effects = await runCommand(core, XMPP_ADMIN, "!stop");
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [["admin.file_error", {
    file: lists.files.start,
  }]]);
});

// --- alistu, alistb ---------------------------------------------------------------------------

Deno.test("command alistu: active users with their app, newest first", async () => {
  using core = makeCore();
  const empty = await runCommand(core, XMPP_ADMIN, "!alistu");
  assertNotice(core.deps, empty[0], XMPP_ADMIN, [["admin.users_empty"]]);
  const t0 = core.clock.now;
  seedUser(core, BOB, t0 - 3 * DAY);
  seedUser(core, ALICE, t0 - DAY);
  seedUser(core, xmpp("gone@jabber.example"), t0);
  core.deps.store.users.revoke(1, "gone@jabber.example", t0);
  const effects = await runCommand(core, FEDI_ADMIN, "!alistu");
  assert.ok(effects[0]?.kind === "notice");
  const item = (account: string, app: string, date: string) =>
    core.deps.i18n.t("en", "admin.user_item", { account, app, date });
  assert.equal(
    effects[0].text,
    listText(core, "admin.users", [
      item("@alice@remote.example", "Mastodon", "2026-11-24"),
      item("xmpp:bob@jabber.example", "XMPP", "2026-11-22"),
    ]),
  );
});

Deno.test("command alistb: the bridge-wide blocklist, newest first", async () => {
  using core = makeCore();
  const empty = await runCommand(core, XMPP_ADMIN, "!alistb");
  assertNotice(core.deps, empty[0], XMPP_ADMIN, [["admin.blocks_empty"]]);
  const { store } = core.deps;
  store.bridgeBlocks.add(SPAM.network, SPAM.address, core.clock.now - DAY);
  store.bridgeBlocks.add(BOB.network, BOB.address, core.clock.now);
  const effects = await runCommand(core, XMPP_ADMIN, "!alistb");
  assert.ok(effects[0]?.kind === "notice");
  const item = (item: string, date: string) =>
    core.deps.i18n.t("en", "common.item_since", { item, date });
  assert.equal(
    effects[0].text,
    listText(core, "admin.blocks", [
      item("xmpp:bob@jabber.example", "2026-11-25"),
      item("@spam@bad.example", "2026-11-24"),
    ]),
  );
});

// --- ablock, aunblock -------------------------------------------------------------------------

Deno.test("command ablock: blocks and unregisters accounts of the other network", async () => {
  using core = makeCore();
  seedUser(core, SPAM);
  seedUser(core, BOB);
  const { store } = core.deps;
  store.blocks.add(SPAM.network, SPAM.address, BOB.address, core.clock.now);
  const effects = await runCommand(
    core,
    XMPP_ADMIN,
    "!ablock @spam@bad.example @other@bad.example @admin@social.test xmpp:bob@jabber.example",
  );
  // The contact change of the unregistered account, then the answer.
  assertContact(effects[0], SPAM, "unfollow", "id-spam@bad.example");
  assertNotice(core.deps, effects[1], XMPP_ADMIN, [
    ["admin.blocked", { accounts: "@spam@bad.example, @other@bad.example" }],
    ["admin.cannot_block", { accounts: "@admin@social.test" }],
    ["admin.unregistered", { accounts: "@spam@bad.example" }],
    ["common.own_network", { accounts: "xmpp:bob@jabber.example" }],
  ]);
  assert.equal(effects.length, 2);
  assert.equal(store.bridgeBlocks.has(SPAM.network, SPAM.address), true);
  assert.equal(store.bridgeBlocks.has(0, "other@bad.example"), true);
  assert.equal(store.bridgeBlocks.has(0, "admin@social.test"), false);
  assert.equal(store.bridgeBlocks.has(BOB.network, BOB.address), false);
  assert.notEqual(userOf(core, SPAM)?.revokedAt, null);
  assert.deepEqual(store.blocks.list(SPAM.network, SPAM.address), []);
  assert.equal(userOf(core, BOB)?.revokedAt, null);

  const again = await runCommand(core, XMPP_ADMIN, "!ablock @spam@bad.example");
  assertNotice(core.deps, again[0], XMPP_ADMIN, [["admin.already_blocked", {
    accounts: "@spam@bad.example",
  }]]);
});

Deno.test("command ablock: a Fediverse admin blocks XMPP accounts, never an admin", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  const effects = await runCommand(
    core,
    FEDI_ADMIN,
    "!ablock xmpp:bob@jabber.example xmpp:Second@chat.test",
  );
  assertContact(effects[0], BOB, "remove");
  assertNotice(core.deps, effects[1], FEDI_ADMIN, [
    ["admin.blocked", { accounts: "xmpp:bob@jabber.example" }],
    ["admin.cannot_block", { accounts: "xmpp:second@chat.test" }],
    ["admin.unregistered", { accounts: "xmpp:bob@jabber.example" }],
  ]);
  assert.equal(core.deps.store.bridgeBlocks.has(1, "second@chat.test"), false);
});

Deno.test("command ablock: the bots cannot be blocked", () => {
  // The parser never lists a bot as a recipient; the handler refuses one all the same.
  using core = makeCore();
  const turn = new Turn(core.deps, XMPP_ADMIN, null);
  const body = "!ablock @x@bad.example";
  const parsed = { ...parse(core.deps, XMPP_ADMIN, body), fediRecipients: ["bridge@social.test"] };
  const answer = new Answer(turn);
  const ctx: CommandContext = {
    turn,
    command: parsed.commands[0]!,
    parsed,
    inbound: messageOf(XMPP_ADMIN, body),
    answer,
  };
  turn.commit(() => {
    admin.ablock(ctx);
    answer.send();
  });
  assertNotice(core.deps, core.emitted[0], XMPP_ADMIN, [["admin.cannot_block", {
    accounts: "@bridge@social.test",
  }]]);
  assert.deepEqual(core.deps.store.bridgeBlocks.list(), []);
});

Deno.test("command ablock/aunblock: usage without an account", async () => {
  using core = makeCore();
  const block = await runCommand(core, XMPP_ADMIN, "!ablock");
  assertNotice(core.deps, block[0], XMPP_ADMIN, [["admin.block_usage", {
    example: "!ablock @name@server.example",
  }]]);
  const unblock = await runCommand(core, FEDI_ADMIN, "!aunblock");
  assertNotice(core.deps, unblock[0], FEDI_ADMIN, [["admin.unblock_usage", {
    example: "!aunblock xmpp:name@server.example",
  }]]);
});

Deno.test("command aunblock: lifts bridge-wide blocks", async () => {
  using core = makeCore();
  const { store } = core.deps;
  store.bridgeBlocks.add(SPAM.network, SPAM.address, core.clock.now);
  const effects = await runCommand(core, XMPP_ADMIN, "!aunblock @spam@bad.example @x@bad.example");
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [
    ["admin.unblocked", { accounts: "@spam@bad.example" }],
    ["admin.not_blocked", { accounts: "@x@bad.example" }],
  ]);
  assert.deepEqual(store.bridgeBlocks.list(), []);
});

// --- ahelp, status ----------------------------------------------------------------------------

Deno.test("command ahelp: admin commands and the admin help link", async () => {
  using core = makeCore();
  const effects = await runCommand(core, XMPP_ADMIN, "!ahelp");
  const words = Object.fromEntries(
    [
      "start",
      "stop",
      "open",
      "close",
      "alistu",
      "alistb",
      "ablock",
      "aunblock",
      "addred",
      "delred",
      "listred",
      "addgreen",
      "delgreen",
      "listgreen",
      "status",
    ].map((w) => [w, `!${w}`]),
  );
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [
    ["admin.help", { ...words, example: "!ablock @name@server.example" }],
    ["admin.help_more", { url: "https://help.test/admin/en" }],
  ]);
});

Deno.test("command status: version, sending, registrations and cap, greenlist mode", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  const effects = await runCommand(core, XMPP_ADMIN, "!status");
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [
    ["admin.status_version", { version: "0.0.0-test" }],
    ["admin.status_sending_on"],
    ["admin.status_open"],
    ["admin.status_users_max", { count: 1, max: 100 }],
    ["admin.status_greenlist_off"],
  ]);
  core.deps.lists.setSending(false);
  core.deps.lists.setOpen(false);
  const deps = {
    ...core.deps,
    config: { ...core.config, greenlistMode: true, maxRegUsers: 0 },
  };
  const later = await runCommand(core, XMPP_ADMIN, "!status", deps);
  assertNotice(core.deps, later[0], XMPP_ADMIN, [
    ["admin.status_version", { version: "0.0.0-test" }],
    ["admin.status_sending_off"],
    ["admin.status_closed"],
    ["admin.status_users", { count: 1 }],
    ["admin.status_greenlist_on"],
  ]);
});

Deno.test("command status: the Fediverse notification counts, once the Fediverse bot kept any", async () => {
  using core = makeCore();
  writeInletCounts(core.deps.store, {
    handled: 97,
    ignored: 2,
    duplicates: 5,
    recovered: 9,
    failed: 1,
    givenUp: 0,
    since: Date.UTC(2026, 0, 2),
  });
  const effects = await runCommand(core, XMPP_ADMIN, "!status");
  assertNotice(core.deps, effects[0], XMPP_ADMIN, [
    ["admin.status_version", { version: "0.0.0-test" }],
    ["admin.status_sending_on"],
    ["admin.status_open"],
    ["admin.status_users_max", { count: 0, max: 100 }],
    ["admin.status_greenlist_off"],
    ["admin.status_fedi_notifications", {
      since: "2026-01-02",
      handled: 97,
      ignored: 2,
      duplicates: 5,
      recovered: 9,
      failed: 1,
      gaveup: 0,
    }],
  ]);
});
