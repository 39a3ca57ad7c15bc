/**
 * The Fediverse bot's inbound side: sign in, read the server's limits and domain blocks, then keep
 * a stream of notifications going for as long as it lives, catching up on what it missed before
 * relying on the stream again, every time.
 *
 * The life of a connection:
 * 1. open the WebSocket and subscribe (masto);
 * 2. catch up: fetch the notifications after the marker, while events from the new stream wait;
 * 3. live: stream events are handled as they come; a reconciliation (a catch-up while live) runs
 *    every `reconcileIntervalMs` and `reconcileSettleMs` after a burst of events has ended (but
 *    not sooner than `reconcileMinGapMs` after the previous pass), and takes up what the stream
 *    skipped or lost; a watchdog runs a catch-up when the stream has been quiet for
 *    `stallTimeoutMs`, and if that catch-up (or a reconciliation since the stream's last sign of
 *    life) finds notifications the stream should have brought, the stream is stalled: it is
 *    dropped and replaced;
 * 4. the connection ends (server gone, network cut, stall): "disconnected", then a new attempt
 *    after an exponential backoff with jitter. Attempts that cannot open a stream still run a
 *    catch-up, so messages keep flowing (slowly) while only the streaming side is broken.
 *
 * Mastodon sends no heartbeat a WebSocket client can see (its pings are answered below the API),
 * so a quiet stream cannot be told from a dead one by waiting; the watchdog's catch-up tells.
 *
 * Events (an EventTarget): `ready` (first time live), `disconnected`, `reconnected`, `stall`,
 * `notification` (a CustomEvent, detail {@link NotificationEventDetail}) after each one, and
 * `reconciled` (a CustomEvent, detail: how many notifications the pass took up) after each
 * reconciliation of a live stream.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config.ts";
import { logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { FediApi } from "./api.ts";
import { catchUpPass, DEFAULT_OVERLAP, newestNotificationId, type Overlap } from "./catch_up.ts";
import { FediApiError } from "./errors.ts";
import { type InboundHandler, NotificationInlet, type Outcome } from "./inlet.ts";
import type { ReadContext } from "./notification.ts";
import { isPermissionError, PermissionRefusedError } from "../permission_error.ts";
import { type BotIdentity, FediStartupError, readServerSettings } from "./server_info.ts";
import { StreamConnection } from "./stream.ts";
import { backoffDelay, sleep, type TimerHandle, type Timers } from "./timers.ts";

/** A connection live this long counts as stable: the reconnect backoff starts afresh after it. */
const STABLE_MS = 30_000;

export interface FediBotOptions {
  readonly config: Config;
  readonly store: Store;
  /** The core (or anything that handles inbound events with a dedupe key). */
  readonly core: InboundHandler;
  /** The REST side, shared with the sender and the directory. */
  readonly api: FediApi;
  readonly timers: Timers;
  /** For the jitter (default Math.random). */
  readonly random?: () => number;
  readonly log?: Logger;
  /** A stream quiet this long is checked with a catch-up (default 90 s). */
  readonly stallTimeoutMs?: number;
  /** First reconnect delay (default 1 s) and the longest one (default 2 min), before jitter. */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** How long a WebSocket handshake may take (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** First delay before retrying a notification whose handling failed (default 30 s). */
  readonly retryFailedMs?: number;
  /** Notifications per catch-up page (default 40, Mastodon's maximum is 80). */
  readonly pageSize?: number;
  /** How often a live stream is reconciled with the server's list (default 60 s). */
  readonly reconcileIntervalMs?: number;
  /** How long after the last event of a burst a reconciliation runs (default 5 s). */
  readonly reconcileSettleMs?: number;
  /** The least time between two reconciliations after bursts (default 30 s). */
  readonly reconcileMinGapMs?: number;
  /** How many notifications behind the marker every catch-up reads again (default 200). */
  readonly overlapCount?: number;
  /** How much time behind the marker every catch-up reads again (default 10 minutes). */
  readonly overlapMs?: number;
}

export interface NotificationEventDetail {
  readonly id: string;
  readonly type: string;
  readonly outcome: Outcome;
  /** Why it was ignored or a duplicate; null otherwise. */
  readonly reason: string | null;
}

export class FediBot extends EventTarget implements AsyncDisposable {
  readonly inlet: NotificationInlet;
  readonly #o: FediBotOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #stallMs: number;
  readonly #abort = new AbortController();
  #identity: BotIdentity | null = null;
  #streamingUrl: string | null = null;
  #conn: StreamConnection | null = null;
  #loop: Promise<void> | null = null;
  #catchUps: Promise<unknown> = Promise.resolve();
  #watchdog: TimerHandle | null = null;
  #lastActivity = 0;
  #retryTimer: TimerHandle | null = null;
  #retryRound = 0;
  /** The live connection that reconciliations are planned for, or null. */
  #live: StreamConnection | null = null;
  #reconcileTimer: TimerHandle | null = null;
  #reconcileDue = 0;
  #lastPassAt = 0;
  #lastEventAt = 0;
  /** Stream events came since the last pass. */
  #burst = false;
  /** New notifications that reconciliations found since the stream's last sign of life. */
  #missedSinceActivity = 0;
  readonly #overlap: Overlap;
  #everLive = false;
  readonly #ready = Promise.withResolvers<void>();

