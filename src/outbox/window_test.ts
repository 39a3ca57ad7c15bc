/**
 * The worker keeps several lanes' heads in flight, up to the sender's window, never two rows of
 * one lane; a suspect row (it may have closed the XMPP stream) goes out alone.
 */
import assert from "node:assert/strict";
import { makeCore } from "../../tests/support/core.ts";
import { type Account, type Effect, FEDI, XMPP } from "../core/types.ts";
import { OUTBOX_SENT, type OutboxRow } from "../store/mod.ts";
import { Outbox } from "./outbox.ts";
import type { NetworkSender, SendResult } from "../core/ports.ts";
import { OutboxWorker } from "./worker.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };

function deliver(from: string, text: string): Effect {
  return {
    kind: "deliver",
    to: [ALICE],
    from: { network: FEDI, address: from },
    text,
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: `src-${text}`,
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
}

/** A sender that holds every send until the test answers it. */
class HeldSender implements NetworkSender {
  readonly network = XMPP;
  readonly calls: { text: string; answer: (r: SendResult) => void; open: boolean }[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  constructor(readonly window: number) {}

  send(effect: Effect): Promise<SendResult> {
    const text = effect.kind === "deliver" ? effect.text : effect.kind;
    return new Promise((answer) => {
      this.calls.push({ text, answer, open: true });
      for (const w of this.#waiters.filter((w) => this.calls.length >= w.count)) w.resolve();
      this.#waiters = this.#waiters.filter((w) => this.calls.length < w.count);
    });
  }

  /** Resolves once `count` sends started. */
  started(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Answers the send of `text` still waiting. */
  answer(text: string, result: SendResult): void {
    const call = this.calls.find((c) => c.text === text && c.open);
    assert.ok(call !== undefined, `${text} is waiting for its answer`);
    call.open = false;
    call.answer(result);
  }

  texts(): string[] {
    return this.calls.map((c) => c.text);
  }
}

function setup() {
  const core = makeCore();
  const { store, i18n } = core.deps;
  const outbox = new Outbox({
    store,
    i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  /** Resolves at the worker's next look at the table. */
  let looked: (() => void) | null = null;
  const due = store.outbox.due.bind(store.outbox);
  store.outbox.due = (...args: Parameters<typeof due>): OutboxRow[] => {
    const rows = due(...args);
    if (args[0] === XMPP) queueMicrotask(() => looked?.());
    return rows;
  };
  const nextLook = () => new Promise<void>((resolve) => (looked = resolve));
  const enqueue = (...effects: Effect[]) => store.transaction(() => outbox.enqueue(effects));
  return { core, outbox, store, enqueue, nextLook };
}

const OK: SendResult = { ok: true, postedId: null };

Deno.test("heads of several lanes are in flight at once, up to the window, one per lane", async () => {
  const { core, outbox, store, enqueue } = setup();
  using _ = core;
  enqueue(
    deliver("a@social.test", "a1"),
    deliver("a@social.test", "a2"),
    deliver("a@social.test", "a3"),
    deliver("b@social.test", "b1"),
    deliver("c@social.test", "c1"),
    deliver("d@social.test", "d1"),
  );
  const sender = new HeldSender(3);
  await using worker = new OutboxWorker({ outbox, sender });
  worker.start();
  await sender.started(3);
  // By row id the oldest three are a1, a2, a3; a lane has only its head out.
  assert.deepEqual(sender.texts(), ["a1", "b1", "c1"]);

  sender.answer("a1", OK);
  await sender.started(4);
  // One place came free: the round of heads read first goes on with d1, and only with it.
  assert.deepEqual(sender.texts(), ["a1", "b1", "c1", "d1"]);

  // The next round has lane a's next head, and after it the one after.
  for (const text of ["b1", "c1", "d1"]) sender.answer(text, OK);
  await sender.started(5);
  assert.equal(sender.texts()[4], "a2");
  sender.answer("a2", OK);
  await sender.started(6);
  assert.equal(sender.texts()[5], "a3");
  sender.answer("a3", OK);
  await worker.stop();
  const sent = [1, 2, 3, 4, 5, 6].map((id) => store.outbox.get(id)!.state);
  assert.deepEqual(sent, Array(6).fill(OUTBOX_SENT));
});

Deno.test("a suspect row waits for the rows in flight and goes out alone", async () => {
  const { core, outbox, store, enqueue, nextLook } = setup();
  using _ = core;
  enqueue(deliver("s@social.test", "suspect"), deliver("b@social.test", "b1"));
  const sender = new HeldSender(4);
  await using worker = new OutboxWorker({ outbox, sender, random: () => 0.5 });
  worker.start();
  await sender.started(2);
  // The server closed the stream with both in flight: the first one is retried as a suspect.
  let look = nextLook();
  sender.answer("suspect", {
    ok: false,
    permanent: false,
    reason: "closed (not-well-formed)",
    suspect: true,
  });
  await look;
  const retried = store.outbox.get(1)!;
  assert.match(retried.lastError ?? "", /^\[suspect\] /);

  // Its backoff is over and a new lane has a row, while b1 is still out: neither goes.
  core.clock.now = retried.nextAt;
  look = nextLook();
  enqueue(deliver("c@social.test", "c1"));
  await look;
  assert.deepEqual(sender.texts(), ["suspect", "b1"]);

  // b1 done: the suspect goes, alone.
  sender.answer("b1", OK);
  await sender.started(3);
  assert.deepEqual(sender.texts(), ["suspect", "b1", "suspect"]);
  sender.answer("suspect", OK);
  await sender.started(4);
  assert.equal(sender.texts()[3], "c1");
  sender.answer("c1", OK);
  await worker.stop();
  assert.equal(store.outbox.get(1)!.state, OUTBOX_SENT);
});

Deno.test("a suspect stays one through other failures until it is sent", async () => {
  const { core, outbox, store, enqueue, nextLook } = setup();
  using _ = core;
  enqueue(deliver("s@social.test", "suspect"));
  const sender = new HeldSender(4);
  await using worker = new OutboxWorker({ outbox, sender, random: () => 0.5 });
  worker.start();
  await sender.started(1);
  let look = nextLook();
  sender.answer("suspect", {
    ok: false,
    permanent: false,
    reason: "closed (not-well-formed)",
    suspect: true,
  });
  await look;
  // Its next attempt finds the link down: still a suspect, to be sent alone next time.
  core.clock.now = store.outbox.get(1)!.nextAt;
  worker.wake();
  await sender.started(2);
  look = nextLook();
  sender.answer("suspect", { ok: false, permanent: false, reason: "not connected" });
  await look;
  assert.equal(store.outbox.get(1)!.lastError, "[suspect] not connected");
  assert.equal(store.outbox.retryNow(XMPP, core.clock.now), 0, "not hurried by a reconnection");
  core.clock.now = store.outbox.get(1)!.nextAt;
  worker.wake();
  await sender.started(3);
  sender.answer("suspect", OK);
  await worker.stop();
  assert.equal(store.outbox.get(1)!.state, OUTBOX_SENT);
});
