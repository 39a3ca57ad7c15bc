/**
 * A clock for tests that moves only when told: timers fire, in order, as
 * {@link ManualClock.advance} moves the time past them.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../../src/core/ports.ts";

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #due = new Map<number, { at: number; fn: () => void }>();

  /** Starts at `start` epoch ms (default 2026-01-01T00:00Z). */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#due.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#due.delete(handle as number);
  }

  /** How many timers wait. */
  get pending(): number {
    return this.#due.size;
  }

  /** The delays (from now) of the waiting timers, soonest first. */
  delays(): number[] {
    return [...this.#due.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves the clock by `ms`, firing what falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      this.#due.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}