  constructor(opts: FediBotOptions) {
    super();
    this.#o = opts;
    this.#log = opts.log ?? logger("fedi", "bot");
    this.#timers = opts.timers;
    this.#random = opts.random ?? Math.random;
    this.#stallMs = opts.stallTimeoutMs ?? 90_000;
    this.#overlap = {
      ...DEFAULT_OVERLAP,
      count: opts.overlapCount ?? DEFAULT_OVERLAP.count,
      ms: opts.overlapMs ?? DEFAULT_OVERLAP.ms,
    };
    this.#ready.promise.catch(() => {});
    this.inlet = new NotificationInlet({
      core: opts.core,
      store: opts.store,
      timers: opts.timers,
      log: this.#log,
      context: () => this.#readContext(),
      onOutcome: (id, type, outcome, reason) => {
        const detail: NotificationEventDetail = { id, type, outcome, reason };
        this.dispatchEvent(new CustomEvent("notification", { detail }));
      },
      onFailure: () => this.#scheduleRetry(),
    });
  }

  /** The bot's account, once signed in. */
  get identity(): BotIdentity | null {
    return this.#identity;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /**
   * Signs in and reads the server's settings (retrying while the server cannot be reached), then
   * connects. Resolves once the bot is live for the first time. Throws a {@link FediStartupError}
   * for what only the operator can fix (a refused token, the token of another account).
   */
  async start(): Promise<void> {
    if (this.#loop !== null) throw new Error("FediBot.start: already started");
    await this.#startup();
    this.#loop = this.#run().catch((e) => {
      // Not expected (every step handles its own failures); logged rather than crashing.
      this.#log.error("The Fediverse bot stopped: {error}", { error: describe(e) });
    });
    await this.#ready.promise;
  }

