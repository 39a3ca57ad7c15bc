import assert from "node:assert/strict";
import { makeCore } from "../../tests/support/core.ts";
import { type Account, type Effect, FEDI, XMPP } from "../core/types.ts";
import { openStore, OUTBOX_GIVEN_UP, OUTBOX_PENDING, OUTBOX_SENT } from "../store/mod.ts";
import { Outbox } from "./outbox.ts";
import type { NetworkSender, SendResult } from "../core/ports.ts";
import { backoffMs, DEFAULT_RETRY, OutboxWorker } from "./worker.ts";
import { ManualClock } from "../../tests/support/manual_clock.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };
const BOB: Account = { network: FEDI, address: "bob@social.test" };
const CAROL: Account = { network: FEDI, address: "carol@social.test" };

function deliver(from: Account, to: Account[], text: string, records: number[] = []): Effect {
  return {
    kind: "deliver",
    to,
    from,
    text,
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: `src-${text}`,
    records,
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
}

/** A sender whose answers the test scripts; every call is recorded and announced. */
class ScriptedSender implements NetworkSender {
  readonly calls: { effect: Effect; key: string }[] = [];
  readonly script: SendResult[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  constructor(readonly network: 0 | 1) {}

  send(effect: Effect, key: string): Promise<SendResult> {
    this.calls.push({ effect, key });
    for (const w of this.#waiters.filter((w) => this.calls.length >= w.count)) w.resolve();
    this.#waiters = this.#waiters.filter((w) => this.calls.length < w.count);
    const postedId = `posted-${this.calls.length}`;
    return Promise.resolve(this.script.shift() ?? { ok: true, postedId });
  }

  /** Resolves once `count` sends happened. */
  sent(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

function setup() {
  const core = makeCore();
  const outbox = new Outbox({
    store: core.deps.store,
    i18n: core.deps.i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  return { core, outbox, store: core.deps.store };
}

/** Resolves when the worker finished handling `n` attempts. */
function attempts(n: number): { onAttempt: () => void; done: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    onAttempt: () => {
      if (++count === n) queueMicrotask(resolve);
    },
    done,
  };
}

Deno.test("rows are written in the caller's transaction: a rollback leaves none", () => {
  const { core, outbox, store } = setup();
  using _ = core;
  assert.throws(() =>
    store.transaction(() => {
      outbox.enqueue([deliver(ALICE, [BOB], "one")]);
      throw new Error("the state change failed");
    })
  );
  assert.equal(store.outbox.countPending(FEDI), 0);
  store.transaction(() => outbox.enqueue([deliver(ALICE, [BOB], "one")]));
  assert.equal(store.outbox.countPending(FEDI), 1);
});

Deno.test("sent rows are closed, posted ids recorded, a confirmation queued when asked", async () => {
  const { core, outbox, store } = setup();
  using _ = core;
  const rec = store.conversations.record({
    recipientType: FEDI,
    recipient: BOB.address,
    sender: ALICE.address,
    at: core.clock.now,
    sourceId: "m1",
    postedId: null,
  });
  const effect = { ...deliver(ALICE, [BOB], "hi", [rec.id]), confirm: true } as Effect;
  store.transaction(() => outbox.enqueue([effect]));
  const sender = new ScriptedSender(FEDI);
  const watch = attempts(1);
  await using worker = new OutboxWorker({ outbox, sender, onAttempt: watch.onAttempt });
  worker.start();
  await watch.done;
  assert.equal(sender.calls.length, 1);
  assert.equal(sender.calls[0]!.key, `xapb-${outbox.keyPrefix}-1`);
  assert.match(outbox.keyPrefix, /^[0-9a-f]{12}$/);
  const again = new Outbox({ ...outbox.deps });
  assert.equal(again.keyPrefix, outbox.keyPrefix, "kept in the database");
  assert.equal(store.outbox.get(1)?.state, OUTBOX_SENT);
  assert.equal(store.conversations.findByPostedId(FEDI, "posted-1")[0]?.id, rec.id);
  const confirmation = JSON.parse(store.outbox.get(2)!.payload);
  assert.equal(confirmation.kind, "notice");
  assert.deepEqual(confirmation.to, ALICE);
  assert.equal(
    confirmation.text,
    core.deps.i18n.t("en", "outbox.delivered", { recipients: "@bob@social.test" }),
  );
});

Deno.test("a transient failure is retried with the same key after the backoff", async () => {
  const { core, outbox, store } = setup();
  using _ = core;
  store.transaction(() => outbox.enqueue([deliver(ALICE, [BOB], "hi")]));
  const sender = new ScriptedSender(FEDI);
  sender.script.push({
    ok: false,
    permanent: false,
    reason: "503",
    retryAt: core.clock.now + 5000,
  });
  const first = attempts(1);
  await using worker = new OutboxWorker({
    outbox,
    sender,
    random: () => 0.5,
    onAttempt: first.onAttempt,
  });
  worker.start();
  await first.done;
  const row = store.outbox.get(1)!;
  assert.equal(row.state, OUTBOX_PENDING);
  assert.equal(row.attempts, 1);
  assert.equal(row.nextAt, core.clock.now + 5000, "the server's reset time wins");
  worker.wake();
  assert.equal(store.outbox.due(FEDI, core.clock.now).length, 0, "not due before its time");
  core.clock.now += 5000;
  worker.wake();
  await sender.sent(2);
  const key = `xapb-${outbox.keyPrefix}-1`;
  assert.deepEqual(sender.calls.map((c) => c.key), [key, key]);
});

Deno.test("a permanent failure is given up and the sender told, in their language", async () => {
  const { core, outbox, store } = setup();
  using _ = core;
  store.transaction(() => outbox.enqueue([deliver(ALICE, [BOB, CAROL], "hi")]));
  const sender = new ScriptedSender(FEDI);
  sender.script.push({ ok: false, permanent: true, reason: "422" });
  const watch = attempts(1);
  await using worker = new OutboxWorker({ outbox, sender, onAttempt: watch.onAttempt });
  worker.start();
  await watch.done;
  const row = store.outbox.get(1)!;
  assert.equal(row.state, OUTBOX_GIVEN_UP);
  assert.equal(row.lastError, "422");
  const notice = JSON.parse(store.outbox.get(2)!.payload);
  assert.deepEqual(notice.to, ALICE);
  assert.equal(store.outbox.get(2)!.network, XMPP);
  assert.equal(
    notice.text,
    core.deps.i18n.t("en", "outbox.not_delivered", {
      recipients: "@bob@social.test, @carol@social.test",
    }),
  );
});

Deno.test("a row failing past the give-up time is closed with a notice", async () => {
  const { core, outbox, store } = setup();
  using _ = core;
  store.transaction(() => outbox.enqueue([deliver(ALICE, [BOB], "hi")]));
  core.clock.now += DEFAULT_RETRY.giveUpAfterMs;
  const sender = new ScriptedSender(FEDI);
  sender.script.push({ ok: false, permanent: false, reason: "timeout" });
  const watch = attempts(1);
  await using worker = new OutboxWorker({ outbox, sender, onAttempt: watch.onAttempt });
  worker.start();
  await watch.done;
  assert.equal(store.outbox.get(1)!.state, OUTBOX_GIVEN_UP);
  assert.equal(store.outbox.countPending(XMPP), 1, "the not-delivered notice");
});

Deno.test("one lane waits for its head; other lanes go on", async () => {
  const { core, outbox, store } = setup();
  using _ = core;
  const DAVE: Account = { network: XMPP, address: "dave@chat.test" };
  store.transaction(() =>
    outbox.enqueue([
      deliver(ALICE, [BOB], "a1"),
      deliver(ALICE, [BOB], "a2"),
      deliver(DAVE, [BOB], "d1"),
    ])
  );
  const sender = new ScriptedSender(FEDI);
  sender.script.push({ ok: false, permanent: false, reason: "busy" });
  const watch = attempts(2);
  await using worker = new OutboxWorker({ outbox, sender, onAttempt: watch.onAttempt });
  worker.start();
  await watch.done;
  const texts = sender.calls.map((c) => (c.effect as { text: string }).text);
  assert.deepEqual(texts, ["a1", "d1"], "a2 waits behind a1");
  core.clock.now += DEFAULT_RETRY.maxMs * 2;
  worker.wake();
  await sender.sent(4);
  assert.deepEqual(sender.calls.map((c) => (c.effect as { text: string }).text), [
    "a1",
    "d1",
    "a1",
    "a2",
  ]);
});

Deno.test("rows written by another process are noticed by polling", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { core } = setup();
    using _ = core;
    using mine = openStore(`${dir}/shared.db`);
    using theirs = openStore(`${dir}/shared.db`);
    const deps = { i18n: core.deps.i18n, prefixes: core.config.prefixes, now: () => 0 };
    const outbox = new Outbox({ ...deps, store: mine });
    const other = new Outbox({ ...deps, store: theirs });
    const sender = new ScriptedSender(FEDI);
    const clock = new ManualClock(0);
    await using worker = new OutboxWorker({ outbox, sender, pollMs: 20, clock });
    worker.start();
    theirs.transaction(() => other.enqueue([deliver(ALICE, [BOB], "from the other role")]));
    clock.advance(20);
    await sender.sent(1);
    assert.equal((sender.calls[0]!.effect as { text: string }).text, "from the other role");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an XMPP error bounce tells the original sender once", () => {
  const { core, outbox, store } = setup();
  using _ = core;
  store.conversations.record({
    recipientType: XMPP,
    recipient: ALICE.address,
    sender: BOB.address,
    at: core.clock.now,
    sourceId: "status-9",
    postedId: "bridge-msg-7",
  });
  assert.equal(outbox.reportBounce("unknown-id", ALICE.address), false);
  assert.equal(
    outbox.reportBounce("bridge-msg-7", "mallory@chat.test"),
    false,
    "not its recipient",
  );
  assert.equal(outbox.reportBounce("bridge-msg-7", ALICE.address), true);
  assert.equal(outbox.reportBounce("bridge-msg-7", ALICE.address), true);
  assert.equal(store.outbox.countPending(FEDI), 1);
  const notice = JSON.parse(store.outbox.get(1)!.payload);
  assert.deepEqual(notice.to, BOB);
  assert.equal(notice.inReplyTo, "status-9");
});

Deno.test("backoff doubles up to the cap, with jitter around it", () => {
  const p = { baseMs: 1000, maxMs: 8000, giveUpAfterMs: 1 };
  assert.equal(backoffMs(0, p, () => 0.5), 750);
  assert.equal(backoffMs(2, p, () => 0.5), 3000);
  assert.equal(backoffMs(10, p, () => 0.5), 6000);
  assert.equal(backoffMs(10, p, () => 0), 4000);
  assert.equal(backoffMs(10, p, () => 0.999), 7996);
});

Deno.test("when the server is back, rows waiting out a backoff go at once", async () => {
  const { core, outbox, store } = setup();
  using _ = core;
  store.transaction(() => outbox.enqueue([deliver(ALICE, [BOB], "hi")]));
  const sender = new ScriptedSender(FEDI);
  sender.script.push({ ok: false, permanent: false, reason: "down" });
  const first = attempts(1);
  await using worker = new OutboxWorker({ outbox, sender, onAttempt: first.onAttempt });
  worker.start();
  await first.done;
  assert.ok(store.outbox.get(1)!.nextAt > core.clock.now, "postponed");
  worker.retryNow();
  await sender.sent(2);
  assert.equal(sender.calls.length, 2, "retried without moving the clock");
});
