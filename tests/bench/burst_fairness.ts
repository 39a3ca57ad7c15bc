/**
 * A burst from XMPP against a rate-limited Fediverse server: `users` XMPP users each send
 * `perUser` messages at once to the Fediverse, while the test server allows `limit` requests per
 * `windowMs` (Mastodon's 300 per 5 minutes, time-compressed). Everything must be posted, none
 * twice, and the users served fairly: the outbox keeps one lane per sender and sends lane heads
 * oldest first, so the wait should be spread evenly.
 */
import { FEDI, XMPP } from "../../src/core/types.ts";
import { openStore } from "../../src/store/mod.ts";
import { type BenchWorld, BOT_XMPP, NO_RATE_LIMIT, type RunningBridge } from "./bench_world.ts";
import type { FigureSet, Target, Unit } from "./figures.ts";
import { TOKEN, Tracker } from "./latency.ts";
import { recordStartup } from "./startup.ts";
import { mean } from "./stats.ts";

export interface BurstOptions {
  readonly users: number;
  readonly perUser: number;
  readonly limit: number;
  readonly windowMs: number;
}

export interface BurstResult {
  readonly sent: number;
  /** Distinct messages that arrived. */
  readonly delivered: number;
  /** Messages that arrived more than once. */
  readonly duplicates: number;
  /** Statuses the bot created during the burst, and the distinct Idempotency-Keys they carried. */
  readonly created: number;
  readonly distinctKeys: number;
  /** Statuses without a benchmark token (notices). */
  readonly notices: number;
  /** Answers 429 during the burst. */
  readonly rateLimited: number;
  /** Outbox rows still pending once the bridge stopped. */
  readonly pendingAfter: number;
  /** From the first send to the last arrival (ms). */
  readonly drainMs: number;
  /** Per user: the longest and the mean wait of their messages (ms). */
  readonly users: readonly { readonly maxWait: number; readonly meanWait: number }[];
  /** Mean wait over every message (ms). */
  readonly meanWait: number;
  readonly startupMs: number;
}

const TIMEOUT_MS = 300_000;

export async function burstRun(
  bench: BenchWorld,
  tag: string,
  opts: BurstOptions,
): Promise<BurstResult> {
  const { mastodon, fediBot, xmpp, fedi } = bench;
  if (opts.users > xmpp.length || opts.users > fedi.length) {
    throw new Error(`the burst needs ${opts.users} users on each side`);
  }
  mastodon.setRateLimit(opts.limit, opts.windowMs);
  let bridge: RunningBridge | null = null;
  const tracker = new Tracker();
  let notices = 0;
  const off = mastodon.onStatus((s) => {
    if (s.accountId !== fediBot.id) return;
    const token = TOKEN.exec(s.text)?.[0];
    if (token === undefined) notices++;
    else tracker.received(token);
  });
  try {
    bridge = await bench.startBridge();
    const startupMs = bridge.startupMs;
    const before = mastodon.postStats(fediBot);
    const firstRequest = mastodon.requests.length;
    const tokens: string[][] = Array.from({ length: opts.users }, () => []);
    const writes: Promise<unknown>[] = [];
    const start = performance.now();
    // Everyone types at once: the messages of the users interleave.
    for (let j = 0; j < opts.perUser; j++) {
      for (let k = 0; k < opts.users; k++) {
        const token = `bench-${tag}-u${k}-${j}`;
        tokens[k]!.push(token);
        tracker.sent(token);
        writes.push(
          xmpp[k]!.send(BOT_XMPP, `@${fedi[k]!.address} ${token} Part of a burst, number ${j}.`),
        );
      }
    }
    await Promise.all(writes);
    await tracker.allReceived(TIMEOUT_MS);
    const drainMs = performance.now() - start;
    await bench.stopBridge(bridge);
    bridge = null;
    const after = mastodon.postStats(fediBot);
    const rateLimited = mastodon.requests.slice(firstRequest).filter((r) => r.status === 429)
      .length;
    let pendingAfter: number;
    {
      using store = openStore(bench.dbPath);
      pendingAfter = store.outbox.countPending(FEDI) + store.outbox.countPending(XMPP);
    }
    const users = tokens.map((list) => {
      const waits = list.map((t) => tracker.latencyOf(t) ?? NaN);
      return { maxWait: Math.max(...waits), meanWait: mean(waits) };
    });
    return {
      sent: tracker.sentCount,
      delivered: tracker.latencies().length,
      duplicates: tracker.duplicates,
      created: after.created - before.created,
      distinctKeys: after.distinctKeys - before.distinctKeys,
      notices,
      rateLimited,
      pendingAfter,
      drainMs,
      users,
      meanWait: mean(tracker.latencies()),
      startupMs,
    };
  } finally {
    off();
    if (bridge !== null) await bridge.process.stop("SIGKILL");
    mastodon.setRateLimit(NO_RATE_LIMIT);
  }
}

export async function benchBurstFairness(
  bench: BenchWorld,
  figures: FigureSet,
  opts: BurstOptions & { readonly runs: number },
): Promise<void> {
  const n = opts.users * opts.perUser;
  const title = `Burst XMPP → Fediverse, ${n} messages from ${opts.users} users, ` +
    `server limit ${opts.limit}/${opts.windowMs / 1000} s`;
  for (let run = 0; run < opts.runs; run++) {
    const r = await burstRun(bench, `burst${run}`, opts);
    recordStartup(figures, bench.registered, false, r.startupMs);
    const maxWaits = r.users.map((u) => u.maxWait);
    const meanWaits = r.users.map((u) => u.meanWait);
    const worst = Math.max(...maxWaits);
    const best = Math.min(...maxWaits);
    const put = (id: string, label: string, unit: Unit, value: number, target?: Target) =>
      figures.record(`burst.${id}`, target ? { label, unit, target } : { label, unit }, value);
    put("delivered", `${title}: delivered`, "count", r.delivered, { op: "==", value: n });
    put(
      "twice",
      "  posted twice (repeated messages + statuses without a new key)",
      "count",
      r.duplicates + (r.created - r.distinctKeys),
      { op: "==", value: 0 },
    );
    put("created", "  statuses created (deliveries + notices)", "count", r.created);
    put("keys", "  distinct Idempotency-Keys", "count", r.distinctKeys);
    put("notices", "  notices among them (statuses without a benchmark token)", "count", r.notices);
    put("left", "  outbox rows left after a clean stop", "count", r.pendingAfter, {
      op: "==",
      value: 0,
    });
    put("429", "  answers 429 (rate limited)", "count", r.rateLimited);
    put("drain", "  first send to last post", "s", r.drainMs / 1000);
    put("avg", "  average wait, all messages", "s", r.meanWait / 1000);
    put("worst", "  max wait of the least-served user", "s", worst / 1000);
    put("best", "  max wait of the best-served user", "s", best / 1000);
    put("worst_best", "  least-served ÷ best-served (max wait)", "ratio", worst / best);
    put("worst_avg", "  least-served max wait ÷ average wait", "ratio", worst / r.meanWait);
    put(
      "mean_avg",
      "  least-served user's mean wait ÷ average wait",
      "ratio",
      Math.max(...meanWaits) / r.meanWait,
      { op: "<=", value: 2 },
    );
  }
}
