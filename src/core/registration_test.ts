import assert from "node:assert/strict";
import {
  assertContact,
  assertNotice,
  fedi,
  type Part,
  runRegister,
  seedUser,
  userOf,
  withGerman,
  xmpp,
} from "./commands_test_helpers.ts";
import type { registerAccount } from "./registration.ts";
import { makeCore, type TestCore } from "./test_support.ts";

const DAY = 24 * 3600_000;
const WELCOME_FEDI: Part = ["reg.welcome_fedi", { help: "!help" }];
const WELCOME_XMPP: Part = ["reg.welcome_xmpp", { help: "!help" }];
const ALICE = fedi("alice@remote.example");
const BOB = xmpp("bob@jabber.example");

/** Registers ALICE in the fake directory as an ordinary, active account. */
function knowAlice(core: TestCore, opts: Parameters<TestCore["fedi"]["add"]>[1] = {}) {
  return core.fedi.add(ALICE.address, { id: "77", now: core.clock.now, ...opts });
}

/** Asserts a refusal: one notice with `part`, then `contacts`, and no user row. */
async function assertRefused(
  core: TestCore,
  account: ReturnType<typeof fedi>,
  how: Parameters<typeof registerAccount>[1],
  part: Part,
) {
  const before = userOf(core, account);
  const { ok, effects } = await runRegister(core, account, how);
  assert.equal(ok, false);
  assertNotice(core.deps, effects[0], account, [part]);
  assert.deepEqual(userOf(core, account), before, "no state change on a refusal");
  return effects.slice(1);
}

// --- The checks, in order -----------------------------------------------------------------

Deno.test("registration: closed registrations refuse, before any lookup", async () => {
  using core = makeCore();
  knowAlice(core);
  core.deps.lists.setOpen(false);
  const rest = await assertRefused(core, ALICE, { trigger: "command" }, ["reg.closed"]);
  assert.deepEqual(rest, []);
  assert.deepEqual(core.fedi.calls, []);
  // An XMPP subscription request is answered with a refusal.
  const refused = await assertRefused(core, BOB, { trigger: "subscribe" }, ["reg.closed"]);
  assertContact(refused[0], BOB, "unsubscribed");
  // A follow request to the locked bot is rejected.
  const rejected = await assertRefused(core, ALICE, {
    trigger: "follow_request",
    accountId: "77",
  }, ["reg.closed"]);
  assertContact(rejected[0], ALICE, "reject", "77");
});

Deno.test("registration: the user cap refuses newcomers, not active users", async () => {
  using core = makeCore("max-reg-users: 1\n");
  seedUser(core, BOB);
  knowAlice(core);
  await assertRefused(core, ALICE, { trigger: "command" }, ["reg.full", { max: 1 }]);
  assert.equal(core.deps.store.users.countActive(), 1);
  const again = await runRegister(core, BOB, { trigger: "command" });
  assert.equal(again.ok, true);
  assertNotice(core.deps, again.effects[0], BOB, [
    ["reg.already", { since: "2026-11-25" }],
    ["reg.subscribe_back"],
  ]);
});

Deno.test("registration: 0 users means no cap", async () => {
  using core = makeCore("max-reg-users: 0\n");
  for (let i = 0; i < 5; i++) seedUser(core, xmpp(`u${i}@jabber.example`));
  const { ok } = await runRegister(core, BOB, { trigger: "command" });
  assert.equal(ok, true);
});

Deno.test("registration: a bridge-wide block refuses", async () => {
  using core = makeCore();
  core.deps.store.bridgeBlocks.add(BOB.network, BOB.address, core.clock.now);
  const rest = await assertRefused(core, BOB, { trigger: "subscribe" }, ["reg.blocked"]);
  assertContact(rest[0], BOB, "unsubscribed");
});

Deno.test("registration: a red-listed domain refuses; the bots' domains never are", async () => {
  using core = makeCore();
  core.deps.lists.addRed(["jabber.example", "chat.test", "social.test"]);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.red_domain", {
    domain: "jabber.example",
  }]);
  const local = xmpp("carol@chat.test");
  assert.equal((await runRegister(core, local, { trigger: "command" })).ok, true);
  const localFedi = fedi("dave@social.test");
  core.fedi.add(localFedi.address, { posts: 0 });
  assert.equal((await runRegister(core, localFedi, { trigger: "command" })).ok, true);
});

