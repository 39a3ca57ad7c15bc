/**
 * The two timers of a live stream, as small state machines the bot drives: the stall watchdog
 * (a quiet stream is checked with a catch-up) and the reconciliation plan (a catch-up while the
 * stream is live, after an interval or after a burst of events has settled).
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Clock, TimerHandle } from "../core/ports.ts";
import { backoffDelay } from "../time/retry.ts";

/** When the stream last showed life, and the timer that checks it when it stays quiet. */
export class StallWatchdog {
  #timer: TimerHandle | null = null;
  #lastActivity = 0;
  /** New notifications that reconciliations found since the stream's last sign of life. */
  missed = 0;

  constructor(private readonly clock: Clock, private readonly stallMs: number) {}

  /** The stream showed life now: nothing is missing since. */
  activity(): void {
    this.#lastActivity = this.clock.now();
    this.missed = 0;
  }

  /** A check found the stream working: the quiet time starts again (what was missed stays). */
  touch(): void {
    this.#lastActivity = this.clock.now();
  }

  /** Whether the stream has been quiet for the stall time. */
  get quiet(): boolean {
    return this.clock.now() - this.#lastActivity >= this.stallMs;
  }

  /** Calls `check` once the stream has been quiet for the stall time (re-arming replaces). */
  arm(check: () => void): void {
    this.disarm();
    const quietFor = this.clock.now() - this.#lastActivity;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      check();
    }, Math.max(0, this.stallMs - quietFor));
  }

  disarm(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** How often a live stream is reconciled (see `FediBotOptions`). */
export interface ReconcileTiming {
  readonly intervalMs: number;
  readonly settleMs: number;
  readonly minGapMs: number;
}

/** When the next reconciliation of the live stream is due, and its timer. */
export class ReconcilePlan {
  #timer: TimerHandle | null = null;
  #due = 0;
  #lastPassAt = 0;
  #lastEventAt = 0;
  /** Stream events came since the last pass. */
  #burst = false;

  constructor(private readonly clock: Clock, private readonly timing: ReconcileTiming) {}

  /** A catch-up pass ended now. */
  passEnded(): void {
    this.#lastPassAt = this.clock.now();
  }

  /** A stream event came now. */
  event(): void {
    this.#burst = true;
    this.#lastEventAt = this.clock.now();
  }

  /** A reconciliation starts: the burst so far is taken up by it. */
  begin(): void {
    this.#burst = false;
  }

  /**
   * (Re)plans `run`: `intervalMs` after the last pass, or sooner once a burst of events has been
   * over for `settleMs`, though never sooner than `minGapMs` after the last pass.
   */
  plan(run: () => void): void {
    let due = this.#lastPassAt + this.timing.intervalMs;
    if (this.#burst) {
      const settled = this.#lastEventAt + this.timing.settleMs;
      const gap = this.#lastPassAt + this.timing.minGapMs;
      due = Math.min(due, Math.max(settled, gap));
    }
    if (this.#timer !== null && this.#due === due) return;
    this.disarm();
    this.#due = due;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      run();
    }, Math.max(0, due - this.clock.now()));
  }

  disarm(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** The timer that walks the notifications again after one failed, with a growing delay. */
export class FailedRetry {
  #timer: TimerHandle | null = null;
  #round = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly baseMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * Runs `walk` after the next delay, unless one is scheduled already. A walk that leaves
   * nothing `frozen` starts the delays afresh; one that fails schedules the next.
   */
  schedule(walk: () => Promise<unknown>, frozen: () => boolean, closed: () => boolean): void {
    if (this.#timer !== null) return;
    const policy = { baseMs: this.baseMs, maxMs: this.baseMs * 20 };
    const delay = backoffDelay(this.#round++, policy, this.random);
    this.log.info("Retrying failed notifications in {ms} ms", { ms: delay });
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      if (closed()) return;
      walk().then(
        () => {
          if (!frozen()) this.#round = 0;
        },
        () => {
          if (!closed()) this.schedule(walk, frozen, closed);
        },
      );
    }, delay);
  }

  disarm(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
