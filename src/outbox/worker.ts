/**
 * Drains the outbox rows of one network over that network's one session: lane heads in order,
 * one at a time, with exponential backoff and jitter on failure, until sent or given up.
 *
 * It wakes at once when this process adds rows, and checks the table every `pollMs` so rows
 * written by the other process (the other role) are noticed within that time.
 */
import { logger } from "../log.ts";
import type { Effect } from "../core/types.ts";
import type { AccountType } from "../store/types.ts";
import { type OutboxRow, SUSPECT_MARK } from "../store/outbox.ts";
import {
  type Clock,
  failed,
  type NetworkSender,
  type SendResult,
  type TimerHandle,
} from "../core/ports.ts";
import { systemClock } from "../time/clock.ts";
import { backoffDelay, type RetryPolicy } from "../time/retry.ts";
import { keyOf, type Outbox, type Settlement } from "./outbox.ts";
import { errorText } from "../text/errors.ts";

/** The outbox's retry policy: from 1 s doubling to 5 min, given up after a day. */
export const DEFAULT_RETRY: RetryPolicy & { readonly giveUpAfterMs: number } = {
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
};

/** The longest a sent row waits for the settle of its group (ms). */
export const SETTLE_WITHIN_MS = 50;

/** How a worker is built. */
export interface WorkerOptions {
  /** The outbox whose rows this worker sends. */
  readonly outbox: Outbox;
  /** The adapter's sender: the worker sends the rows of its network only. */
  readonly sender: NetworkSender;
  /** Backoff between attempts of one row, and when to give it up (default {@link DEFAULT_RETRY}). */
  readonly retry?: RetryPolicy;
  /**
   * The time: now, and the timer of the worker's wait between looks at the table (default: the
   * outbox's `now` with the process's timers). Tests pass a clock they move by hand.
   */
  readonly clock?: Clock;
  /** How often to look for rows written by another process (ms). */
  readonly pollMs?: number;
  /** Random number in [0, 1), for jitter. */
  readonly random?: () => number;
  /**
   * Asked before each attempt: 0 (or any time not after now) lets the row go; a later epoch ms
   * postpones it until then without counting an attempt (the Fediverse budget shares, say).
   */
  readonly admit?: (row: OutboxRow, effect: Effect) => number;
  /**
   * How many sent rows may wait for the settle of their group (default: the whole group, at
   * most {@link SETTLE_WITHIN_MS}). A process killed meanwhile has not recorded them as sent, and
   * sends them again after its restart: harmless where the server recognises a repeat by its key
   * (Mastodon's Idempotency-Key), a duplicate message on XMPP, whose worker keeps this at 1.
   */
  readonly unsettledMax?: number;
  /** Told about every attempt's outcome (logs, tests, benchmarks). */
  readonly onAttempt?: (row: OutboxRow, result: SendResult) => void;
}

/**
 * The delay before attempt `attempts + 1`: the bridge's one backoff ({@link backoffDelay}),
 * kept under this name for the outbox.
 */
export const backoffMs: (attempts: number, policy: RetryPolicy, random: () => number) => number =
  backoffDelay;

/**
 * Sends the outbox rows of one network, lane heads in order, one at a time; see the module
 * comment. Start it with {@link OutboxWorker.start}, stop it by disposing it.
 */
export class OutboxWorker implements AsyncDisposable {
  /** The network whose rows it sends (its sender's). */
  readonly network: AccountType;
  readonly #opts: WorkerOptions;
  readonly #retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #log = logger("outbox");
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #pending = false;
  #timer: TimerHandle | null = null;
  #subscription: Disposable | null = null;

  /** A stopped worker; {@link OutboxWorker.start} starts it. */
  constructor(opts: WorkerOptions) {
    this.#opts = opts;
    this.network = opts.sender.network;
    this.#retry = opts.retry ?? DEFAULT_RETRY;
    this.#clock = opts.clock ?? { ...systemClock, now: opts.outbox.deps.now };
  }

