/**
 * Hostile input (issue 12, item 6): a Fediverse answer that must wait for the send it answers
 * waits in its sender's own lane, not in the one serial way in for notifications, and a given-up
 * delivery no longer leaves its recipient "in flight" for good.
 */
import assert from "node:assert/strict";
import { logger } from "../log.ts";
import { NotificationInlet, type Outcome } from "../fedi/inbound.ts";
import { fakeNotification, fakeStatus } from "../../tests/support/fedi_fakes.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";
import { Outbox } from "../outbox/outbox.ts";
import { Core } from "./engine.ts";
import { makeCore, type TestCore } from "../../tests/support/core.ts";
import { type Account, type Effect, FEDI, XMPP } from "./types.ts";
import type { Inbound } from "./types.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };
const BOB: Account = { network: FEDI, address: "bob@social.test" };
const CAROL: Account = { network: FEDI, address: "carol@social.test" };

/** Alice's message to Bob, the send that Bob's answers wait for. */
const ALICE_TO_BOB = {
  kind: "message",
  from: ALICE,
  id: "stanza-1",
  text: "@bob@social.test are you there?",
  inReplyTo: null,
  lang: null,
  extras: null,
} as const;

/** Bob's status `id` answering the status `inReplyTo`, as the inlet hands it to the core. */
function fromBob(id: string, text: string, inReplyTo: string): Inbound {
  return { kind: "message", from: BOB, id, text, inReplyTo, lang: null, extras: null };
}

/** A `nextSettled` the test answers by hand: no timer, no sleep. */
class Settles {
  readonly waits: number[] = [];
  #pending: ((settled: boolean) => void)[] = [];
  #onWait: (() => void)[] = [];

