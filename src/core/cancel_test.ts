/**
 * Hostile input (issue 12, item 9): `!block`, `!ablock`, `!addred` and `!unregister` also
 * cancel the deliveries still queued that they now forbid, and tell the senders still on the
 * bridge where a notice is due.
 */
import assert from "node:assert/strict";
import { Outbox } from "../outbox/outbox.ts";
import { OUTBOX_GIVEN_UP } from "../store/mod.ts";
import { chatMaker } from "../../tests/support/commands.ts";
import { Core } from "./engine.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { type Account, type AccountType, type Effect, FEDI, XMPP } from "./types.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };
const DAVE: Account = { network: XMPP, address: "dave@evil.example" };
const BOB: Account = { network: FEDI, address: "bob@social.test" };
const CAROL: Account = { network: FEDI, address: "carol@social.test" };
const XMPP_ADMIN: Account = { network: XMPP, address: "admin@chat.test" };
const FEDI_ADMIN: Account = { network: FEDI, address: "admin@social.test" };

type Deliver = Extract<Effect, { kind: "deliver" }>;

const message = chatMaker();

/** A core whose effects land in a real outbox table (nothing sends them: they stay queued). */
async function setup(core: TestCore): Promise<Core> {
  const outbox = new Outbox({
    store: core.deps.store,
    i18n: core.deps.i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  const engine = new Core({
    ...core.deps,
    emit: (effects) => {
      core.emitted.push(...effects);
      outbox.enqueue(effects);
    },
  });
  core.fedi.add(BOB.address, { id: "77" });
  core.fedi.add(CAROL.address, { id: "78" });
  await engine.handle({ kind: "follow", from: BOB, accountId: "77", request: false });
  await engine.handle({ kind: "follow", from: CAROL, accountId: "78", request: false });
  await engine.handle({ kind: "subscribe", from: ALICE });
  return engine;
}

/** The deliveries still queued on `network`, with their row ids. */
function queued(core: TestCore, network: AccountType): (Deliver & { row: number })[] {
  return core.deps.store.outbox.pendingContaining(network, "")
    .map((r) => ({ ...(JSON.parse(r.payload) as Effect), row: r.id }))
    .filter((e): e is Deliver & { row: number } => e.kind === "deliver");
}

function notices(core: TestCore, to: Account): string[] {
  return core.emitted.filter((e) =>
    e.kind === "notice" && e.to.network === to.network && e.to.address === to.address
  ).map((e) => e.kind === "notice" ? e.text : "");
}

function cancelledText(core: TestCore, recipients: string): string {
  return core.deps.i18n.t("en", "outbox.cancelled", { recipients });
}

Deno.test("a personal block cancels what is queued between the two, both ways, telling nobody", async () => {
  using core = makeCore();
  const engine = await setup(core);
  await engine.handle(message(BOB, "xmpp:alice@chat.test are you there?"));
  await engine.handle(message(ALICE, "@bob@social.test and you?"));
  await engine.handle(message(CAROL, "xmpp:alice@chat.test hello"));
  assert.equal(queued(core, XMPP).length, 2);
  assert.equal(queued(core, FEDI).length, 1);
  const bobToAlice = queued(core, XMPP).find((d) => d.from.address === BOB.address)!;
  core.emitted.length = 0;

  await engine.handle(message(ALICE, "!block @bob@social.test"));
  assert.deepEqual(
    queued(core, XMPP).map((d) => d.from),
    [CAROL],
    "only Carol's message still goes",
  );
  assert.deepEqual(queued(core, FEDI), [], "Alice's own message to Bob is dropped");
  assert.equal(core.deps.store.outbox.get(bobToAlice.row)?.state, OUTBOX_GIVEN_UP);
  // Nobody is told: not Bob (a block is silent), not Alice (she asked for it).
  assert.deepEqual(notices(core, BOB), []);
  assert.ok(!notices(core, ALICE).includes(cancelledText(core, "@bob@social.test")));
  assert.equal(notices(core, ALICE).length, 1, "only the answer to the command");
});

Deno.test("an admin block cancels what is queued from and to the account; senders still here are told", async () => {
  using core = makeCore();
  const engine = await setup(core);
  // One status for Bob and Carol, which names Bob again in its text.
  await engine.handle(
    message(ALICE, "@bob@social.test @carol@social.test hi both, @bob@social.test first"),
  );
  await engine.handle(message(BOB, "xmpp:alice@chat.test spam"));
  const [both] = queued(core, FEDI);
  assert.deepEqual(both!.to, [BOB, CAROL]);
  core.emitted.length = 0;

  await engine.handle(message(XMPP_ADMIN, "!ablock @bob@social.test"));
  // Bob's message to Alice is gone; Alice's status goes to Carol only, Bob's mention inert.
  assert.deepEqual(queued(core, XMPP), []);
  const [carolOnly] = queued(core, FEDI);
  assert.equal(carolOnly!.row, both!.row);
  assert.deepEqual(carolOnly!.to, [CAROL]);
  assert.equal(carolOnly!.records.length, 1);
  assert.ok(carolOnly!.text.startsWith("@carol@social.test "), carolOnly!.text);
  assert.ok(!/(^|[^\w])@bob@social\.test/.test(carolOnly!.text), carolOnly!.text);
  assert.ok(carolOnly!.text.includes("@\u200Bbob@social.test first"), carolOnly!.text);
  // Alice is told Bob will not get it; Bob, blocked, is told nothing of his own message.
  assert.deepEqual(notices(core, ALICE), [cancelledText(core, "@bob@social.test")]);
  assert.deepEqual(notices(core, BOB), []);
});

Deno.test("red-listing a domain cancels what is queued from and to it, registered or not", async () => {
  using core = makeCore();
  const engine = await setup(core);
  // Dave (XMPP, evil.example) never registered: a Fediverse user may still write to him.
  await engine.handle(message(BOB, "xmpp:dave@evil.example hello"));
  await engine.handle(message(BOB, "xmpp:alice@chat.test hello"));
  assert.equal(queued(core, XMPP).length, 2);
  core.emitted.length = 0;

  await engine.handle(message(FEDI_ADMIN, "!addred evil.example"));
  assert.deepEqual(queued(core, XMPP).map((d) => d.to), [[ALICE]]);
  assert.deepEqual(notices(core, BOB), [cancelledText(core, "xmpp:dave@evil.example")]);
  assert.deepEqual(core.deps.store.outbox.pendingContaining(XMPP, DAVE.address), []);
});

Deno.test("unregistering cancels what is queued from and to the user; the others are told", async () => {
  using core = makeCore();
  const engine = await setup(core);
  await engine.handle(message(ALICE, "@bob@social.test see you"));
  await engine.handle(message(BOB, "xmpp:alice@chat.test bye"));
  core.emitted.length = 0;

  await engine.handle(message(BOB, "!unregister"));
  assert.deepEqual(queued(core, FEDI), []);
  assert.deepEqual(queued(core, XMPP), []);
  assert.deepEqual(notices(core, ALICE), [cancelledText(core, "@bob@social.test")]);
  // Bob gets the answer to his command, and nothing about his own message.
  assert.equal(notices(core, BOB).length, 1);
  assert.ok(!notices(core, BOB)[0]!.includes("alice"));
});

Deno.test("a thread queued for two loses the blocked recipient's mention in every part", async () => {
  using core = makeCore("max-char-per-post: 120\nmax-parts: 10\n");
  const engine = await setup(core);
  await engine.handle(message(ALICE, `@bob@social.test @carol@social.test ${"word ".repeat(60)}`));
  const [both] = queued(core, FEDI);
  assert.ok((both!.parts?.length ?? 0) > 1, "a thread");
  for (const part of both!.parts!) {
    assert.ok(part.startsWith("@bob@social.test @carol@social.test"));
  }

  await engine.handle(message(XMPP_ADMIN, "!ablock @bob@social.test"));
  const [carolOnly] = queued(core, FEDI);
  assert.equal(carolOnly!.parts?.length, both!.parts!.length);
  for (const part of carolOnly!.parts!) {
    assert.ok(part.startsWith("@carol@social.test "), part);
    assert.ok(!/(^|[^\w])@bob@social\.test/.test(part), part);
  }
});
