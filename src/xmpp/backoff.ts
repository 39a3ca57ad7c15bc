/**
 * Reconnection delays of the XMPP session: the bridge's one backoff (src/time/retry.ts), counted
 * from 1 for the first retry as the session counts its consecutive failures.
 *
 * @module
 */
import { backoffDelay as retryDelay, type RetryPolicy } from "../time/retry.ts";

/** Bounds of the delay, ms. */
export interface BackoffOptions {
  /** Delay scale of the first retry (default 1 s). */
  readonly minMs: number;
  /** Largest delay (default 60 s). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1_000, maxMs: 60_000 };

/**
 * The delay before retry number `attempt` (1 for the first retry): the policy's delay for
 * `attempt - 1`, so the result lies in `[step/2, step]` with `step = min * 2^(attempt-1)` capped
 * at `max`. `random` returns a number in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const policy: RetryPolicy = { baseMs: options.minMs, maxMs: options.maxMs };
  return retryDelay(Math.max(1, Math.floor(attempt)) - 1, policy, random);
}
