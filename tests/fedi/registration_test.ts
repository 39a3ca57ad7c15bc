/** Follows and follow requests reach the core, and its answers reach the server. */
import assert from "node:assert/strict";
import { FEDI } from "../../src/core/types.ts";
import { FediApi } from "../../src/fedi/api.ts";
import { META } from "../../src/fedi/meta_keys.ts";
import { FediStartupError, readServerLimits, verifyIdentity } from "../../src/fedi/server_info.ts";
import { systemClock } from "../../src/time/clock.ts";
import { BOT_ADDRESS, makeHarness, notificationsUntil } from "./support.ts";

Deno.test("start-up stores the server's limits and domain blocks", async () => {
  await using h = await makeHarness();
  h.server.setMaxCharacters(777);
  h.server.setDomainBlocks([{ domain: "Spam.Example" }, { domain: "evil.example" }]);
  await h.bot.start();
  assert.equal(h.store.meta.get(META.maxCharacters), "777");
  assert.equal(h.store.meta.get(META.urlChars), "23");
  assert.deepEqual(JSON.parse(h.store.meta.get(META.domainBlocks)!), [
    "evil.example",
    "spam.example",
  ]);
  assert.deepEqual(h.deps.fediLimits(), { maxCharacters: 777, charactersReservedPerUrl: 23 });
  assert.equal(h.bot.identity?.address, BOT_ADDRESS);
  // No notification yet: the marker starts before any.
  assert.equal(h.store.meta.get(META.lastNotificationId), "0");
});

Deno.test("hidden domain blocks are no error and leave no list", async () => {
  await using h = await makeHarness();
  h.server.setDomainBlocks([{ domain: "spam.example" }], "hidden");
  await h.bot.start();
  assert.equal(h.store.meta.get(META.domainBlocks), undefined);
});

Deno.test("a token of another account is refused with a clear error", async () => {
  await using h = await makeHarness();
  const other = h.server.createAccount({ username: "someone" });
  using api = new FediApi({
    config: { ...h.config, fediToken: other.token! },
    timers: systemClock,
  });
  await assert.rejects(verifyIdentity(api, h.config), (e: unknown) => {
    assert.ok(e instanceof FediStartupError);
    assert.match(e.message, /someone/);
    assert.match(e.message, /bridge@fedi\.test/);
    assert.doesNotMatch(e.message, new RegExp(other.token!));
    return true;
  });
});

Deno.test("a follow registers the user and the bot follows back", async () => {
  await using h = await makeHarness();
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const handled = notificationsUntil(h.bot, (s) => s.some((d) => d.type === "follow"));
  h.server.follow(alice, h.botAccount);
  const [event] = await handled;
  assert.equal(event?.outcome, "handled");
  assert.deepEqual(h.spy.calls.map((c) => c.inbound), [{
    kind: "follow",
    from: { network: FEDI, address: "alice@other.example" },
    accountId: alice.id,
    request: false,
  }]);
  const welcome = await h.server.waitForStatus(h.botAccount, (s) => s.mentions.length > 0);
  await h.queue.settled();
  assert.equal(welcome.visibility, "direct");
  assert.deepEqual(welcome.mentions, ["alice@other.example"]);
  assert.equal(h.server.relationship(h.botAccount, alice).following, true);
  assert.equal(h.server.relationship(h.botAccount, alice).showing_reblogs, false);
  const user = h.store.users.get(FEDI, "alice@other.example");
  assert.equal(user?.revokedAt, null);
  assert.equal(user?.accountId, alice.id);
  assert.equal(h.store.meta.get(META.lastNotificationId), event?.id);
});

Deno.test("a follow request to a locked bot is authorized, and rejected by a red-listed domain", async () => {
  await using h = await makeHarness({ locked: true });
  const carol = h.server.createAccount({ username: "carol", domain: "good.example" });
  const mallory = h.server.createAccount({ username: "mallory", domain: "bad.example" });
  h.lists.addRed(["bad.example"]);
  await h.bot.start();

  const both = notificationsUntil(h.bot, (s) => s.length === 2);
  h.server.follow(carol, h.botAccount);
  h.server.follow(mallory, h.botAccount);
  const seen = await both;
  assert.deepEqual(seen.map((d) => [d.type, d.outcome]), [
    ["follow_request", "handled"],
    ["follow_request", "handled"],
  ]);
  await h.server.waitUntil(() =>
    h.server.relationship(h.botAccount, carol).followed_by === true &&
    h.server.relationship(h.botAccount, mallory).requested_by === false
  );
  await h.queue.settled();
  assert.equal(h.server.relationship(h.botAccount, mallory).followed_by, false);
  assert.equal(h.server.relationship(h.botAccount, carol).following, true);
  assert.equal(h.store.users.get(FEDI, "carol@good.example")?.revokedAt, null);
  assert.equal(h.store.users.get(FEDI, "mallory@bad.example"), undefined);
  const actions = h.queue.sent.filter((s) => s.effect.kind === "contact").map((s) => [
    s.effect.kind === "contact" ? s.effect.action : "",
    s.result.ok,
  ]);
  assert.deepEqual(actions, [["authorize", true], ["follow", true], ["reject", true]]);
  // Both were told, each in a direct status.
  const told = h.server.statusesOf(h.botAccount).map((s) => [s.visibility, s.mentions]);
  assert.deepEqual(told, [
    ["direct", ["carol@good.example"]],
    ["direct", ["mallory@bad.example"]],
  ]);
});

Deno.test("the limits fall back to the v1 instance document when v2 cannot be read", async () => {
  await using h = await makeHarness();
  h.server.setMaxCharacters(1234);
  h.server.faults.serverErrorNext(1, { path: "/api/v2/instance", status: 503 });
  const limits = await readServerLimits(h.api, h.config);
  assert.deepEqual(limits, {
    maxCharacters: 1234,
    charactersReservedPerUrl: 23,
    streamingUrl: h.server.streamingUrl,
    source: "v1",
  });
  // Both unreachable: an error, so that start-up tries again (not a silent fallback).
  h.server.faults.serverErrorNext(2, { path: "/api/v", status: 502 });
  await assert.rejects(readServerLimits(h.api, h.config));
});
