import assert from "node:assert/strict";
import { makeCore } from "../../tests/support/core.ts";
import { type Account, type Effect, FEDI, XMPP } from "../core/types.ts";
import { Outbox } from "../outbox/outbox.ts";
import type { NetworkSender, SendResult } from "../core/ports.ts";
import { OutboxWorker } from "../outbox/worker.ts";
import { OUTBOX_PENDING, OUTBOX_SENT, type OutboxRow } from "../store/mod.ts";
import { ASIDE_LANE_PREFIX, BudgetShare, POST_STATUS_CALL, UPLOAD_MEDIA_CALL } from "./share.ts";

const T0 = Date.UTC(2026, 10, 25, 12);
const MINUTE = 60_000;
const FLOODER: Account = { network: XMPP, address: "flooder@chat.test" };
const CALM: Account = { network: XMPP, address: "calm@chat.test" };
const READER: Account = { network: FEDI, address: "reader@social.test" };

function deliver(from: Account, n: number): Effect {
  return {
    kind: "deliver",
    to: [READER],
    from,
    text: `message ${n}`,
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: `src-${from.address}-${n}`,
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
}

function notice(to: Account): Effect {
  return { kind: "notice", to, text: "hello", inReplyTo: null };
}

function row(id: number, lane: string): OutboxRow {
  return {
    id,
    network: FEDI,
    lane,
    payload: "",
    createdAt: T0,
    attempts: 0,
    nextAt: T0,
    state: OUTBOX_PENDING,
    closedAt: null,
    lastError: null,
  };
}

/** Rate-limit headers as Mastodon sends them. */
function limits(limit: number, remaining: number, resetAt: number): Headers {
  return new Headers({
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": new Date(resetAt).toISOString(),
  });
}

/** A Fediverse sender that posts everything, recording whose rows it sent. */
class CountingSender implements NetworkSender {
  readonly network = FEDI;
  readonly from: string[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  send(effect: Effect): Promise<SendResult> {
    this.from.push(effect.kind === "deliver" ? effect.from.address : "?");
    for (const w of this.#waiters.filter((w) => this.from.length >= w.count)) w.resolve();
    this.#waiters = this.#waiters.filter((w) => this.from.length < w.count);
    return Promise.resolve({ ok: true, postedId: `s${this.from.length}` });
  }

  sent(count: number): Promise<void> {
    if (this.from.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  count(address: string): number {
    return this.from.filter((a) => a === address).length;
  }
}

Deno.test("one account cannot spend more than 10 % of the bot's Mastodon budget", async () => {
  using core = makeCore();
  const clock = core.clock;
  clock.now = T0;
  const store = core.deps.store;
  const outbox = new Outbox({
    store,
    i18n: core.deps.i18n,
    prefixes: core.config.prefixes,
    now: () => clock.now,
  });
  assert.equal(core.config.maxShareOfServerBudget, 10, "the default");
  const slowed: Account[] = [];
  const share = new BudgetShare({
    percent: core.config.maxShareOfServerBudget,
    now: () => clock.now,
    onSlowed: (account) => {
      slowed.push(account);
      outbox.enqueueAside(notice(account));
    },
  });
  // What Mastodon says: 300 statuses per 3 hours, 300 requests per 5 minutes.
  share.observe(POST_STATUS_CALL, limits(300, 300, T0 + 180 * MINUTE));
  share.observe("account lookup", limits(300, 300, T0 + 5 * MINUTE));

  // One account queues 40 messages, another 5.
  store.transaction(() => {
    outbox.enqueue(Array.from({ length: 40 }, (_, i) => deliver(FLOODER, i)));
    outbox.enqueue(Array.from({ length: 5 }, (_, i) => deliver(CALM, i)));
  });

  // Each postponement is an event the test can wait for.
  let waiting: (() => void) | null = null;
  const postponed = () => new Promise<void>((resolve) => (waiting = resolve));
  const sender = new CountingSender();
  const worker = new OutboxWorker({
    outbox,
    sender,
    pollMs: 5,
    admit: (r, e) => {
      const at = share.admit(r, e);
      if (at > clock.now) queueMicrotask(() => waiting?.());
      return at;
    },
  });
  let firstWait = postponed();
  worker.start();
  try {
    // Whichever comes first: the postponement, or a 36th send (which must not happen).
    await Promise.race([firstWait, sender.sent(36)]);
    await sender.sent(35);
    assert.equal(sender.count(FLOODER.address), 30, "30 = 10 % of 300");
    assert.equal(sender.count(CALM.address), 5, "the others are not held up");
    assert.deepEqual(slowed, [FLOODER], "the account is told once");
    // Delayed, not dropped: the rest waits for the end of the statuses window.
    const head = store.outbox.due(FEDI, T0 + 181 * MINUTE);
    assert.equal(head.length, 1);
    assert.equal(head[0]!.nextAt, T0 + 180 * MINUTE);
    assert.equal(head[0]!.attempts, 0, "a postponement is no failed attempt");
    assert.equal(store.outbox.countPending(FEDI), 10);
    // The slow-down notice goes to the account on its own network, in a lane of its own.
    assert.equal(store.outbox.countPending(XMPP), 1);
    assert.ok(store.outbox.due(XMPP, clock.now)[0]!.lane.startsWith(ASIDE_LANE_PREFIX));

    // A reconnection makes waiting rows due: they are postponed again, nobody told twice.
    firstWait = postponed();
    worker.retryNow();
    await firstWait;
    assert.equal(sender.from.length, 35);
    assert.equal(slowed.length, 1);

    // The window ends: the rest goes.
    clock.now = T0 + 180 * MINUTE;
    worker.wake();
    await sender.sent(45);
    while (store.outbox.countPending(FEDI) > 0) await outbox.nextSettled(10_000);
    assert.equal(sender.count(FLOODER.address), 40);
    const states = [...Array(45).keys()].map((i) => store.outbox.get(i + 1)?.state);
    assert.ok(states.every((s) => s === OUTBOX_SENT));
  } finally {
    await worker.stop();
  }
});

Deno.test("budget share: a burst of 30 per user, as in the fairness benchmark, is not held up", () => {
  let now = T0;
  const share = new BudgetShare({ percent: 10, now: () => now });
  share.observe(POST_STATUS_CALL, limits(300, 300, T0 + 10_000));
  share.observe("follow", limits(300, 300, T0 + 10_000));
  let id = 0;
  for (let j = 0; j < 30; j++) {
    for (let u = 0; u < 20; u++) {
      const from: Account = { network: XMPP, address: `u${u}@chat.test` };
      assert.equal(share.admit(row(++id, `from:${from.address}`), deliver(from, j)), 0);
    }
  }
  // A 31st in the same window waits for the server's window (10 s here), not 3 hours.
  const u0: Account = { network: XMPP, address: "u0@chat.test" };
  assert.equal(share.admit(row(++id, "from:u0@chat.test"), deliver(u0, 31)), T0 + 10_000);
  now = T0 + 10_000;
  assert.equal(share.admit(row(++id, "from:u0@chat.test"), deliver(u0, 31)), 0);
});

Deno.test("budget share: a small server limit still lets each account one request per window", () => {
  const now = T0;
  const share = new BudgetShare({ percent: 10, now: () => now });
  share.observe(POST_STATUS_CALL, limits(5, 5, T0 + 1000));
  assert.deepEqual(share.caps(), { statuses: 1, requests: 30 });
  assert.equal(share.admit(row(1, "from:a"), deliver(FLOODER, 1)), 0);
  assert.equal(share.admit(row(2, "from:a"), deliver(FLOODER, 2)), T0 + 1000);
  assert.equal(share.admit(row(3, "from:b"), deliver(CALM, 1)), 0);
});

Deno.test("budget share: notices spend their recipient's statuses share, contacts the requests share", () => {
  const share = new BudgetShare({
    percent: 1,
    now: () => T0,
    statuses: { limit: 100, periodMs: 3 * 60 * MINUTE },
    requests: { limit: 300, periodMs: 5 * MINUTE },
  });
  assert.deepEqual(share.caps(), { statuses: 1, requests: 3 });
  const contact: Effect = { kind: "contact", to: READER, action: "follow", accountId: "1" };
  assert.equal(share.admit(row(1, "to:reader"), notice(READER)), 0);
  assert.equal(share.admit(row(2, "to:reader"), notice(READER)), T0 + 180 * MINUTE);
  assert.equal(share.admit(row(3, "to:reader"), contact), 0, "no status: requests left");
  assert.equal(share.admit(row(4, "to:reader"), contact), 0);
  assert.equal(share.admit(row(5, "to:reader"), contact), 0);
  assert.equal(share.admit(row(6, "to:reader"), contact), T0 + 5 * MINUTE);
  // The notice that says so passes in its own lane.
  assert.equal(share.admit(row(7, `${ASIDE_LANE_PREFIX}to:reader`), notice(READER)), 0);
});

Deno.test("budget share: max-share-of-server-budget 0 is no limit", () => {
  const share = new BudgetShare({ percent: 0, now: () => T0 });
  for (let i = 0; i < 1000; i++) {
    assert.equal(share.admit(row(i, "from:a"), deliver(FLOODER, i)), 0);
  }
});

Deno.test("budget share: windows follow the server's answers, also after a window passed unseen", () => {
  let now = T0;
  const share = new BudgetShare({ percent: 10, now: () => now });
  share.observe(POST_STATUS_CALL, limits(10, 9, T0 + 1000));
  assert.equal(share.admit(row(1, "from:a"), deliver(FLOODER, 1)), 0);
  assert.equal(share.admit(row(2, "from:a"), deliver(FLOODER, 2)), T0 + 1000);
  // The window ended; the next status opens a new one, whose end the server's answer tells.
  now = T0 + 5000;
  assert.equal(share.admit(row(3, "from:a"), deliver(FLOODER, 3)), 0);
  share.observe(POST_STATUS_CALL, limits(10, 9, T0 + 6000));
  assert.equal(share.admit(row(4, "from:a"), deliver(FLOODER, 4)), T0 + 6000, "not 3 hours");
});

Deno.test("budget share: files spend the media budget, the parts of a thread the statuses budget", () => {
  let now = T0;
  const share = new BudgetShare({ percent: 10, now: () => now });
  const photo = { url: "https://up.chat.test/a.png", description: null, type: "unknown" };
  const withFiles = (n: number): Effect => ({
    ...(deliver(FLOODER, n) as Extract<Effect, { kind: "deliver" }>),
    media: [photo, photo],
  });
  // The media budget: 30 per 30 minutes, so 3 files per payer at 10 %.
  assert.equal(share.admit(row(1, "from:flooder"), withFiles(1)), 0);
  const wait = share.admit(row(2, "from:flooder"), withFiles(2));
  assert.ok(wait > now, "two more files would pass the share of the media budget");
  // A file already uploaded (saved in the row) costs nothing again.
  const resumed = { ...withFiles(3), progress: { media: ["m1", "m2"] } } as Effect;
  assert.equal(share.admit(row(3, "from:flooder"), resumed), 0);
  // The server's own media window is learnt from the answers to uploads.
  share.observe(UPLOAD_MEDIA_CALL, limits(30, 25, now + 60_000));
  now += 61_000;
  assert.equal(share.admit(row(4, "from:flooder"), withFiles(4)), 0);

  // A thread of 40 parts spends 40 statuses: past the share of 30 (300 at 10 %) after a first
  // row, so the next waits.
  const calm = new BudgetShare({ percent: 10, now: () => now });
  const parts = Array.from({ length: 40 }, (_, i) => `part ${i}`);
  const thread = { ...deliver(CALM, 1), parts } as Effect;
  assert.equal(calm.admit(row(5, "from:calm"), deliver(CALM, 0)), 0);
  assert.ok(calm.admit(row(6, "from:calm"), thread) > now);
});