Deno.test("registration: greenlist mode admits green and bot domains only", async () => {
  using core = makeCore("greenlist-mode: true\n");
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.not_green", {
    domain: "jabber.example",
  }]);
  assert.equal((await runRegister(core, xmpp("carol@chat.test"), { trigger: "command" })).ok, true);
  core.deps.lists.addGreen(["jabber.example"]);
  assert.equal((await runRegister(core, BOB, { trigger: "command" })).ok, true);
});

Deno.test("registration: the red list wins over the green list", async () => {
  using core = makeCore("greenlist-mode: true\n");
  core.deps.lists.addGreen(["jabber.example"]);
  core.deps.lists.addRed(["jabber.example"]);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.red_domain", {
    domain: "jabber.example",
  }]);
});

Deno.test("registration: checks run in the SPEC order", async () => {
  using core = makeCore("greenlist-mode: true\nmax-reg-users: 1\n");
  seedUser(core, xmpp("other@chat.test"));
  core.deps.store.bridgeBlocks.add(BOB.network, BOB.address, core.clock.now);
  core.deps.lists.addRed(["jabber.example"]);
  core.deps.lists.setOpen(false);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.closed"]);
  core.deps.lists.setOpen(true);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.full", { max: 1 }]);
  core.deps.store.users.revoke(1, "other@chat.test", core.clock.now);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.blocked"]);
  core.deps.store.bridgeBlocks.remove(BOB.network, BOB.address);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.red_domain", {
    domain: "jabber.example",
  }]);
  core.deps.lists.delRed(["jabber.example"]);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.not_green", {
    domain: "jabber.example",
  }]);
  // Fediverse: the list checks come before the lookup.
  knowAlice(core, { bot: true });
  await assertRefused(core, ALICE, { trigger: "command" }, ["reg.not_green", {
    domain: "remote.example",
  }]);
  assert.deepEqual(core.fedi.calls, []);
});

Deno.test("registration: an account the bot's server does not know", async () => {
  using core = makeCore();
  await assertRefused(core, ALICE, { trigger: "command" }, ["reg.unknown_account", {
    server: "social.test",
  }]);
  assert.deepEqual(core.fedi.calls, ["lookup alice@remote.example"]);
});

Deno.test("registration: an unreachable server gets its own answer, no state change", async () => {
  using core = makeCore();
  knowAlice(core);
  core.fedi.failure = new Error("connection refused");
  const rest = await assertRefused(core, ALICE, {
    trigger: "follow_request",
    accountId: "77",
  }, ["reg.unreachable", { server: "social.test" }]);
  assertContact(rest[0], ALICE, "reject", "77");
});

Deno.test("registration: #nobot, #nobots, #nobridge in the profile, any case", async () => {
  for (
    const note of [
      "<p>Hi! #nobot</p>",
      "<p>#NoBots please</p>",
      '<p>Leave me alone <a href="https://remote.example/tags/nobridge" class="mention hashtag">#<span>NoBridge</span></a></p>',
    ]
  ) {
    using core = makeCore();
    knowAlice(core, { note });
    await assertRefused(core, ALICE, { trigger: "command" }, ["reg.nobot"]);
  }
  using core = makeCore();
  knowAlice(core, { note: "<p>#nobotanist and email me at x#nobot.example</p>" });
  assert.equal((await runRegister(core, ALICE, { trigger: "command" })).ok, true);
});

Deno.test("registration: bot and group accounts are refused", async () => {
  {
    using core = makeCore();
    knowAlice(core, { bot: true, group: true, note: "<p>#nobot</p>" });
    // The note is checked first.
    await assertRefused(core, ALICE, { trigger: "command" }, ["reg.nobot"]);
  }
  {
    using core = makeCore();
    knowAlice(core, { bot: true, group: true });
    await assertRefused(core, ALICE, { trigger: "command" }, ["reg.bot"]);
  }
  {
    using core = makeCore();
    knowAlice(core, { group: true });
    await assertRefused(core, ALICE, { trigger: "command" }, ["reg.group"]);
  }
});