  async #startup(): Promise<void> {
    const { api, config, store } = this.#o;
    for (let attempt = 0;; attempt++) {
      try {
        const settings = await readServerSettings(api, config, store, this.#log);
        this.#identity = settings.identity;
        this.#streamingUrl = settings.streamingUrl;
        const marker = this.inlet.marker;
        if (marker === null) {
          // First start: what happened before the bridge existed is not ours to answer.
          const newest = await newestNotificationId(api);
          this.inlet.setMarker(newest ?? "0");
          this.inlet.setFloor(newest ?? "0");
          this.#log.info("First start: notifications up to {id} are left alone", {
            id: newest ?? "none",
          });
        } else if (this.inlet.floor === null) {
          // A database from before catch-ups read behind the marker: what it left there stays.
          this.inlet.setFloor(marker);
        }
        return;
      } catch (e) {
        if (e instanceof FediStartupError || this.closed) throw e;
        if (isPermissionError(e)) {
          throw new PermissionRefusedError(
            `the permission set does not allow the Fediverse server at ${config.apApiUrl} ` +
              `(${describe(e)}): derive the permissions again for ap-api-url`,
            { cause: e },
          );
        }
        if (e instanceof FediApiError && e.permanent) {
          throw new FediStartupError(`Cannot start the Fediverse bot: ${e.message}`);
        }
        const delay = this.#backoff(attempt);
        this.#log.warning("The Fediverse server cannot be reached ({error}); retrying in {ms} ms", {
          error: describe(e),
          ms: delay,
        });
        await sleep(this.#timers, delay, this.#abort.signal);
      }
    }
  }

  #readContext(): ReadContext {
    return {
      apInstance: this.#o.config.apInstance,
      botId: this.#identity?.id ?? null,
      botAddress: this.#o.config.fediHandle,
    };
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, {
      baseMs: this.#o.reconnectBaseMs ?? 1000,
      maxMs: this.#o.reconnectMaxMs ?? 120_000,
    }, this.#random);
  }

  /** Runs catch-up passes one at a time. */
  #catchUp(): Promise<number> {
    const run = this.#catchUps.then(() =>
      catchUpPass({
        api: this.#o.api,
        inlet: this.inlet,
        pageSize: this.#o.pageSize ?? 40,
        overlap: this.#overlap,
        signal: this.#abort.signal,
      })
    );
    this.#catchUps = run.catch(() => {});
    // A pass that left the marker behind (a failure, a cut-short walk) is to be walked again.
    return run.then((fresh) => {
      this.#lastPassAt = this.#timers.now();
      if (this.inlet.frozen) this.#scheduleRetry();
      this.#planReconcile();
      return fresh;
    });
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const liveFor = await this.#connectOnce();
      if (this.closed) break;
      if (liveFor !== null) {
        // A connection that held a while starts the backoff afresh; one dropped at once does not.
        if (liveFor >= STABLE_MS) failures = 0;
        this.dispatchEvent(new Event("disconnected"));
      } else {
        // No stream: still fetch what came, so that messages get through meanwhile.
        await this.#catchUp().catch(() => {});
      }
      const delay = this.#backoff(failures++);
      this.#log.debug("Reconnecting in {ms} ms", { ms: delay });
      try {
        await sleep(this.#timers, delay, this.#abort.signal);
      } catch {
        break;
      }
    }
  }

  #openStream(): StreamConnection {
    const conn: StreamConnection = new StreamConnection({
      streamingUrl: this.#streamingUrl!,
      token: this.#o.config.fediToken,
      userAgent: this.#o.config.userAgent,
      timers: this.#timers,
      connectTimeoutMs: this.#o.connectTimeoutMs ?? 30_000,
      log: this.#log,
      onNotification: (n) => {
        if (this.#conn !== conn) return;
        this.inlet.push(n);
        this.#burst = true;
        this.#lastEventAt = this.#timers.now();
        this.#planReconcile();
      },
      onActivity: () => {
        this.#lastActivity = this.#timers.now();
        this.#missedSinceActivity = 0;
      },
    });
    return conn;
  }

  /** One connection, from opening to its end. Returns how long it was live (null: never). */
  async #connectOnce(): Promise<number | null> {
    let conn: StreamConnection;
    try {
      conn = this.#openStream();
    } catch (e) {
      if (isPermissionError(e)) {
        // The permission set will never allow this host: stop, naming the key (the caller
        // exits with code 77), rather than retrying forever.
        this.#ready.reject(
          new PermissionRefusedError(
            `the permission set does not allow the streaming API at ${this.#streamingUrl} ` +
              `(${describe(e)}). The server announces its streaming on a host the permissions ` +
              `were not derived for: run "deno task flags" or "deno task compile" again, or ` +
              `set ap-streaming-url to the address to use and derive the permissions again`,
            { cause: e },
          ),
        );
        this.#abort.abort();
        return null;
      }
      // A bad address: logged, and tried again after the backoff.
      this.#log.error("Cannot open the stream: {error}", { error: describe(e) });
      return null;
    }
    this.#conn = conn;
    // Stream events wait until the catch-up below is through.
    this.inlet.hold();
    let released = false;
    const release = () => {
      if (!released) this.inlet.release();
      released = true;
    };
    try {
      await conn.subscribed;
      await this.#catchUp();
      release();
    } catch (e) {
      release();
      const reason = await Promise.race([conn.ended, Promise.resolve(null)]);
      conn.close("catch-up failed");
      this.#log.warning("Connecting to the stream failed: {error}", {
        error: reason ?? describe(e),
      });
      await conn.settled(2000);
      return null;
    }
    if (this.closed) {
      conn.close("shutdown");
      return null;
    }
    const liveSince = this.#timers.now();
    this.#lastActivity = liveSince;
    this.#missedSinceActivity = 0;
    this.#armWatchdog(conn);
    this.#live = conn;
    this.#planReconcile();
    if (this.#everLive) {
      this.#log.info("Stream reconnected");
      this.dispatchEvent(new Event("reconnected"));
    } else {
      this.#everLive = true;
      this.#log.info("Stream connected; the Fediverse bot is live");
      this.#ready.resolve();
      this.dispatchEvent(new Event("ready"));
    }
    const reason = await conn.ended;
    this.#disarmWatchdog();
    this.#live = null;
    this.#disarmReconcile();
    if (!this.closed) this.#log.warning("Stream lost: {reason}", { reason });
    await conn.settled(2000);
    return this.#timers.now() - liveSince;
  }

  #armWatchdog(conn: StreamConnection): void {
    this.#disarmWatchdog();
    const quietFor = this.#timers.now() - this.#lastActivity;
    this.#watchdog = this.#timers.setTimeout(
      () => void this.#checkQuiet(conn),
      Math.max(0, this.#stallMs - quietFor),
    );
  }

  #disarmWatchdog(): void {
    if (this.#watchdog !== null) this.#timers.clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  /** The stream was quiet for a while: a catch-up tells whether it still works. */
  async #checkQuiet(conn: StreamConnection): Promise<void> {
    this.#watchdog = null;
    if (this.closed || this.#conn !== conn) return;
    if (this.#timers.now() - this.#lastActivity < this.#stallMs) {
      this.#armWatchdog(conn);
      return;
    }
    let missed: number;
    try {
      missed = await this.#catchUp() + this.#missedSinceActivity;
    } catch (e) {
      if (this.closed || this.#conn !== conn) return;
      this.#log.warning("Checking a quiet stream failed ({error}); reconnecting", {
        error: describe(e),
      });
      conn.close("check failed");
      return;
    }
    if (this.closed || this.#conn !== conn) return;
    if (missed > 0) {
      this.#log.warning("The stream missed {count} notification(s): it is stalled", {
        count: missed,
      });
      this.dispatchEvent(new Event("stall"));
      conn.close("stalled");
      return;
    }
    this.#lastActivity = this.#timers.now();
    this.#armWatchdog(conn);
  }

  /**
   * (Re)plans the next reconciliation of the live stream: `reconcileIntervalMs` after the last
   * pass, or sooner once a burst of events has been over for `reconcileSettleMs`, though never
   * sooner than `reconcileMinGapMs` after the last pass.
   */
  #planReconcile(): void {
    const conn = this.#live;
    if (conn === null || this.closed || this.#conn !== conn) return;
    const interval = this.#o.reconcileIntervalMs ?? 60_000;
    let due = this.#lastPassAt + interval;
    if (this.#burst) {
      const settled = this.#lastEventAt + (this.#o.reconcileSettleMs ?? 5_000);
      const gap = this.#lastPassAt + (this.#o.reconcileMinGapMs ?? 30_000);
      due = Math.min(due, Math.max(settled, gap));
    }
    if (this.#reconcileTimer !== null && this.#reconcileDue === due) return;
    this.#disarmReconcile();
    this.#reconcileDue = due;
    this.#reconcileTimer = this.#timers.setTimeout(
      () => void this.#reconcile(conn),
      Math.max(0, due - this.#timers.now()),
    );
  }

  #disarmReconcile(): void {
    if (this.#reconcileTimer !== null) this.#timers.clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = null;
  }

  /** A catch-up while the stream is live: takes up what the stream skipped or lost. */
  async #reconcile(conn: StreamConnection): Promise<void> {
    this.#reconcileTimer = null;
    if (this.closed || this.#conn !== conn || this.#live !== conn) return;
    this.#burst = false;
    let found: number;
    try {
      found = await this.#catchUp();
    } catch (e) {
      if (this.closed) return;
      this.#log.warning("Reconciling the stream failed: {error}", { error: describe(e) });
      // Tried again with the next interval.
      this.#lastPassAt = this.#timers.now();
      this.#planReconcile();
      return;
    }
    if (found > 0) {
      this.#missedSinceActivity += found;
      this.inlet.noteRecovered(found);
      this.#log.info("Reconciliation took up {count} notification(s) the stream had not brought", {
        count: found,
      });
    } else this.#log.debug("Reconciliation found nothing the stream had missed");
    this.dispatchEvent(new CustomEvent("reconciled", { detail: found }));
  }

  /** A notification failed: walk the notifications again later. */
  #scheduleRetry(): void {
    if (this.closed || this.#retryTimer !== null) return;
    const base = this.#o.retryFailedMs ?? 30_000;
    const delay = backoffDelay(
      this.#retryRound++,
      { baseMs: base, maxMs: base * 20 },
      this.#random,
    );
    this.#log.info("Retrying failed notifications in {ms} ms", { ms: delay });
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      if (this.closed) return;
      this.#catchUp().then(
        () => {
          if (!this.inlet.frozen) this.#retryRound = 0;
        },
        () => this.#scheduleRetry(),
      );
    }, delay);
  }

  /** Closes the stream and stops every timer; waits for what is being handled. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    this.#abort.abort();
    this.#ready.reject(new Error("the Fediverse bot was closed"));
    this.#disarmWatchdog();
    this.#disarmReconcile();
    if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const conn = this.#conn;
    conn?.close("shutdown");
    await this.#loop?.catch(() => {});
    await this.#catchUps;
    await this.inlet.idle();
    await conn?.settled(2000);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
