/**
 * The one retry policy of the bridge: how long to wait before trying again, as a value handed
 * to whatever retries (the outbox worker, the XMPP reconnection, the Fediverse stream and API).
 *
 * @module
 */

/** Exponential backoff with jitter, as a value. */
export interface RetryPolicy {
  /** The delay before the first retry, before jitter (ms). */
  readonly baseMs: number;
  /** The longest delay, before jitter (ms). */
  readonly maxMs: number;
  /**
   * The share of the delay drawn at random, 0 to 1 (default 0.5, "equal jitter": a delay
   * between half and all of the step), so that many clients cut at once do not return at once.
   */
  readonly jitter?: number;
  /** Whoever retries gives up this long after the first attempt (ms); never when absent. */
  readonly giveUpAfterMs?: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): `baseMs * 2^attempt` capped at
 * `maxMs`, of which the `jitter` share is scaled by `random()` (a number in [0, 1); values
 * outside are clamped, a negative or fractional attempt counts as the whole number below, at
 * least 0).
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2^30 is far past any cap; clamping the exponent keeps the arithmetic finite.
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n, 30));
  const jitter = Math.min(Math.max(policy.jitter ?? 0.5, 0), 1);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step * (1 - jitter) + step * jitter * r);
}