  /** Starts draining in the background. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#subscription = this.#opts.outbox.onEnqueued((n) => {
      if (n === this.network) this.wake();
    });
    this.#loop = this.#run();
  }

  /**
   * The network's server is reachable again (the bot reconnected): rows waiting out a backoff
   * are tried now instead of at the end of their delay.
   */
  retryNow(): void {
    const { outbox } = this.#opts;
    try {
      outbox.deps.store.outbox.retryNow(this.network, this.#clock.now());
    } catch (e) {
      this.#log.error("cannot reschedule the outbox: {error}", { error: e });
    }
    this.wake();
  }

  /** Makes the worker look at the table now. */
  wake(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Stops after the item in flight; pending rows stay for the next start. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#subscription?.[Symbol.dispose]();
    this.wake();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #run(): Promise<void> {
    const { outbox } = this.#opts;
    const store = outbox.deps.store;
    while (this.#running) {
      this.#pending = false;
      let rows: OutboxRow[] = [];
      try {
        rows = store.outbox.due(this.network, this.#clock.now());
      } catch (e) {
        this.#log.error("cannot read the outbox: {error}", { error: e });
      }
      // The outcomes of a drained group are settled together, in one transaction, though
      // never later than SETTLE_WITHIN_MS after the first of them (slow sends), and never more
      // of them than unsettledMax.
      let outcomes: Settlement[] = [];
      let since = 0;
      for (const row of rows) {
        if (!this.#running) break;
        const outcome = await this.#attempt(row);
        if (outcome === null) continue;
        if (outcomes.length === 0) since = this.#clock.now();
        outcomes.push(outcome);
        const full = outcomes.length >= (this.#opts.unsettledMax ?? Infinity);
        if (full || this.#clock.now() - since >= SETTLE_WITHIN_MS) {
          this.#settle(outcomes);
          outcomes = [];
        }
      }
      this.#settle(outcomes);
      if (!this.#running) return;
      if (rows.length > 0) continue;
      await this.#sleep();
    }
  }

  /** Records a group's outcomes; a store error is logged (the rows stay pending). */
  #settle(outcomes: readonly Settlement[]): void {
    try {
      this.#opts.outbox.settleMany(outcomes);
    } catch (e) {
      this.#log.error("cannot record the outcome of {count} outbox row(s): {error}", {
        count: outcomes.length,
        error: e,
      });
    }
  }

  /** Sends one row; returns its outcome for {@link OutboxWorker.#settle}, or null (none). */
  async #attempt(row: OutboxRow): Promise<Settlement | null> {
    const { outbox, sender } = this.#opts;
    const now = () => this.#clock.now();
    let effect: Effect;
    try {
      effect = JSON.parse(row.payload) as Effect;
    } catch {
      outbox.deps.store.outbox.close(row.id, 2, now(), "unreadable payload");
      this.#log.error("outbox row {id} is unreadable and was dropped", { id: row.id });
      return null;
    }
    const notBefore = this.#opts.admit?.(row, effect) ?? 0;
    if (notBefore > now()) {
      try {
        outbox.deps.store.outbox.defer(row.id, notBefore);
      } catch (e) {
        this.#log.error("cannot postpone outbox row {id}: {error}", { id: row.id, error: e });
      }
      this.#log.debug("{kind} row {id} waits {seconds} s for its account's share", {
        kind: effect.kind,
        id: row.id,
        seconds: Math.round((notBefore - now()) / 1000),
      });
      return null;
    }
    let result: SendResult;
    try {
      result = await sender.send(effect, keyOf(outbox.keyPrefix, row));
    } catch (e) {
      result = failed(errorText(e), false);
    }
    if (
      !result.ok && result.suspect && !result.permanent && row.lastError?.startsWith(SUSPECT_MARK)
    ) {
      // The attempt before also closed the stream (the sender's own count may have been lost
      // in a restart): two stream errors traced to this row, it is given up.
      result = { ...result, permanent: true, reason: `${result.reason}, twice` };
    }
    this.#opts.onAttempt?.(row, result);
    return this.#outcome(row, effect, result);
  }

  /** What to record of an attempt: sent, given up, or its next attempt. */
  #outcome(row: OutboxRow, effect: Effect, result: SendResult): Settlement {
    const now = () => this.#clock.now();
    if (result.ok) return { outcome: "sent", row, effect, postedId: result.postedId };
    const giveUpAfterMs = this.#retry.giveUpAfterMs ?? Infinity;
    const expired = now() - row.createdAt >= giveUpAfterMs;
    if (result.permanent || expired) {
      this.#log.warn("gave up {kind} row {id} after {attempts} attempt(s): {reason}", {
        kind: effect.kind,
        id: row.id,
        attempts: row.attempts + 1,
        reason: result.reason,
      });
      return { outcome: "given-up", row, effect, reason: result.reason };
    }
    const delay = backoffMs(row.attempts, this.#retry, this.#opts.random ?? Math.random);
    const nextAt = Math.max(now() + delay, result.retryAt ?? 0);
    this.#log.info("{kind} row {id} failed ({reason}); next attempt in {seconds} s", {
      kind: effect.kind,
      id: row.id,
      reason: result.reason,
      seconds: Math.round((nextAt - now()) / 1000),
    });
    // A suspect waits out its backoff even if the link comes back (retryNow skips it).
    const recorded = result.suspect ? `${SUSPECT_MARK}${result.reason}` : result.reason;
    return { outcome: "retry", row, effect, nextAt, error: recorded };
  }

  /** Waits for a wake-up, the next due row, or the poll interval, whichever comes first. */
  #sleep(): Promise<void> {
    if (this.#pending || !this.#running) return Promise.resolve();
    const { outbox } = this.#opts;
    const poll = this.#opts.pollMs ?? 1000;
    let wait = poll;
    try {
      const next = outbox.deps.store.outbox.nextDueAt(this.network);
      if (next !== null) wait = Math.max(0, Math.min(poll, next - this.#clock.now()));
    } catch {
      // The table is read again after the wait.
    }
    return new Promise((resolve) => {
      const done = () => {
        if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
        this.#timer = null;
        this.#wake = null;
        resolve();
      };
      this.#wake = done;
      this.#timer = this.#clock.setTimeout(done, wait);
    });
  }
}
