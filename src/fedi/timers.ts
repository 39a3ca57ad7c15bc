/**
 * Time as the Fediverse adapter sees it: a clock and one-shot timers, handed in so that tests can
 * use short delays and main.ts the real ones.
 *
 * @module
 */

/** A clock and one-shot timers. */
export interface Timers {
  /** Epoch milliseconds. */
  now(): number;
  /** Returns a handle for {@link Timers.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever a {@link Timers} implementation identifies its timers with. */
export type TimerHandle = unknown;

/** The process's own clock and timers. */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Waits `ms` milliseconds (at once when `ms <= 0`). Rejects with the signal's reason when it is
 * aborted, clearing the timer, so nothing is left pending after a shutdown.
 */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timers.clearTimeout(id);
      reject(signal?.reason);
    };
    const id = timers.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** How long to wait before attempt number `attempt` (0 first): doubling, capped, with jitter. */
export interface BackoffOptions {
  /** The delay before the first retry, before jitter. */
  readonly baseMs: number;
  /** The longest delay, before jitter. */
  readonly maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": a delay between half and all of
 * `min(maxMs, baseMs * 2^attempt)`, so that many clients cut at once do not come back at once.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number,
): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
