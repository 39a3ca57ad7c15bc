import assert from "node:assert/strict";
import {
  assertContact,
  assertNotice,
  BOB,
  FEDI_ADMIN,
  listText,
  runCommand,
  seedUser,
  SPAM,
  userOf,
  xmpp,
  XMPP_ADMIN,
} from "../../tests/support/commands.ts";
import { makeCore } from "../../tests/support/core.ts";

// --- Domain lists -----------------------------------------------------------------------------

Deno.test("command addred: red-lists domains and unregisters their users", async () => {
  using core = makeCore();
  seedUser(core, SPAM);
  seedUser(core, xmpp("bot@bad.example"));
  seedUser(core, BOB);
  const effects = await runCommand(core, XMPP_ADMIN, "!addred bad.example Other.Example");
  assertContact(effects[0], SPAM, "unfollow", "id-spam@bad.example");
  assertContact(effects[1], xmpp("bot@bad.example"), "remove");
  assertNotice(core.deps, effects[2], XMPP_ADMIN, [
    ["admin.red_added", { domains: "bad.example, other.example" }],
    ["admin.unregistered", { accounts: "@spam@bad.example, xmpp:bot@bad.example" }],
  ]);
  assert.deepEqual([...core.deps.lists.red()].sort(), ["bad.example", "other.example"]);
  assert.notEqual(userOf(core, SPAM)?.revokedAt, null);
  assert.equal(userOf(core, BOB)?.revokedAt, null);
  assert.match(Deno.readTextFileSync(core.deps.lists.files.red), /bad\.example.*admin@chat\.test/);

  const again = await runCommand(core, XMPP_ADMIN, "!addred bad.example");
  assertNotice(core.deps, again[0], XMPP_ADMIN, [["admin.red_already", {
    domains: "bad.example",
  }]]);
});

Deno.test("command addred: the bots' domains are refused", async () => {
  using core = makeCore();
  seedUser(core, xmpp("carol@chat.test"));
  const effects = await runCommand(core, FEDI_ADMIN, "!addred social.test chat.test bad.example");
  assertNotice(core.deps, effects[0], FEDI_ADMIN, [
    ["admin.bot_domain", { domains: "social.test, chat.test" }],
    ["admin.red_added", { domains: "bad.example" }],
  ]);
  assert.deepEqual([...core.deps.lists.red()], ["bad.example"]);
  assert.equal(userOf(core, xmpp("carol@chat.test"))?.revokedAt, null);
  const only = await runCommand(core, FEDI_ADMIN, "!addred chat.test");
  assertNotice(core.deps, only[0], FEDI_ADMIN, [["admin.bot_domain", { domains: "chat.test" }]]);
});

Deno.test("command addred and friends: usage without a domain", async () => {
  using core = makeCore();
  for (const word of ["addred", "addgreen", "delred", "delgreen"]) {
    const effects = await runCommand(core, XMPP_ADMIN, `!${word}`);
    assertNotice(core.deps, effects[0], XMPP_ADMIN, [["admin.domains_usage", {
      example: `!${word} spam.example`,
    }]]);
  }
});

Deno.test("command addgreen/delred: change the lists, nobody unregistered", async () => {
  using core = makeCore();
  seedUser(core, BOB);
  const added = await runCommand(core, XMPP_ADMIN, "!addgreen jabber.example good.example");
  assertNotice(core.deps, added[0], XMPP_ADMIN, [["admin.green_added", {
    domains: "jabber.example, good.example",
  }]]);
  const twice = await runCommand(core, XMPP_ADMIN, "!addgreen good.example");
  assertNotice(core.deps, twice[0], XMPP_ADMIN, [["admin.green_already", {
    domains: "good.example",
  }]]);
  assert.deepEqual([...core.deps.lists.green()].sort(), ["good.example", "jabber.example"]);

  core.deps.lists.addRed(["bad.example"]);
  const removed = await runCommand(core, XMPP_ADMIN, "!delred bad.example none.example");
  assertNotice(core.deps, removed[0], XMPP_ADMIN, [
    ["admin.red_removed", { domains: "bad.example" }],
    ["admin.red_absent", { domains: "none.example" }],
  ]);
  assert.deepEqual([...core.deps.lists.red()], []);
  assert.equal(core.deps.store.users.countActive(), 1);
});

Deno.test("command delgreen: unregisters the domain's users only in greenlist mode", async () => {
  {
    using core = makeCore();
    seedUser(core, BOB);
    core.deps.lists.addGreen(["jabber.example"]);
    const effects = await runCommand(core, XMPP_ADMIN, "!delgreen jabber.example");
    assertNotice(core.deps, effects[0], XMPP_ADMIN, [["admin.green_removed", {
      domains: "jabber.example",
    }]]);
    assert.equal(userOf(core, BOB)?.revokedAt, null);
  }
  {
    using core = makeCore("greenlist-mode: true\n");
    seedUser(core, BOB);
    seedUser(core, xmpp("carol@chat.test"));
    core.deps.lists.addGreen(["jabber.example", "chat.test"]);
    const effects = await runCommand(
      core,
      FEDI_ADMIN,
      "!delgreen jabber.example chat.test no.example",
    );
    assertNotice(core.deps, effects[0], BOB, [["unreg.not_allowed", {
      domain: "jabber.example",
    }]]);
    assertContact(effects[1], BOB, "remove");
    assertNotice(core.deps, effects[2], FEDI_ADMIN, [
      ["admin.green_removed", { domains: "jabber.example, chat.test" }],
      ["admin.green_absent", { domains: "no.example" }],
      ["admin.unregistered", { accounts: "xmpp:bob@jabber.example" }],
    ]);
    assert.notEqual(userOf(core, BOB)?.revokedAt, null);
    // The bot's own domain always passes: its users stay.
    assert.equal(userOf(core, xmpp("carol@chat.test"))?.revokedAt, null);
  }
});

Deno.test("command listred/listgreen: sorted lists, or empty", async () => {
  using core = makeCore();
  const emptyRed = await runCommand(core, XMPP_ADMIN, "!listred");
  assertNotice(core.deps, emptyRed[0], XMPP_ADMIN, [["admin.red_empty"]]);
  const emptyGreen = await runCommand(core, XMPP_ADMIN, "!listgreen");
  assertNotice(core.deps, emptyGreen[0], XMPP_ADMIN, [["admin.green_empty"]]);
  core.deps.lists.addRed(["zed.example", "abc.example"]);
  core.deps.lists.addGreen(["good.example"]);
  const red = await runCommand(core, XMPP_ADMIN, "!listred");
  assert.ok(red[0]?.kind === "notice");
  assert.equal(red[0].text, listText(core, "admin.red_list", ["abc.example", "zed.example"]));
  const green = await runCommand(core, FEDI_ADMIN, "!listgreen");
  assert.ok(green[0]?.kind === "notice");
  assert.equal(green[0].text, listText(core, "admin.green_list", ["good.example"]));
});

Deno.test("command listred: a hand-edited list is read at once", async () => {
  using core = makeCore();
  Deno.writeTextFileSync(core.deps.lists.files.red, "# mine\nhand.example\n");
  const effects = await runCommand(core, XMPP_ADMIN, "!listred");
  assert.ok(effects[0]?.kind === "notice");
  assert.equal(effects[0].text, listText(core, "admin.red_list", ["hand.example"]));
});