Deno.test("registration: too few statuses in the last 30 days", async () => {
  // The test configuration asks for 2.
  using core = makeCore();
  const account = knowAlice(core, { posts: 1 });
  await assertRefused(core, ALICE, { trigger: "command" }, ["reg.inactive", {
    min: 2,
    days: 30,
  }]);
  assert.ok(core.fedi.calls.includes("statuses 77 40"), "asks for the latest 40");
  // Many statuses, but old ones do not count.
  account.statuses = Array.from({ length: 40 }, (_, i) => ({
    createdAt: core.clock.now - (31 + i) * DAY,
    language: "en",
  }));
  await assertRefused(core, ALICE, { trigger: "command" }, ["reg.inactive", {
    min: 2,
    days: 30,
  }]);
  account.statuses = Array.from({ length: 2 }, (_, i) => ({
    createdAt: core.clock.now - (29 - i) * DAY,
    language: "en",
  }));
  assert.equal((await runRegister(core, ALICE, { trigger: "command" })).ok, true);
});

Deno.test("registration: the activity check is skipped for own server, green domains, 0", async () => {
  {
    using core = makeCore();
    const local = fedi("dave@social.test");
    core.fedi.add(local.address, { posts: 0 });
    assert.equal((await runRegister(core, local, { trigger: "command" })).ok, true);
  }
  {
    using core = makeCore();
    knowAlice(core, { posts: 0 });
    core.deps.lists.addGreen(["remote.example"]);
    assert.equal((await runRegister(core, ALICE, { trigger: "command" })).ok, true);
  }
  {
    using core = makeCore();
    knowAlice(core, { posts: 0 });
    const deps = { ...core.deps, config: { ...core.config, minApActivityPosts: 0 } };
    assert.equal((await runRegister(core, ALICE, { trigger: "command" }, deps)).ok, true);
  }
});

Deno.test("registration: max-ap-registrations counts earlier registrations", async () => {
  using core = makeCore("max-ap-registrations: 2\n");
  for (let i = 0; i < 2; i++) {
    assert.equal((await runRegister(core, BOB, { trigger: "command" })).ok, true);
    core.deps.store.users.revoke(BOB.network, BOB.address, core.clock.now);
  }
  assert.equal(userOf(core, BOB)?.registrations, 2);
  await assertRefused(core, BOB, { trigger: "command" }, ["reg.too_many", { max: 2 }]);
  assert.equal(userOf(core, BOB)?.registrations, 2);
});

Deno.test("registration: max-ap-registrations 0 is no limit", async () => {
  using core = makeCore("max-ap-registrations: 0\n");
  for (let i = 0; i < 10; i++) {
    assert.equal((await runRegister(core, BOB, { trigger: "command" })).ok, true);
    core.deps.store.users.revoke(BOB.network, BOB.address, core.clock.now);
  }
  assert.equal(userOf(core, BOB)?.registrations, 10);
});

// --- Success --------------------------------------------------------------------------------

Deno.test("registration: a Fediverse user by command", async () => {
  using core = makeCore();
  knowAlice(core, { app: "mastodon" });
  const { ok, effects } = await runRegister(core, ALICE, { trigger: "command" });
  assert.equal(ok, true);
  assert.equal(effects.length, 2);
  assertNotice(core.deps, effects[0], ALICE, [WELCOME_FEDI, ["reg.follow_back"], [
    "reg.follow_me",
  ]]);
  assert.equal(effects[0]?.kind === "notice" && effects[0].inReplyTo, "msg-1");
  assertContact(effects[1], ALICE, "follow", "77");
  assert.deepEqual(userOf(core, ALICE), {
    type: 0,
    address: ALICE.address,
    registeredAt: core.clock.now,
    registrations: 1,
    lang: "en",
    revokedAt: null,
    app: "Mastodon",
    accountId: "77",
  });
  assert.ok(core.fedi.calls.includes("app remote.example"));
});

