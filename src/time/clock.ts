/**
 * The real clock, and the two waits built on any {@link Clock}: a sleep that an abort signal
 * ends, and a deadline for a promise.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../core/ports.ts";

/** The process's own clock and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Waits `ms` milliseconds (at once when `ms <= 0`). Rejects with the signal's reason when it is
 * aborted, clearing the timer, so nothing is left pending after a shutdown.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(id);
      reject(signal?.reason);
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, or a rejection after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock): Promise<T> {
  let id: TimerHandle | null = null;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        id = clock.setTimeout(() => reject(new Error(`no outcome within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (id !== null) clock.clearTimeout(id);
  }
}
