import assert from "node:assert/strict";
import {
  ALICE,
  assertContact,
  assertNotice,
  BOB,
  DAY,
  fedi,
  knowAlice,
  runRegister,
  userOf,
  WELCOME_FEDI,
  WELCOME_XMPP,
  withGerman,
} from "../../tests/support/commands.ts";
import { makeCore } from "../../tests/support/core.ts";

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
