/**
 * Concurrent senders, out-of-order stream: two Fediverse users each post `perSender` direct
 * mentions for one XMPP user at the same time, while the test server streams the notifications
 * as a busy server does: each event held a random time (so they overtake each other), a share
 * `dropRate` of them never streamed, and the stream cut once in the middle. Every message must
 * reach the XMPP user once; the figure that matters is the time until the last one arrives, which
 * the bridge's reconciliation bounds (the stream alone would lose some for good).
 */
import { type BenchWorld, BOT_FEDI } from "./bench_world.ts";
import type { FigureSet } from "./figures.ts";
import { paced, Tracker } from "./latency.ts";
import { recordStartup } from "./startup.ts";

export interface DisorderOptions {
  /** Mentions per sender (two senders). */
  readonly perSender: number;
  /** The share of notification events the stream loses. */
  readonly dropRate: number;
  /** The longest an event is held before it streams (real ms). */
  readonly maxDelayMs: number;
  /** Mentions per second, both senders together (the stream is cut halfway). */
  readonly perSecond: number;
  readonly runs: number;
}

export interface DisorderResult {
  readonly sent: number;
  /** Distinct messages that reached the XMPP user. */
  readonly delivered: number;
  /** Messages that reached the XMPP user more than once. */
  readonly duplicates: number;
  /** Events the stream lost. */
  readonly dropped: number;
  /** Events streamed after a newer one. */
  readonly late: number;
  /** From the first post to the last arrival (ms). */
  readonly lastMs: number;
  /** From the last post to the last arrival (ms): what the reconciliation took. */
  readonly afterMs: number;
  readonly startupMs: number;
}

const TIMEOUT_MS = 180_000;

export async function disorderRun(
  bench: BenchWorld,
  tag: string,
  seed: number,
  opts: DisorderOptions,
): Promise<DisorderResult> {
  const { mastodon, fedi, xmpp } = bench;
  if (fedi.length < 2 || xmpp.length < 1) throw new Error("the run needs two Fediverse users");
  const [ann, ben] = [fedi[0]!, fedi[1]!];
  const to = xmpp[0]!;
  const tracker = new Tracker();
  const mine = (body: string | null | undefined) => (body ?? "").includes(`bench-${tag}-`);
  const bridge = await bench.startBridge();
  try {
    mastodon.faults.disorderStreams({ seed, dropRate: opts.dropRate, maxDelayMs: opts.maxDelayMs });
    const n = 2 * opts.perSender;
    const arrivals = (async () => {
      for (let i = 0; i < n; i++) {
        const m = await to.nextMessage((m) => mine(m.body), TIMEOUT_MS);
        tracker.received(/bench-[a-z0-9-]+/.exec(m.body!)![0]);
      }
    })();
    const start = performance.now();
    let cut: Promise<unknown> = Promise.resolve();
    await paced(n, opts.perSecond, (i) => {
      // Both at once: the two senders' mentions interleave.
      const from = i % 2 === 0 ? ann : ben;
      const token = `bench-${tag}-${from.username}-${i}`;
      tracker.sent(token);
      mastodon.postAs(from, {
        text: `@${BOT_FEDI} xmpp:${to.jid} ${token} Busy server, message ${i}.`,
        visibility: "direct",
      });
      if (i === Math.floor(n / 2)) cut = mastodon.faults.dropStreams();
    });
    const lastPost = performance.now();
    await cut;
    await arrivals;
    const end = performance.now();
    const lastMs = end - start;
    const afterMs = end - lastPost;
    const stats = mastodon.faults.orderStreams();
    await bench.stopBridge(bridge);
    // What came twice is in the XMPP user's queue by now, or on its way from Prosody.
    for (;;) {
      try {
        const m = await to.nextMessage((m) => mine(m.body), 500);
        tracker.received(/bench-[a-z0-9-]+/.exec(m.body!)![0]);
      } catch {
        break;
      }
    }
    return {
      sent: tracker.sentCount,
      delivered: tracker.latencies().length,
      duplicates: tracker.duplicates,
      dropped: stats?.dropped ?? 0,
      late: stats?.late ?? 0,
      lastMs,
      afterMs,
      startupMs: bridge.startupMs,
    };
  } catch (e) {
    mastodon.faults.orderStreams();
    await bridge.process.stop("SIGKILL");
    throw e;
  }
}

export async function benchDisorder(
  bench: BenchWorld,
  figures: FigureSet,
  opts: DisorderOptions,
): Promise<void> {
  const n = 2 * opts.perSender;
  const title = `Concurrent senders, out-of-order stream: 2 × ${opts.perSender} mentions, ` +
    `${Math.round(opts.dropRate * 100)} % of events lost, a reconnect`;
  for (let run = 0; run < opts.runs; run++) {
    const r = await disorderRun(bench, `dis${run}`, 1000 + run, opts);
    recordStartup(figures, bench.registered, false, r.startupMs);
    figures.record("disorder.delivered", {
      label: `${title}: delivered`,
      unit: "count",
      target: { op: "==", value: n },
    }, r.delivered);
    figures.record("disorder.twice", {
      label: "  delivered twice",
      unit: "count",
      target: { op: "==", value: 0 },
    }, r.duplicates);
    figures.record("disorder.dropped", {
      label: "  events the stream lost",
      unit: "count",
    }, r.dropped);
    figures.record(
      "disorder.late",
      { label: "  events streamed after a newer one", unit: "count" },
      r.late,
    );
    figures.record(
      "disorder.last",
      { label: "  first post to last arrival", unit: "s" },
      r.lastMs / 1000,
    );
    figures.record(
      "disorder.after",
      { label: "  last post to last arrival", unit: "s" },
      r.afterMs / 1000,
    );
  }
}
