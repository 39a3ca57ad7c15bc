/**
 * Drains the outbox rows of one network over that network's one session: lane heads in order,
 * with exponential backoff and jitter on failure, until sent or given up.
 *
 * Heads of several lanes may be in flight at once, up to the sender's `window`; a lane never has
 * more than its head out, so a failed row holds back only its lane and a lane keeps its order. A
 * suspect row (it may have broken the XMPP stream, see src/xmpp/poison.ts) goes alone, after the
 * others in flight ended: a second stream error while it is out can only be its fault.
 *
 * It wakes at once when this process adds rows or a send ends, and checks the table every
 * `pollMs` so rows written by the other process (the other role) are noticed within that time.
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
import { keyOf, type Outbox } from "./outbox.ts";
import { admitRow } from "./admission.ts";
import { errorText } from "../text/errors.ts";

/** The outbox's retry policy: from 1 s doubling to 5 min, given up after a day. */
export const DEFAULT_RETRY: RetryPolicy & { readonly giveUpAfterMs: number } = {
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
};

/** How a worker is built. */
export interface WorkerOptions {
  /** The outbox whose rows this worker sends. */
  readonly outbox: Outbox;
  /** The adapter's sender: the worker sends the rows of its network only. */
  readonly sender: NetworkSender;
  /** Backoff between attempts of one row, and when to give it up (default {@link DEFAULT_RETRY}). */
  readonly retry?: RetryPolicy;
  /** Now and the worker's timers (default: the outbox's `now`, the process's timers). */
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
  /** Told about every attempt's outcome (logs, tests, benchmarks). */
  readonly onAttempt?: (row: OutboxRow, result: SendResult) => void;
}

/** Most lane heads read from the table at a time. */
const ROUND = 50;

/** The delay before attempt `attempts + 1`: the bridge's one backoff ({@link backoffDelay}). */
export const backoffMs: (attempts: number, policy: RetryPolicy, random: () => number) => number =
  backoffDelay;

/**
 * Sends the outbox rows of one network, lane heads in order, several lanes at once; see the
 * module comment. Start it with {@link OutboxWorker.start}, stop it by disposing it.
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
  /** The attempts in flight, by lane. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Whether the attempt in flight is a suspect's, which goes alone. */
  #alone = false;
  /** Due lane heads read from the table and not started yet, oldest first. */
  #round: OutboxRow[] = [];

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

  /** Stops after the attempts in flight; pending rows stay for the next start. */
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
    while (this.#running) {
      this.#pending = false;
      this.#dispatch();
      await this.#sleep();
    }
    await Promise.allSettled(this.#inFlight.values());
  }

  /**
   * Starts the due lane heads the window has room for (see the module comment). The heads are
   * read in rounds, oldest first, and each round is sent before the table is read again, so a
   * lane with many rows takes one turn per round like any other.
   */
  #dispatch(): void {
    if (this.#alone) return;
    const window = Math.max(1, Math.floor(this.#opts.sender.window ?? 1));
    if (this.#round.length === 0 && this.#inFlight.size < window) this.#round = this.#nextRound();
    while (this.#running && this.#round.length > 0 && this.#inFlight.size < window) {
      const row = this.#round[0]!;
      const suspect = row.lastError?.startsWith(SUSPECT_MARK) === true;
      // A suspect goes alone: wait until nothing is in flight, and start nothing else meanwhile.
      if (suspect && this.#inFlight.size > 0) return;
      this.#round.shift();
      const effect = admitRow(row, {
        table: this.#opts.outbox.deps.store.outbox,
        now: () => this.#clock.now(),
        admit: this.#opts.admit,
        log: this.#log,
      });
      if (effect === null) continue;
      this.#start(row, effect, suspect);
      if (suspect) return;
    }
  }

  /** The due lane heads not in flight, oldest first (none when the table cannot be read). */
  #nextRound(): OutboxRow[] {
    try {
      return this.#opts.outbox.deps.store.outbox.due(this.network, this.#clock.now(), ROUND)
        .filter((row) => !this.#inFlight.has(row.lane));
    } catch (e) {
      this.#log.error("cannot read the outbox: {error}", { error: e });
      return [];
    }
  }

  /** Sends `row` in the background; its end wakes the worker. */
  #start(row: OutboxRow, effect: Effect, alone: boolean): void {
    this.#alone = alone;
    const attempt = this.#attempt(row, effect).catch((e) => {
      this.#log.error("outbox row {id} failed unexpectedly: {error}", { id: row.id, error: e });
    }).finally(() => {
      this.#inFlight.delete(row.lane);
      if (alone) this.#alone = false;
      this.wake();
    });
    this.#inFlight.set(row.lane, attempt);
  }

  async #attempt(row: OutboxRow, effect: Effect): Promise<void> {
    const { outbox, sender } = this.#opts;
    let result: SendResult;
    try {
      result = await sender.send(effect, keyOf(outbox.keyPrefix, row), (updated) => {
        // The step done is kept before the next one is taken (see SendProgress).
        outbox.deps.store.outbox.rewrite(row.id, JSON.stringify(updated));
        effect = updated;
      });
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
    try {
      this.#record(row, effect, result);
    } catch (e) {
      this.#log.error("cannot record the outcome of outbox row {id}: {error}", {
        id: row.id,
        error: e,
      });
    }
  }

  /** Closes the row as sent or given up, or schedules its next attempt. Throws on a store error. */
  #record(row: OutboxRow, effect: Effect, result: SendResult): void {
    const { outbox } = this.#opts;
    const now = () => this.#clock.now();
    if (result.ok) {
      outbox.settleSent(row, effect, result.postedId, result.asLinks);
      return;
    }
    const giveUpAfterMs = this.#retry.giveUpAfterMs ?? Infinity;
    const expired = now() - row.createdAt >= giveUpAfterMs;
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
    // A suspect waits out its backoff even if the link comes back (retryNow skips it), and stays
    // one until it is sent, whatever else failed meanwhile: it goes alone.
    const suspect = result.suspect === true || row.lastError?.startsWith(SUSPECT_MARK) === true;
    const recorded = suspect ? `${SUSPECT_MARK}${result.reason}` : result.reason;
    outbox.deps.store.outbox.retry(row.id, nextAt, recorded);
  }

  /** Waits for a wake-up, the next due row, or the poll interval, whichever comes first. */
  #sleep(): Promise<void> {
    if (this.#pending || !this.#running) return Promise.resolve();
    const { outbox } = this.#opts;
    const poll = this.#opts.pollMs ?? 1000;
    let wait = poll;
    try {
      // The heads in flight are due too: while any is out, its end wakes the worker.
      const next = this.#inFlight.size > 0
        ? null
        : outbox.deps.store.outbox.nextDueAt(this.network);
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