Deno.test("registration: a follow and a follow request of the bot", async () => {
  using core = makeCore();
  knowAlice(core);
  const follow = await runRegister(core, ALICE, { trigger: "follow", accountId: "77" });
  assert.equal(follow.ok, true);
  assertNotice(core.deps, follow.effects[0], ALICE, [WELCOME_FEDI, ["reg.follow_back"]]);
  assertContact(follow.effects[1], ALICE, "follow", "77");
  assert.equal(follow.effects.length, 2);

  const carol = fedi("carol@remote.example");
  core.fedi.add(carol.address, { id: "88", now: core.clock.now });
  const request = await runRegister(core, carol, { trigger: "follow_request", accountId: "88" });
  assert.equal(request.ok, true);
  assertNotice(core.deps, request.effects[0], carol, [WELCOME_FEDI, ["reg.follow_back"]]);
  assertContact(request.effects[1], carol, "authorize", "88");
  assertContact(request.effects[2], carol, "follow", "88");
  assert.equal(userOf(core, carol)?.accountId, "88");
});

Deno.test("registration: the answer follows the real follow state (issue 14)", async () => {
  // Alice already follows the bot and registers by a message: no "please follow me".
  using core = makeCore();
  knowAlice(core);
  core.fedi.relationships.set("77", { followedBy: true, following: false });
  const follower = await runRegister(core, ALICE, { trigger: "message" });
  assert.equal(follower.ok, true);
  assertNotice(core.deps, follower.effects[0], ALICE, [WELCOME_FEDI, ["reg.follow_back"]]);
  assert.ok(core.fedi.calls.includes("relationship 77"));

  // Carol follows the bot and the bot her: neither request is repeated.
  const carol = fedi("carol@remote.example");
  core.fedi.add(carol.address, { id: "88", now: core.clock.now });
  core.fedi.relationships.set("88", { followedBy: true, following: true });
  const mutual = await runRegister(core, carol, { trigger: "command" });
  assert.equal(mutual.ok, true);
  assertNotice(core.deps, mutual.effects[0], carol, [WELCOME_FEDI]);

  // Dave does not follow: he is asked to, as before.
  const dave = fedi("dave@remote.example");
  core.fedi.add(dave.address, { id: "99", now: core.clock.now });
  core.fedi.relationships.set("99", { followedBy: false, following: false });
  const stranger = await runRegister(core, dave, { trigger: "command" });
  assertNotice(core.deps, stranger.effects[0], dave, [WELCOME_FEDI, ["reg.follow_back"], [
    "reg.follow_me",
  ]]);
});

Deno.test("registration: an already registered follower is not asked to follow", async () => {
  using core = makeCore();
  knowAlice(core);
  core.fedi.relationships.set("77", { followedBy: true, following: true });
  assert.equal((await runRegister(core, ALICE, { trigger: "command" })).ok, true);
  const again = await runRegister(core, ALICE, { trigger: "command" });
  assert.equal(again.ok, true);
  const text = again.effects[0]?.kind === "notice" ? again.effects[0].text : "";
  assert.ok(!text.includes(core.deps.i18n.t("en", "reg.follow_me")), text);
  assert.ok(!text.includes(core.deps.i18n.t("en", "reg.follow_back")), text);
});

Deno.test("registration: the app label falls back to Fediverse", async () => {
  {
    using core = makeCore();
    knowAlice(core, { app: null });
    await runRegister(core, ALICE, { trigger: "command" });
    assert.equal(userOf(core, ALICE)?.app, "Fediverse");
  }
  {
    using core = makeCore();
    knowAlice(core);
    core.fedi.appName = () => Promise.reject(new Error("not allowed"));
    await runRegister(core, ALICE, { trigger: "command" });
    assert.equal(userOf(core, ALICE)?.app, "Fediverse");
  }
  {
    using core = makeCore();
    knowAlice(core, { app: "pixelfed" });
    await runRegister(core, ALICE, { trigger: "command" });
    assert.equal(userOf(core, ALICE)?.app, "Pixelfed");
  }
});

