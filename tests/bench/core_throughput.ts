/**
 * Core throughput without a network: messages per second through parsing, the rules, the store
 * (a WAL file in a temporary folder, as in production) and the outbox, drained by the two outbox
 * workers over senders that accept everything at once. Half the messages go each way, between
 * registered users, so each one makes exactly one delivery.
 *
 * Each run measures twice on a fresh file: live (the workers drain while messages come in, the
 * figure held to the target), then staged (the core alone, then the workers alone on what it left),
 * which tells which side bounds the live figure.
 */
import { FEDI, type Inbound, XMPP } from "../../src/core/types.ts";
import type { NetworkSender, SendResult } from "../../src/core/ports.ts";
import { OutboxWorker } from "../../src/outbox/worker.ts";
import type { AccountType } from "../../src/store/mod.ts";
import { type CoreRig, openCoreRig } from "./core_rig.ts";
import type { FigureSet } from "./figures.ts";

const USERS = 50;

/** A sender that takes every effect at once. */
class InstantSender implements NetworkSender {
  #count = 0;
  constructor(readonly network: AccountType) {}
  send(): Promise<SendResult> {
    return Promise.resolve({ ok: true, postedId: `posted-${this.network}-${++this.#count}` });
  }
}

function message(i: number): { inbound: Inbound; key: string } {
  const n = i % USERS;
  if (i % 2 === 0) {
    const address = `f${n}@social.test`;
    return {
      inbound: {
        kind: "message",
        from: { network: FEDI, address },
        id: `${100_000 + i}`,
        text: `@bridge@social.test xmpp:x${n}@chat.test Hello number ${i}, how are you?`,
        inReplyTo: null,
        lang: "en",
        extras: { spoiler: null, media: [], pollUrl: null },
      },
      key: `notif:${i}`,
    };
  }
  const address = `x${n}@chat.test`;
  return {
    inbound: {
      kind: "message",
      from: { network: XMPP, address },
      id: `stanza-${i}`,
      text: `@f${n}@social.test Fine, thanks! Message ${i}.`,
      inReplyTo: null,
      lang: null,
      extras: null,
    },
    key: `${address}/stanza-${i}`,
  };
}

/** What one run measured, in messages per second. */
export interface CoreRates {
  /** Handling and sending together, the workers draining while messages come in. */
  readonly live: number;
  /** The core alone (parse, rules, store, outbox rows), workers stopped. */
  readonly handle: number;
  /** The workers alone, draining what the core left (lane heads, send, settle). */
  readonly drain: number;
}

/** Registers the users the messages are between. */
function registerUsers(rig: CoreRig): void {
  const { store } = rig;
  const at = Date.now();
  store.transaction(() => {
    for (let n = 0; n < USERS; n++) {
      store.users.register({
        type: FEDI,
        address: `f${n}@social.test`,
        at,
        lang: "en",
        app: "Mastodon",
        accountId: `${n + 1}`,
      });
      store.users.register({
        type: XMPP,
        address: `x${n}@chat.test`,
        at,
        lang: "en",
        app: "XMPP",
        accountId: null,
      });
    }
  });
}

/** Feeds `count` messages to the core; with `live` false the workers start only afterwards. */
async function pass(rig: CoreRig, count: number, live: boolean): Promise<CoreRates> {
  const messages = Array.from({ length: count }, (_, i) => message(i));
  let sent = 0;
  const { promise: allSent, resolve } = Promise.withResolvers<void>();
  // Called right before the worker settles the row (with the rest of its group).
  const onAttempt = () => {
    if (++sent === count) resolve();
  };
  await using fediWorker = new OutboxWorker({
    outbox: rig.outbox,
    sender: new InstantSender(FEDI),
    onAttempt,
  });
  await using xmppWorker = new OutboxWorker({
    outbox: rig.outbox,
    sender: new InstantSender(XMPP),
    onAttempt,
  });
  const startWorkers = () => {
    fediWorker.start();
    xmppWorker.start();
  };
  if (live) startWorkers();
  const start = performance.now();
  for (const { inbound, key } of messages) {
    if (!await rig.core.handle(inbound, key)) throw new Error(`message ${key} was a duplicate`);
  }
  const handled = performance.now();
  if (!live) startWorkers();
  await allSent;
  // The last group's outcomes are settled together once its sends are done.
  const { store } = rig;
  const left = () => store.outbox.countPending(FEDI) + store.outbox.countPending(XMPP);
  while (left() > 0 && await rig.outbox.nextSettled(1_000));
  const end = performance.now();
  // Every message was carried once, and nothing is left behind.
  const pending = left();
  if (sent !== count || pending !== 0) {
    throw new Error(`core run: ${sent} sent of ${count}, ${pending} still pending`);
  }
  const rate = (ms: number) => count / (ms / 1000);
  return live
    ? { live: rate(end - start), handle: NaN, drain: NaN }
    : { live: NaN, handle: rate(handled - start), drain: rate(end - handled) };
}

/** One run on a fresh database: live, then staged, each with `count` messages. */
export async function coreThroughputRun(count: number): Promise<CoreRates> {
  const rates: CoreRates[] = [];
  for (const live of [true, false]) {
    const dir = await Deno.makeTempDir({ prefix: "bench-core-" });
    try {
      using rig = openCoreRig({
        dbPath: `${dir}/bridge.db`,
        dir,
        extraConfig: "max-user-rate: 0\n",
      });
      registerUsers(rig);
      rates.push(await pass(rig, count, live));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return { live: rates[0]!.live, handle: rates[1]!.handle, drain: rates[1]!.drain };
}

export async function benchCoreThroughput(
  figures: FigureSet,
  opts: { messages: number; runs: number },
): Promise<void> {
  // One unrecorded run warms the JIT and the file cache.
  await coreThroughputRun(Math.min(opts.messages, 500));
  const n = opts.messages;
  for (let run = 0; run < opts.runs; run++) {
    const rates = await coreThroughputRun(n);
    figures.record("core.throughput", {
      label: `Core throughput, fake ports, ${n} messages (parse+rules+store+outbox)`,
      unit: "msg/s",
      target: { op: ">=", value: 5000 },
    }, rates.live);
    figures.record("core.handle", {
      label: "  stage: core.handle alone (rows written, not sent)",
      unit: "msg/s",
    }, rates.handle);
    figures.record("core.drain", {
      label: "  stage: outbox workers alone (due, send, settle)",
      unit: "msg/s",
    }, rates.drain);
  }
}
