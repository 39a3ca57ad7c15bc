/**
 * Measuring one message's trip by events: the time it is handed to the sending side, and the
 * time the receiving side sees it. Each message carries a unique token; the tracker pairs the two
 * times by token and tells when everything sent so far has arrived.
 */
import type { XmppUser } from "../prosody/xmpp_user.ts";

/** Tokens look like `bench-<tag>-<n>`, letters, digits and dashes only. */
export const TOKEN = /bench-[a-z0-9]+(?:-[a-z0-9]+)*/;

export class Tracker {
  readonly #sentAt = new Map<string, number>();
  readonly #latency = new Map<string, number>();
  #duplicates = 0;
  #unknown = 0;
  #waiter: { readonly resolve: () => void } | null = null;

  /** Records that `token` leaves now. */
  sent(token: string, at: number = performance.now()): void {
    this.#sentAt.set(token, at);
  }

  /** Records that `token` arrived now. */
  received(token: string, at: number = performance.now()): void {
    const sentAt = this.#sentAt.get(token);
    if (sentAt === undefined) {
      this.#unknown++;
      return;
    }
    if (this.#latency.has(token)) {
      this.#duplicates++;
      return;
    }
    this.#latency.set(token, at - sentAt);
    if (this.#latency.size === this.#sentAt.size) this.#waiter?.resolve();
  }

  /** Resolves once everything sent so far has arrived; rejects after `timeoutMs` (a safety net). */
  allReceived(timeoutMs: number): Promise<void> {
    if (this.#latency.size === this.#sentAt.size) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(
          new Error(
            `${this.#sentAt.size - this.#latency.size} of ${this.#sentAt.size} messages did not ` +
              `arrive within ${timeoutMs} ms (${this.#unknown} arrivals with unknown tokens)`,
          ),
        );
      }, timeoutMs);
      this.#waiter = {
        resolve: () => {
          clearTimeout(timer);
          this.#waiter = null;
          resolve();
        },
      };
    });
  }

  get sentCount(): number {
    return this.#sentAt.size;
  }

  /** Trip times in ms, in the order the messages arrived. */
  latencies(): number[] {
    return [...this.#latency.values()];
  }

  /** Trip time of one token, if it arrived. */
  latencyOf(token: string): number | undefined {
    return this.#latency.get(token);
  }

  /** Tokens seen twice. */
  get duplicates(): number {
    return this.#duplicates;
  }
}

/**
 * Calls `send(i)` for i in [0, count) at `perSecond` evenly spaced moments, on absolute times so
 * that slow calls do not stretch the schedule. This is the shape of the load, not a wait for a
 * result: results are awaited through the tracker.
 */
export async function paced(
  count: number,
  perSecond: number,
  send: (i: number) => void,
): Promise<void> {
  const interval = 1000 / perSecond;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    send(i);
  }
}

/**
 * Takes the next `count` messages carrying a token from `user`'s queue and reports each to the
 * tracker as it arrives. `timeoutMs` bounds the wait for each one.
 */
export async function collectXmpp(
  user: XmppUser,
  count: number,
  tracker: Tracker,
  timeoutMs: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const m = await user.nextMessage((m) => TOKEN.test(m.body ?? ""), timeoutMs);
    tracker.received(TOKEN.exec(m.body!)![0]);
  }
}

/** How messages are offered: evenly spaced, or in bursts sent all at once. */
export type Load =
  | { readonly kind: "steady"; readonly count: number; readonly perSecond: number }
  | { readonly kind: "bursts"; readonly count: number; readonly size: number };

/** Sends `load.count` messages with `send` as the load says; resolves once all arrived. */
export async function drive(
  load: Load,
  tracker: Tracker,
  send: (i: number) => void,
  timeoutMs: number,
): Promise<void> {
  if (load.kind === "steady") {
    await paced(load.count, load.perSecond, send);
    await tracker.allReceived(timeoutMs);
    return;
  }
  for (let first = 0; first < load.count; first += load.size) {
    for (let i = first; i < Math.min(load.count, first + load.size); i++) send(i);
    await tracker.allReceived(timeoutMs);
  }
}

/** What one direction under one load measured. */
export interface TripResult {
  /** Trip times (ms). */
  readonly latencies: readonly number[];
  /** From the first send to the last arrival (ms). */
  readonly elapsedMs: number;
  readonly duplicates: number;
}
