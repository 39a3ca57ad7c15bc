/**
 * The timer functions the adapter schedules with (reconnection, pings, acknowledgement
 * deadlines), injected so that tests can drive them.
 *
 * @module
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** The global timers (their ids are numbers in Deno; `Number` satisfies Node's typings too). */
export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => Number(setTimeout(fn, ms)),
  clearTimeout: (id) => clearTimeout(id),
};

/** `promise`, or a rejection after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, timers: Timers): Promise<T> {
  let id: number | null = null;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        id = timers.setTimeout(() => reject(new Error(`no outcome within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (id !== null) timers.clearTimeout(id);
  }
}
