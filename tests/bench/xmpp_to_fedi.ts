/**
 * XMPP -> Fediverse: an XMPP user's chat message to the bot naming a Fediverse user, from the
 * moment the XMPP client writes it to its socket to the moment the bot's status POST arrives at
 * the Mastodon test server (the status is created).
 */
import { type BenchWorld, BOT_XMPP } from "./bench_world.ts";
import { drive, type Load, TOKEN, Tracker, type TripResult } from "./latency.ts";

const TIMEOUT_MS = 180_000;

export async function xmppToFedi(bench: BenchWorld, tag: string, load: Load): Promise<TripResult> {
  const { fedi, xmpp, mastodon, fediBot } = bench;
  const tracker = new Tracker();
  const off = mastodon.onStatus((s) => {
    if (s.accountId !== fediBot.id) return;
    const token = TOKEN.exec(s.text)?.[0];
    if (token !== undefined) tracker.received(token);
  });
  const writes: Promise<unknown>[] = [];
  try {
    const start = performance.now();
    await drive(load, tracker, (i) => {
      const token = `bench-${tag}-${i}`;
      const to = fedi[i % fedi.length]!.address;
      tracker.sent(token);
      writes.push(
        xmpp[i % xmpp.length]!.send(
          BOT_XMPP,
          `@${to} ${token} Hello from XMPP, a benchmark message.`,
        ),
      );
    }, TIMEOUT_MS);
    const elapsedMs = performance.now() - start;
    await Promise.all(writes);
    return { latencies: tracker.latencies(), elapsedMs, duplicates: tracker.duplicates };
  } finally {
    off();
  }
}
