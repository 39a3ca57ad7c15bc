import assert from "node:assert/strict";
import { Core, MAX_INBOUND_CHARS } from "./engine.ts";
import { makeCore } from "../../tests/support/core.ts";
import { assertNotice, fedi, messageOf, xmpp } from "../../tests/support/commands.ts";
import type { Effect } from "./types.ts";

const ALICE = xmpp("alice@chat.test");
const BOB = fedi("bob@social.test");

function notices(effects: readonly Effect[]) {
  return effects.filter((e) => e.kind === "notice");
}

Deno.test("an empty or white-space body is ignored without an answer", async () => {
  using core = makeCore();
  const engine = new Core(core.deps);
  await engine.handle(messageOf(ALICE, ""));
  await engine.handle(messageOf(ALICE, "  \n\t "));
  assert.deepEqual(core.emitted, []);
  assert.equal(core.deps.store.users.get(ALICE.network, ALICE.address), undefined);
});

Deno.test("the bots' own messages are never handled (no answer loops)", async () => {
  using core = makeCore();
  const engine = new Core(core.deps);
  await engine.handle(messageOf(fedi("bridge@social.test"), "!help"));
  await engine.handle(messageOf(xmpp("bridge@chat.test"), "!help"));
  await engine.handle({ kind: "subscribe", from: xmpp("bridge@chat.test") });
  assert.deepEqual(core.emitted, []);
});

Deno.test("two commands in one message get one explanation and nothing else", async () => {
  using core = makeCore();
  await new Core(core.deps).handle(messageOf(ALICE, "!help !register"));
  assert.equal(core.emitted.length, 1);
  assertNotice(core.deps, core.emitted[0], ALICE, [["engine.one_command", { prefix: "!" }]]);
  assert.equal(core.deps.store.users.get(ALICE.network, ALICE.address), undefined);
});

Deno.test("an unknown command word is answered as such", async () => {
  using core = makeCore();
  await new Core(core.deps).handle(messageOf(ALICE, "!frobnicate please"));
  assert.equal(core.emitted.length, 1);
  assertNotice(core.deps, core.emitted[0], ALICE, [[
    "engine.unknown_command",
    { command: "!frobnicate", help: "!help" },
  ]]);
});

Deno.test("a message over the size limit is refused, not carried", async () => {
  using core = makeCore();
  await new Core(core.deps).handle(
    messageOf(ALICE, `@bob@social.test ${"x".repeat(MAX_INBOUND_CHARS)}`),
  );
  assert.equal(core.emitted.length, 1);
  assertNotice(core.deps, core.emitted[0], ALICE, [["engine.too_long", {
    max: MAX_INBOUND_CHARS,
  }]]);
});

Deno.test("a newcomer's register with a language registers first, then keeps the language", async () => {
  using core = makeCore();
  await new Core(core.deps).handle(messageOf(ALICE, "!register !lang=en"));
  const user = core.deps.store.users.get(ALICE.network, ALICE.address);
  assert.ok(user && user.revokedAt === null);
  assert.equal(user.lang, "en");
  assert.ok(notices(core.emitted).length >= 2, "a welcome and a language confirmation");
});

Deno.test("follow, subscribe and unsubscribe reach registration", async () => {
  using core = makeCore();
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: true });
  assert.equal(core.deps.store.users.get(BOB.network, BOB.address)?.revokedAt, null);
  assert.ok(core.emitted.some((e) => e.kind === "contact" && e.action === "authorize"));

  await engine.handle({ kind: "subscribe", from: ALICE });
  assert.equal(core.deps.store.users.get(ALICE.network, ALICE.address)?.revokedAt, null);
  assert.ok(core.emitted.some((e) => e.kind === "contact" && e.action === "subscribed"));

  await engine.handle({ kind: "unsubscribe", from: ALICE });
  assert.notEqual(core.deps.store.users.get(ALICE.network, ALICE.address)?.revokedAt, null);
  assert.ok(core.emitted.some((e) => e.kind === "contact" && e.action === "remove"));
});

