/**
 * Client-side pacing from Mastodon's rate-limit headers. Every answer says how many requests are
 * left in the window (`X-RateLimit-Remaining`) and when it ends (`X-RateLimit-Reset`). While
 * plenty are left, requests go at once; when few are left, they are spread evenly until the reset
 * instead of running into 429; when none are left, they wait for the reset.
 *
 * @module
 */
import { sleep } from "../time/clock.ts";
import type { Clock } from "../core/ports.ts";

/** What the last answer said about the window. */
export interface RateWindow {
  readonly limit: number | null;
  readonly remaining: number;
  /** Epoch ms at which the window ends. */
  readonly resetAt: number;
}

/** Reads `X-RateLimit-Reset` (an ISO time; some servers send epoch seconds). */
export function parseReset(headers: Headers): number | null {
  const raw = headers.get("x-ratelimit-reset");
  if (raw === null || raw.trim() === "") return null;
  if (/^\d+(?:\.\d+)?$/.test(raw.trim())) {
    const n = Number(raw);
    // Epoch seconds (GoToSocial sends a time, but be lenient).
    return n > 1e12 ? n : n * 1000;
  }
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}

/** Reads the three headers; null when the answer carries no usable rate-limit information. */
export function readRateWindow(headers: Headers): RateWindow | null {
  const remainingRaw = headers.get("x-ratelimit-remaining");
  const resetAt = parseReset(headers);
  if (remainingRaw === null || resetAt === null) return null;
  const remaining = Number.parseInt(remainingRaw, 10);
  if (!Number.isFinite(remaining)) return null;
  const limitRaw = headers.get("x-ratelimit-limit");
  const limit = limitRaw === null ? null : Number.parseInt(limitRaw, 10);
  return {
    limit: limit !== null && Number.isFinite(limit) ? limit : null,
    remaining: Math.max(0, remaining),
    resetAt,
  };
}

export interface RateGateOptions {
  readonly timers: Clock;
  /**
   * Below this many remaining requests, pacing starts (default: a tenth of the announced limit,
   * at least 5).
   */
  readonly lowWater?: number;
}

/** Paces requests to one account's rate limit. One gate per token. */
export class RateGate {
  readonly #timers: Clock;
  readonly #lowWater: number | null;
  #window: RateWindow | null = null;
  /** Requests let through since the last answer, not yet counted by the server's figures. */
  #inFlight = 0;
  /** The earliest time the next paced request may go. */
  #nextSlot = 0;
  /** The spacing of paced requests: what was left spread over the time left, at the answer. */
  #interval = 0;

  constructor(opts: RateGateOptions) {
    this.#timers = opts.timers;
    this.#lowWater = opts.lowWater ?? null;
  }

  /** The window as last announced. */
  get window(): RateWindow | null {
    return this.#window;
  }

  /** Takes the figures of an answer into account. */
  observe(headers: Headers): void {
    const w = readRateWindow(headers);
    if (w === null) return;
    this.#window = w;
    this.#inFlight = 0;
    const timeLeft = w.resetAt - this.#timers.now();
    this.#interval = w.remaining > 0 && timeLeft > 0 ? timeLeft / w.remaining : 0;
  }

  /** How long the next request should wait, and books its slot. */
  reserve(): number {
    const now = this.#timers.now();
    const w = this.#window;
    if (w === null || w.resetAt <= now) return 0;
    const left = w.remaining - this.#inFlight;
    this.#inFlight++;
    if (left <= 0) return w.resetAt - now;
    if (left > this.#lowWaterOf(w)) return 0;
    // Spread what is left over the time left.
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#interval;
    return Math.ceil(slot - now);
  }

  /**
   * How many requests may be under way at once, at most `max`: `max` while plenty are left in
   * the window, fewer as it runs low, 1 once requests are paced or wait for the reset.
   */
  headroom(max: number): number {
    const w = this.#window;
    if (w === null || w.resetAt <= this.#timers.now()) return max;
    const spare = w.remaining - this.#inFlight - this.#lowWaterOf(w);
    return Math.max(1, Math.min(max, spare));
  }

  /** Below this many requests left, pacing starts. */
  #lowWaterOf(w: RateWindow): number {
    return this.#lowWater ?? Math.max(5, Math.floor((w.limit ?? 300) / 10));
  }

  /** Waits for the next request's turn. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(this.#timers, wait, signal);
  }
}
