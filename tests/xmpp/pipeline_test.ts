/**
 * The real outbox worker over the bot's sender against a real Prosody: the heads of several lanes
 * go out at once (pipelined, acknowledged in batches), each lane in order; and a poison stanza
 * sent among others costs only itself: the rows that were in flight with it go through on their
 * lone retry, and only it is given up.
 */
import assert from "node:assert/strict";
import { type Effect, FEDI, XMPP } from "../../src/core/types.ts";
import type { NetworkSender } from "../../src/core/ports.ts";
import { loadTranslations } from "../../src/i18n/mod.ts";
import { Outbox } from "../../src/outbox/outbox.ts";
import { OutboxWorker } from "../../src/outbox/worker.ts";
import { OUTBOX_GIVEN_UP, OUTBOX_SENT } from "../../src/store/mod.ts";
import { XmppUser } from "../prosody/xmpp_user.ts";
import { ALICE, startServer, TestBridge } from "./support.ts";

function delivery(from: string, to: string, text: string): Effect {
  return {
    kind: "deliver",
    to: [{ network: XMPP, address: to }],
    from: { network: FEDI, address: from },
    text,
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: text.slice(0, 20),
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
}

/** The bot's sender, counting how many sends are under way at once. */
class CountingSender implements NetworkSender {
  readonly network = XMPP;
  inFlight = 0;
  most = 0;
  constructor(readonly inner: NetworkSender) {}

  get window(): number {
    return this.inner.window ?? 1;
  }

  async send(effect: Effect, key: string) {
    this.most = Math.max(this.most, ++this.inFlight);
    try {
      return await this.inner.send(effect, key);
    } finally {
      this.inFlight--;
    }
  }
}

function outboxOf(bridge: TestBridge): Outbox {
  return new Outbox({
    store: bridge.store,
    i18n: loadTranslations(bridge.config),
    prefixes: bridge.config.prefixes,
    now: () => Date.now(),
  });
}

const SENDERS = ["s1", "s2", "s3", "s4", "s5"].map((s) => `${s}@social.test`);

Deno.test("the heads of several lanes are in flight at once; every message arrives once, in order per lane", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  const aliceJid = server.jid(ALICE.user);
  const outbox = outboxOf(bridge);
  const effects = [0, 1, 2, 3].flatMap((n) =>
    SENDERS.map((from) => delivery(from, aliceJid, `${from} #${n}`))
  );
  bridge.store.transaction(() => outbox.enqueue(effects));
  const sender = new CountingSender(bridge.bot.sender);
  assert.equal(sender.window, 64, "the default window");
  await using worker = new OutboxWorker({ outbox, sender });
  worker.start();

  const got: string[] = [];
  for (let i = 0; i < effects.length; i++) {
    got.push((await alice.nextMessageFrom(server.jid("bot"), 20_000)).body ?? "");
  }
  assert.equal(new Set(got).size, effects.length, "each once");
  for (const from of SENDERS) {
    assert.deepEqual(
      got.filter((b) => b.startsWith(from)),
      [0, 1, 2, 3].map((n) => `${from} #${n}`),
      `${from}'s messages in the order written`,
    );
  }
  assert.equal(sender.most, SENDERS.length, "one head per lane in flight, all lanes at once");
  await worker.stop();
  const states = bridge.store.outbox.pendingContaining(XMPP, "social.test");
  assert.deepEqual(states, [], "every row settled");
});

Deno.test("a poison stanza among rows in flight is given up alone; the others go through", async () => {
  await using server = await startServer();
  await using bridge = await TestBridge.start(server);
  await using alice = XmppUser.of(server, ALICE.user, ALICE.password);
  await alice.connect();
  const aliceJid = server.jid(ALICE.user);
  const outbox = outboxOf(bridge);
  // Over Prosody's c2s_stanza_size_limit (256 KiB): it closes the stream (policy-violation).
  const effects = [
    delivery("poison@social.test", aliceJid, "x".repeat(300_000)),
    ...SENDERS.map((from) => delivery(from, aliceJid, `${from} innocent`)),
  ];
  bridge.store.transaction(() => outbox.enqueue(effects));
  const outcomes = new Map<number, boolean>();
  let settled: () => void;
  const allSettled = new Promise<void>((resolve) => (settled = resolve));
  const sender = new CountingSender(bridge.bot.sender);
  await using worker = new OutboxWorker({
    outbox,
    sender,
    // No jitter: the rows failed together are due together again.
    retry: { baseMs: 100, maxMs: 200 },
    random: () => 0.5,
    onAttempt: (row, result) => {
      if (!result.ok && !result.permanent) return;
      outcomes.set(row.id, result.ok);
      if (outcomes.size === effects.length) settled();
    },
  });
  worker.start();
  await allSettled;
  await worker.stop();

  assert.ok(sender.most > 1, "the poison went out with others in flight");
  assert.equal(bridge.store.outbox.get(1)!.state, OUTBOX_GIVEN_UP, "the poison is given up");
  for (let id = 2; id <= effects.length; id++) {
    assert.equal(bridge.store.outbox.get(id)!.state, OUTBOX_SENT, `row ${id} went through`);
  }
  const got = new Set<string>();
  while (got.size < SENDERS.length) {
    got.add((await alice.nextMessageFrom(server.jid("bot"), 20_000)).body ?? "");
  }
  assert.deepEqual([...got].sort(), SENDERS.map((from) => `${from} innocent`).sort());
  assert.equal(
    bridge.events.pending.filter((e) => e === "offline").length,
    2,
    "two streams lost: the first with everything in flight, the second with the poison alone",
  );
});
