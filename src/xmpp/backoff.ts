/**
 * Reconnection delays: exponential growth from a minimum to a cap, with jitter so that many
 * clients dropped at once by a restarting server do not all come back in the same instant.
 *
 * @module
 */

/** Bounds of the delay, ms. */
export interface BackoffOptions {
  /** Delay scale of the first retry (default 1 s). */
  readonly minMs: number;
  /** Largest delay (default 60 s). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1_000, maxMs: 60_000 };

/**
 * The delay before retry number `attempt` (1 for the first retry): the exponential step
 * `min * 2^(attempt-1)`, capped at `max`, of which a random half is kept ("equal jitter"), so the
 * result lies in `[step/2, step]`. `random` returns a number in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^31 is far past any cap; clamping the exponent keeps the arithmetic finite.
  const step = Math.min(options.maxMs, options.minMs * 2 ** Math.min(n - 1, 31));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}
