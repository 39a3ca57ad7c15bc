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
import type { NetworkSender, SendResult } from "../core/ports.ts";
import { keyOf, type Outbox } from "./outbox.ts";
import { errorText } from "../text/errors.ts";

export interface RetryPolicy {
  /** First delay after a failure (ms). */
  readonly baseMs: number;
  /** Longest delay between two attempts (ms). */
  readonly maxMs: number;
  /** A row still failing this long after it was written is given up (ms). */
  readonly giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
};

export interface WorkerOptions {
  readonly outbox: Outbox;
  readonly sender: NetworkSender;
  readonly retry?: RetryPolicy;
  /** How often to look for rows written by another process (ms). */
  readonly pollMs?: number;
  /** Random number in [0, 1), for jitter. */
  readonly random?: () => number;
  /**
   * Asked before each attempt: 0 (or any time not after now) lets the row go; a later epoch ms
   * postpones it until then without counting an attempt (the Fediverse budget shares, say).
   */
  readonly admit?: (row: OutboxRow, effect: Effect) => number;
  /** Told about every attempt's outcome (logs, tests, benchmarks). */
  readonly onAttempt?: (row: OutboxRow, result: SendResult) => void;
}

/**
 * The delay before attempt `attempts + 1`: doubling up to the cap, then drawn from the upper half
 * of that value, so retries of many rows spread out and never exceed the cap.
 */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts, 30));
  return Math.round(exp * (0.5 + random() / 2));
}

export class OutboxWorker implements AsyncDisposable {
  readonly network: AccountType;
  readonly #opts: WorkerOptions;
  readonly #retry: RetryPolicy;
  readonly #log = logger("outbox");
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #pending = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #subscription: Disposable | null = null;

  constructor(opts: WorkerOptions) {
    this.#opts = opts;
    this.network = opts.sender.network;
    this.#retry = opts.retry ?? DEFAULT_RETRY;
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
      outbox.deps.store.outbox.retryNow(this.network, outbox.deps.now());
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
        rows = store.outbox.due(this.network, outbox.deps.now());
      } catch (e) {
        this.#log.error("cannot read the outbox: {error}", { error: e });
      }
      for (const row of rows) {
        if (!this.#running) return;
        await this.#attempt(row);
      }
      if (rows.length > 0) continue;
      await this.#sleep();
    }
  }

  async #attempt(row: OutboxRow): Promise<void> {
    const { outbox, sender } = this.#opts;
    const now = outbox.deps.now;
    let effect: Effect;
    try {
      effect = JSON.parse(row.payload) as Effect;
    } catch {
      outbox.deps.store.outbox.close(row.id, 2, now(), "unreadable payload");
      this.#log.error("outbox row {id} is unreadable and was dropped", { id: row.id });
      return;
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
      return;
    }
    let result: SendResult;
    try {
      result = await sender.send(effect, keyOf(outbox.keyPrefix, row));
    } catch (e) {
      result = { ok: false, permanent: false, reason: errorText(e) };
    }
    if (
      !result.ok && result.suspect && !result.permanent && row.lastError?.startsWith(SUSPECT_MARK)
    ) {
      // The attempt before also closed the stream (the sender's own count may have been lost
      // in a restart): two stream errors traced to this row, it is given up.
      result = { ...result, permanent: true, reason: `${result.reason}, twice` };
    }
    this.#opts.onAttempt?.(row, result);
    try {
      if (result.ok) {
        outbox.settleSent(row, effect, result.postedId);
        return;
      }
      const expired = now() - row.createdAt >= this.#retry.giveUpAfterMs;
      if (result.permanent || expired) {
        this.#log.warn("gave up {kind} row {id} after {attempts} attempt(s): {reason}", {
          kind: effect.kind,
          id: row.id,
          attempts: row.attempts + 1,
          reason: result.reason,
        });
        outbox.settleGivenUp(row, effect, result.reason);
        return;
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
      outbox.deps.store.outbox.retry(row.id, nextAt, recorded);
    } catch (e) {
      this.#log.error("cannot record the outcome of outbox row {id}: {error}", {
        id: row.id,
        error: e,
      });
    }
  }

  /** Waits for a wake-up, the next due row, or the poll interval, whichever comes first. */
  #sleep(): Promise<void> {
    if (this.#pending || !this.#running) return Promise.resolve();
    const { outbox } = this.#opts;
    const poll = this.#opts.pollMs ?? 1000;
    let wait = poll;
    try {
      const next = outbox.deps.store.outbox.nextDueAt(this.network);
      if (next !== null) wait = Math.max(0, Math.min(poll, next - outbox.deps.now()));
    } catch {
      // The table is read again after the wait.
    }
    return new Promise((resolve) => {
      const done = () => {
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        this.#wake = null;
        resolve();
      };
      this.#wake = done;
      this.#timer = setTimeout(done, wait);
    });
  }
}
