/**
 * Hand-driven timers for unit tests: nothing fires until the test advances the clock.
 *
 * @module
 */
import type { Timers } from "./timers.ts";

export class FakeTimers implements Timers {
  now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(id: number): void {
    this.#due.delete(id);
  }

  /** Timers still scheduled. */
  get pending(): number {
    return this.#due.size;
  }

  /** The delays (from now) of the scheduled timers, soonest first. */
  delays(): number[] {
    return [...this.#due.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /** Moves the clock by `ms`, firing what falls due, in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      this.#due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
}
