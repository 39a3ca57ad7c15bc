/**
 * Fediverse -> XMPP: a Fediverse user's direct mention of the bot naming an XMPP user, from the
 * moment the test server takes the status (it streams the notification to the bot at once) to the
 * moment the XMPP user's client receives the message.
 */
import { type BenchWorld, BOT_FEDI } from "./bench_world.ts";
import { collectXmpp, drive, type Load, Tracker, type TripResult } from "./latency.ts";

const TIMEOUT_MS = 180_000;

export async function fediToXmpp(bench: BenchWorld, tag: string, load: Load): Promise<TripResult> {
  const { fedi, xmpp, mastodon } = bench;
  const tracker = new Tracker();
  const perUser = xmpp.map((_, k) =>
    Array.from({ length: load.count }, (_, i) => i).filter((i) => i % xmpp.length === k).length
  );
  const collectors = xmpp.map((user, k) => collectXmpp(user, perUser[k]!, tracker, TIMEOUT_MS));
  const start = performance.now();
  await drive(load, tracker, (i) => {
    const token = `bench-${tag}-${i}`;
    const to = xmpp[i % xmpp.length]!.jid;
    tracker.sent(token);
    mastodon.postAs(fedi[i % fedi.length]!, {
      text: `@${BOT_FEDI} xmpp:${to} ${token} Hello from the Fediverse, a benchmark message.`,
      visibility: "direct",
    });
  }, TIMEOUT_MS);
  const elapsedMs = performance.now() - start;
  await Promise.all(collectors);
  return { latencies: tracker.latencies(), elapsedMs, duplicates: tracker.duplicates };
}
