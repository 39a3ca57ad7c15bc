/**
 * Fixed-window request counting, as Rack::Attack does it for Mastodon:
 * windows are aligned on multiples of the period since the epoch, the
 * request that makes the count exceed the limit is refused.
 */

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests left in this window after this one (never negative). */
  remaining: number;
  /** End of the current window, epoch milliseconds. */
  resetAt: number;
}

export class RateLimiter {
  #counts = new Map<string, { window: number; count: number }>();

  constructor(
    public limit: number,
    public windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one request for `key` and says whether it may go through. */
  hit(key: string): RateLimitResult {
    const t = this.now();
    const window = Math.floor(t / this.windowMs);
    const entry = this.#counts.get(key);
    const count = entry !== undefined && entry.window === window ? entry.count + 1 : 1;
    this.#counts.set(key, { window, count });
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetAt: (window + 1) * this.windowMs,
    };
  }

  reset(): void {
    this.#counts.clear();
  }
}