  readonly nextSettled = (ms: number): Promise<boolean> => {
    this.waits.push(ms);
    for (const f of this.#onWait.splice(0)) f();
    return new Promise((resolve) => this.#pending.push(resolve));
  };

  /** Resolves once something waits. */
  waiting(): Promise<void> {
    if (this.#pending.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#onWait.push(resolve));
  }

  /** Settles every wait so far. */
  settle(value: boolean): void {
    for (const resolve of this.#pending.splice(0)) resolve(value);
  }
}

/** Bob and Carol (Fediverse) and Alice (XMPP) registered; Alice's status to Bob not posted yet. */
async function world(core: TestCore): Promise<number> {
  core.fedi.add(BOB.address, { id: "77" });
  core.fedi.add(CAROL.address, { id: "78" });
  const plain = new Core(core.deps);
  await plain.handle({ kind: "follow", from: BOB, accountId: "77", request: false });
  await plain.handle({ kind: "follow", from: CAROL, accountId: "78", request: false });
  await plain.handle({ kind: "subscribe", from: ALICE });
  await plain.handle(ALICE_TO_BOB);
  const record = core.deps.store.conversations.lastReceivedBy(FEDI, BOB.address)!;
  assert.equal(record.postedId, null, "Alice's status to Bob is still being posted");
  core.emitted.length = 0;
  return record.id;
}

function mention(id: string, from: { id: string; acct: string }, text: string, reply: string) {
  return fakeNotification(
    id,
    "mention",
    from,
    fakeStatus({ id: `status-${id}`, content: `<p>${text}</p>`, inReplyToId: reply }),
  );
}

/** The notification inlet in front of `engine`; the outcomes it reports go to `outcomes`. */
function inletFor(core: TestCore, engine: Core, outcomes: [string, Outcome][]): NotificationInlet {
  const inlet = new NotificationInlet({
    core: engine,
    store: core.deps.store,
    timers: new ManualClock(core.clock.now),
    log: logger("fedi", "test"),
    context: () => ({ apInstance: "social.test", botId: "1", botAddress: "bridge@social.test" }),
    onOutcome: (id, _type, outcome) => outcomes.push([id, outcome]),
  });
  inlet.setMarker("0");
  return inlet;
}

function deliveries(core: TestCore): Extract<Effect, { kind: "deliver" }>[] {
  return core.emitted.filter((e) => e.kind === "deliver");
}

Deno.test("a reply waiting for a pending send does not hold up another user's message", async () => {
  using core = makeCore();
  const recordId = await world(core);
  const settles = new Settles();
  const engine = new Core({ ...core.deps, nextSettled: settles.nextSettled });
  const outcomes: [string, Outcome][] = [];
  const inlet = inletFor(core, engine, outcomes);

  // Bob answers Alice's status before its id is known; Carol writes to Alice meanwhile.
  inlet.push(mention("100", { id: "77", acct: "bob" }, "yes I am", "status-9"));
  inlet.push(mention("101", { id: "78", acct: "carol" }, "xmpp:alice@chat.test hello", "status-x"));
  await settles.waiting();
  // Nothing has settled and no time passed: Carol's message is through all the same.
  await inlet.idle();
  assert.deepEqual(settles.waits, [15_000]);
  assert.deepEqual(deliveries(core).map((d) => [d.from, d.to]), [[CAROL, [ALICE]]]);
  assert.ok(core.deps.store.inbound.isHandled(FEDI, "notif:101"));
  // Bob's answer waits, unhandled: its key is not committed, so a crash now loses nothing.
  assert.equal(core.deps.store.inbound.isHandled(FEDI, "notif:100"), false);
  // The same notification again (a catch-up) while it waits is a duplicate, not a second run.
  assert.equal(
    await inlet.process(mention("100", { id: "77", acct: "bob" }, "yes", "status-9")),
    "duplicate",
  );
  // A later event of Bob's queues behind his answer, in order.
  inlet.push(
    mention("102", { id: "77", acct: "bob" }, "xmpp:alice@chat.test and again", "status-x"),
  );
  await inlet.idle();
  assert.equal(core.deps.store.inbound.isHandled(FEDI, "notif:102"), false);

  // The post settles: Bob's answer finds Alice, then his next message goes.
  core.deps.store.conversations.setPostedId(recordId, "status-9");
  settles.settle(true);
  await engine.idle();
  const all = deliveries(core);
  assert.equal(all.length, 3, JSON.stringify(core.emitted));
  assert.deepEqual(all.map((d) => [d.from, d.to, d.sourceId]), [
    [CAROL, [ALICE], "status-101"],
    [BOB, [ALICE], "status-100"],
    [BOB, [ALICE], "status-102"],
  ]);
  assert.ok(core.deps.store.inbound.isHandled(FEDI, "notif:100"));
  assert.ok(core.deps.store.inbound.isHandled(FEDI, "notif:102"));
  assert.equal(
    await engine.handle(fromBob("status-100", "yes I am", "status-9"), "notif:100"),
    false,
    "handled exactly once",
  );
  assert.equal(deliveries(core).length, 3);
  assert.ok(outcomes.some(([id, o]) => id === "101" && o === "handled"));
  await engine[Symbol.asyncDispose]();
});

Deno.test("a reply still waiting when the core stops is left unhandled for a later catch-up", async () => {
  using core = makeCore();
  const recordId = await world(core);
  const settles = new Settles();
  const engine = new Core({ ...core.deps, nextSettled: settles.nextSettled });
  const reply = fromBob("status-100", "yes I am", "status-9");
  assert.equal(await engine.handle(reply, "notif:100"), true);
  await settles.waiting();
  await engine[Symbol.asyncDispose]();
  assert.equal(deliveries(core).length, 0);
  assert.equal(core.deps.store.inbound.isHandled(FEDI, "notif:100"), false);
  // After a restart, the catch-up brings it again, and this time it goes.
  core.deps.store.conversations.setPostedId(recordId, "status-9");
  const again = new Core(core.deps);
  assert.equal(await again.handle(reply, "notif:100"), true);
  assert.equal(deliveries(core).length, 1);
});

Deno.test("a given-up delivery clears its in-flight mark: the next reply is not held", async () => {
  using core = makeCore();
  const { store } = core.deps;
  const outbox = new Outbox({
    store,
    i18n: core.deps.i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  const plain = new Core({ ...core.deps, emit: (effects) => outbox.enqueue(effects) });
  core.fedi.add(BOB.address, { id: "77" });
  await plain.handle({ kind: "follow", from: BOB, accountId: "77", request: false });
  await plain.handle({ kind: "subscribe", from: ALICE });
  await plain.handle(ALICE_TO_BOB);
  // The status to Bob is given up (his server refused it for good).
  const row = store.outbox.due(FEDI, core.clock.now).find((r) =>
    r.lane === `from:${ALICE.address}`
  )!;
  outbox.settleGivenUp(row, JSON.parse(row.payload), "422");

  // A wait, were there one, would time out at once: the test only counts them.
  const waits: number[] = [];
  const engine = new Core({
    ...core.deps,
    emit: (effects) => outbox.enqueue(effects),
    nextSettled: (ms) => {
      waits.push(ms);
      return Promise.resolve(false);
    },
  });
  // Bob answers some older status of Alice's: nothing is in flight to him, nothing to wait for.
  await engine.handle(fromBob("status-200", "hello?", "status-1"), "notif:200");
  await engine.idle();
  assert.deepEqual(waits, [], "the answer did not wait for a send that never comes");
  assert.ok(store.inbound.isHandled(FEDI, "notif:200"), "handled at once");
});