Deno.test("a plain message from a registered XMPP user to a Fediverse user is delivered", async () => {
  using core = makeCore();
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false });
  await engine.handle(messageOf(ALICE, "@bob@social.test hello there"));
  const deliveries = core.emitted.filter((e) => e.kind === "deliver");
  assert.equal(deliveries.length, 1);
  assert.deepEqual(deliveries[0]!.to, [BOB]);
  assert.match(deliveries[0]!.text, /hello there/);
});

Deno.test("a dedupe key makes a replayed event a no-op, recorded with its effects", async () => {
  using core = makeCore();
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  assert.equal(
    await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false }, "n1"),
    true,
  );
  const after = core.emitted.length;
  assert.ok(after > 0);
  assert.equal(
    await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false }, "n1"),
    false,
  );
  assert.equal(core.emitted.length, after, "nothing happens twice");
  assert.equal(core.deps.store.users.get(BOB.network, BOB.address)?.registrations, 1);
  // An ignored event is recorded too.
  assert.equal(await engine.handle(messageOf(ALICE, "   "), "empty"), true);
  assert.ok(core.deps.store.inbound.isHandled(ALICE.network, "empty"));
});

Deno.test("a failure between auto-registration and delivery leaves the message unhandled", async () => {
  using core = makeCore();
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false });
  // The outbox fails when the delivery is written (the registration's effects went through).
  const realEmit = core.deps.emit;
  let calls = 0;
  const deps = {
    ...core.deps,
    emit: (effects: readonly Effect[]) => {
      if (effects.some((e) => e.kind === "deliver") && calls++ === 0) throw new Error("crash");
      realEmit(effects);
    },
  };
  const flaky = new Core(deps);
  const msg = messageOf(ALICE, "@bob@social.test first words");
  await assert.rejects(() => flaky.handle(msg, "m1"), /crash/);
  assert.ok(core.deps.store.users.get(ALICE.network, ALICE.address), "registered on the way");
  assert.equal(core.deps.store.inbound.isHandled(ALICE.network, "m1"), false);
  assert.equal(await flaky.handle(msg, "m1"), true, "the replay delivers");
  assert.equal(core.emitted.filter((e) => e.kind === "deliver").length, 1);
});

Deno.test("a Fediverse answer to a status still being posted waits for it, then finds its way", async () => {
  using core = makeCore();
  const { store } = core.deps;
  core.fedi.add(BOB.address, { id: "77" });
  const engine = new Core(core.deps);
  await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false });
  await engine.handle({ kind: "subscribe", from: ALICE });
  await engine.handle(messageOf(ALICE, "@bob@social.test are you there?"));
  const record = store.conversations.lastReceivedBy(BOB.network, BOB.address)!;
  assert.equal(record.postedId, null, "the status is not posted yet");
  core.emitted.length = 0;

  let waits = 0;
  const held = new Core({
    ...core.deps,
    nextSettled: () => {
      waits++;
      // The post settles meanwhile: the outbox records the status id.
      store.conversations.setPostedId(record.id, "status-9");
      return Promise.resolve(true);
    },
  });
  await held.handle({
    ...messageOf(BOB, "@bridge@social.test yes I am"),
    id: "status-10",
    inReplyTo: "status-9",
  });
  // It waits in its sender's lane, not in the caller's queue.
  await held.idle();
  assert.equal(waits, 1);
  const deliveries = core.emitted.filter((e) => e.kind === "deliver");
  assert.equal(deliveries.length, 1, JSON.stringify(core.emitted));
  assert.deepEqual(deliveries[0]!.to, [ALICE]);
});

Deno.test("a language setting followed by text only sets the language, as the old bridge did", async () => {
  using core = makeCore();
  const engine = new Core(core.deps);
  await engine.handle(messageOf(ALICE, "!register"));
  await engine.handle(messageOf(BOB, "!register"));
  const before = core.emitted.length;
  await engine.handle(messageOf(ALICE, "!lang=en hello @bob@social.test how are you"));
  const after = core.emitted.slice(before);
  assert.equal(core.deps.store.users.get(ALICE.network, ALICE.address)?.lang, "en");
  assert.deepEqual(after.filter((e) => e.kind === "deliver"), []);
  assert.equal(after.length, 1);
  assertNotice(core.deps, after[0], ALICE, [["lang.set", { language: "en" }]]);
});