Deno.test("registration: the latest status's language, when shipped, is the user's", async () => {
  {
    using core = makeCore();
    const deps = withGerman(core);
    knowAlice(core, { lang: "de" });
    const { effects } = await runRegister(core, ALICE, { trigger: "follow" }, deps);
    assert.equal(userOf(core, ALICE)?.lang, "de");
    assertNotice(deps, effects[0], ALICE, [WELCOME_FEDI, ["reg.follow_back"]], "de");
  }
  {
    using core = makeCore();
    knowAlice(core, { lang: "tlh" });
    await runRegister(core, ALICE, { trigger: "follow" });
    assert.equal(userOf(core, ALICE)?.lang, null, "an unknown language is not stored");
  }
  {
    // The triggering message's language counts first.
    using core = makeCore();
    const deps = withGerman(core);
    knowAlice(core, { lang: "en" });
    await runRegister(core, ALICE, { trigger: "message", statusLang: "de-DE" }, deps);
    assert.equal(userOf(core, ALICE)?.lang, "de");
  }
});

Deno.test("registration: an XMPP subscription request", async () => {
  using core = makeCore();
  const { ok, effects } = await runRegister(core, BOB, { trigger: "subscribe" });
  assert.equal(ok, true);
  assert.equal(effects.length, 3);
  assertNotice(core.deps, effects[0], BOB, [WELCOME_XMPP, ["reg.subscribe_back"]]);
  assert.equal(effects[0]?.kind === "notice" && effects[0].inReplyTo, null);
  assertContact(effects[1], BOB, "subscribed");
  assertContact(effects[2], BOB, "subscribe");
  const user = userOf(core, BOB);
  assert.equal(user?.app, "XMPP");
  assert.equal(user?.accountId, null);
  assert.equal(user?.registrations, 1);
  assert.deepEqual(core.fedi.calls, [], "XMPP registrations ask nothing of the Fediverse");
});

Deno.test("registration: an XMPP user by message subscribes back only", async () => {
  using core = makeCore();
  const { effects } = await runRegister(core, BOB, { trigger: "message" });
  assert.equal(effects.length, 2);
  assertContact(effects[1], BOB, "subscribe");
});

Deno.test("registration: an XMPP registration works without a Fediverse port", async () => {
  using core = makeCore();
  const deps = { ...core.deps, fedi: null };
  assert.equal((await runRegister(core, BOB, { trigger: "command" }, deps)).ok, true);
  await assert.rejects(
    runRegister(core, ALICE, { trigger: "command" }, deps),
    /FediDirectory/,
  );
});

Deno.test("registration: an active user is told since when; nothing changes", async () => {
  using core = makeCore();
  knowAlice(core);
  await runRegister(core, ALICE, { trigger: "command" });
  const first = userOf(core, ALICE);
  core.clock.now += 3 * DAY;
  const { ok, effects } = await runRegister(core, ALICE, { trigger: "follow", accountId: "77" });
  assert.equal(ok, true);
  assertNotice(core.deps, effects[0], ALICE, [
    ["reg.already", { since: "2026-11-25" }],
    ["reg.follow_back"],
  ]);
  assertContact(effects[1], ALICE, "follow", "77");
  assert.deepEqual(userOf(core, ALICE), first);
});

Deno.test("registration: a revoked user comes back", async () => {
  using core = makeCore();
  await runRegister(core, BOB, { trigger: "command" });
  core.deps.store.users.revoke(BOB.network, BOB.address, core.clock.now);
  core.clock.now += DAY;
  const { ok, effects } = await runRegister(core, BOB, { trigger: "command" });
  assert.equal(ok, true);
  assertNotice(core.deps, effects[0], BOB, [WELCOME_XMPP, ["reg.subscribe_back"]]);
  const user = userOf(core, BOB);
  assert.equal(user?.revokedAt, null);
  assert.equal(user?.registrations, 2);
  assert.equal(user?.registeredAt, core.clock.now);
});

Deno.test("registration: a note is added to the answer", async () => {
  using core = makeCore();
  core.deps.lists.setOpen(false);
  const { effects } = await runRegister(core, BOB, { trigger: "command", note: "PS" });
  assert.equal(effects[0]?.kind === "notice" && effects[0].text.endsWith("\nPS"), true);
});
