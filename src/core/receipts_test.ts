import assert from "node:assert/strict";
import { Core } from "./engine.ts";
import { ALICE, BOB, t, world } from "../../tests/support/sending.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { DAY, runCommand, text, XMPP_ADMIN } from "../../tests/support/commands.ts";
import type { Params } from "../i18n/mod.ts";
import type { Effect, ReceiptRequest } from "./types.ts";

const FULL = "alice@chat.test/phone";

/** Hands an XMPP chat message with a receipt request to the core; returns what it emitted. */
async function chat(core: TestCore, text: string, id: string): Promise<Effect[]> {
  const before = core.emitted.length;
  const receipt: ReceiptRequest = { jid: FULL, id };
  await new Core(core.deps).handle(
    { kind: "message", from: ALICE, id, text, inReplyTo: null, lang: null, extras: null, receipt },
    `xmpp:${ALICE.address}:${id}`,
  );
  return core.emitted.slice(before);
}

Deno.test("a carried message's receipt rides on its delivery, not sent before it", async () => {
  using core = world();
  const effects = await chat(core, `@${BOB.address} hello Bob`, "m1");
  const deliver = effects.find((e) => e.kind === "deliver");
  assert.ok(deliver?.kind === "deliver");
  assert.deepEqual(deliver.receipt, { jid: FULL, id: "m1" });
  assert.equal(effects.filter((e) => e.kind === "receipt").length, 0, "no receipt yet");
});

Deno.test("a command is confirmed at once, with its answer", async () => {
  using core = world();
  const effects = await chat(core, "!help", "c1");
  assert.ok(effects.some((e) => e.kind === "notice"), "the help answer");
  assert.deepEqual(effects.filter((e) => e.kind === "receipt"), [
    { kind: "receipt", to: ALICE, request: { jid: FULL, id: "c1" } },
  ]);
});

Deno.test("a refused message gets no receipt: the answer explains instead", async () => {
  using core = world();
  for (const [text, id] of [["hello nobody", "r1"], ["!nosuchcommand", "r2"]] as const) {
    const effects = await chat(core, text, id);
    assert.ok(effects.some((e) => e.kind === "notice"), `an explanation for ${text}`);
    assert.equal(effects.some((e) => e.kind === "receipt" || e.kind === "deliver"), false, text);
  }
  // A recipient who is not registered: told, nothing carried, nothing confirmed.
  const effects = await chat(core, "@nobody@social.test hi", "r3");
  assert.equal(effects.some((e) => e.kind === "receipt" || e.kind === "deliver"), false);
});

Deno.test("a message without a request gets no receipt", async () => {
  using core = world();
  await new Core(core.deps).handle({
    kind: "message",
    from: ALICE,
    id: "n1",
    text: "!help",
    inReplyTo: null,
    lang: null,
    extras: null,
  }, "xmpp:alice@chat.test:n1");
  assert.equal(core.emitted.some((e) => e.kind === "receipt"), false);
  assert.ok(core.emitted.some((e) => e.kind === "notice"));
});

Deno.test("an encrypted message is explained at most once an hour per sender", async () => {
  using core = world();
  const engine = new Core(core.deps);
  const explanation = `${t(core, "encryption.unreadable")}\n${t(core, "help.privacy")}`;
  const encrypted = (key: string) =>
    engine.handle({ kind: "encrypted", from: ALICE }, `xmpp:${ALICE.address}:${key}`);
  await encrypted("e1");
  assert.deepEqual(core.emitted, [
    { kind: "notice", to: ALICE, text: explanation, inReplyTo: null },
  ]);
  core.clock.now += 59 * 60_000;
  await encrypted("e2");
  assert.equal(core.emitted.length, 1, "not again within the hour");
  // Another sender is told on their own.
  const dave = { network: ALICE.network, address: "dave@chat.test" };
  await engine.handle({ kind: "encrypted", from: dave }, "xmpp:dave@chat.test:e3");
  assert.equal(core.emitted.length, 2);
  core.clock.now += 2 * 60_000;
  await encrypted("e4");
  assert.equal(core.emitted.length, 3, "told again after the hour");
  // Never carried, never confirmed; a repeat of a handled stanza is a duplicate.
  assert.equal(core.emitted.some((e) => e.kind !== "notice"), false);
  assert.equal(await encrypted("e4"), false);
});

Deno.test("!status shows the share of deliveries to XMPP users that were confirmed", async () => {
  using core = makeCore();
  const { store } = core.deps;
  const before = await runCommand(core, XMPP_ADMIN, "!status");
  assert.ok(before[0]?.kind === "notice");
  const line = (params: Params) => text(core.deps, "en", "admin.status_receipts", params);
  assert.ok(!before[0].text.includes(line({ days: 7, confirmed: 0, sent: 0, percent: 0 })));
  const now = core.clock.now;
  for (
    const [recipient, id] of [["a@chat.test", "m1"], ["a@chat.test", "m2"], ["b@chat.test", "m4"]]
  ) {
    const record = { recipientType: ALICE.network, sender: BOB.address, sourceId: "s", at: now };
    store.conversations.record({ ...record, recipient: recipient!, postedId: id! });
  }
  store.receipts.expect("a@chat.test", "m1", now - 8 * DAY); // outside the window
  store.receipts.expect("a@chat.test", "m2", now - DAY);
  store.receipts.expect("b@chat.test", "m3", now - 60_000);
  store.receipts.expect("b@chat.test", "m4", now);
  store.receipts.confirm("a@chat.test", "m1", now);
  store.receipts.confirm("a@chat.test", "m2", now);
  store.receipts.confirm("b@chat.test", "m4", now);
  const effects = await runCommand(core, XMPP_ADMIN, "!status");
  assert.ok(effects[0]?.kind === "notice");
  assert.ok(
    effects[0].text.includes(line({ days: 7, confirmed: 2, sent: 3, percent: 67 })),
    effects[0].text,
  );
});
