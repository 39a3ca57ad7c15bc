/**
 * XMPP -> Fediverse: an XMPP user's chat message to the bot naming a Fediverse user, from the
 * moment the XMPP client writes it to its socket to the moment the bot's status POST arrives at
 * the Mastodon test server (the status is created).
 */
import { type BenchWorld, BOT_XMPP } from "./bench_world.ts";
import { drive, type Load, TOKEN, Tracker, type TripResult } from "./latency.ts";

const TIMEOUT_MS = 180_000;

export function xmppToFedi(bench: BenchWorld, tag: string, load: Load): Promise<TripResult> {
  const { fedi, xmpp, fediBot } = bench;
  return tripsToStatuses(bench, new Set([fediBot.id]), tag, load, TIMEOUT_MS, (token, i) => {
    const to = fedi[i % fedi.length]!.address;
    return xmpp[i % xmpp.length]!.send(
      BOT_XMPP,
      `@${to} ${token} Hello from XMPP, a benchmark message.`,
    );
  });
}

/**
 * Drives `load` with `send(token, i)` and times each message until a status carrying its token
 * is created by one of `authors` (the bridge's bot, or the floor's posters).
 */
export async function tripsToStatuses(
  bench: BenchWorld,
  authors: ReadonlySet<string>,
  tag: string,
  load: Load,
  timeoutMs: number,
  send: (token: string, i: number) => Promise<unknown>,
): Promise<TripResult> {
  const tracker = new Tracker();
  const off = bench.mastodon.onStatus((s) => {
    if (!authors.has(s.accountId)) return;
    const token = TOKEN.exec(s.text)?.[0];
    if (token !== undefined) tracker.received(token);
  });
  const writes: Promise<unknown>[] = [];
  try {
    const start = performance.now();
    await drive(load, tracker, (i) => {
      const token = `bench-${tag}-${i}`;
      tracker.sent(token);
      writes.push(send(token, i));
    }, timeoutMs);
    const elapsedMs = performance.now() - start;
    await Promise.all(writes);
    return { latencies: tracker.latencies(), elapsedMs, duplicates: tracker.duplicates };
  } finally {
    off();
  }
}
