/**
 * The Fediverse bot's inbound side: sign in, then keep a stream of notifications going, catching
 * up on what it missed before relying on the stream again, every time. A connection: open and
 * subscribe (masto); catch up (fetch after the marker while the new stream's events wait); live
 * (events handled as they come; reconciliations, live_timers.ts, take up what the stream lost; a
 * quiet stream is checked by a catch-up, which drops it if it missed something: Mastodon sends no
 * heartbeat a WebSocket client sees); ended ("disconnected", a new attempt after a backoff with
 * jitter; attempts that cannot open a stream still catch up, so messages keep flowing).
 * Events: `ready`, `disconnected`, `reconnected`, `stall`, `notification` (detail
 * {@link NotificationEventDetail}), `reconciled` (detail: how many were taken up).
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { logger } from "../log.ts";
import { CatchUpQueue, DEFAULT_OVERLAP } from "./catch_up.ts";
import { NotificationInlet } from "./inbound.ts";
import type { ReadContext } from "./notification.ts";
import type { BotIdentity } from "./server_info.ts";
import { isPermissionError } from "../permission_error.ts";
import { StreamConnection } from "./stream.ts";
import { backoffDelay } from "../time/retry.ts";
import { sleep } from "../time/clock.ts";
import type { Clock } from "../core/ports.ts";
import { errorText } from "../text/errors.ts";
import { type FediBotOptions, type NotificationEventDetail, STABLE_MS } from "./bot_options.ts";
import { signIn, streamingRefused } from "./sign_in.ts";

export type { FediBotOptions, NotificationEventDetail } from "./bot_options.ts";
import { FailedRetry, ReconcilePlan, StallWatchdog } from "./live_timers.ts";
import { checkQuiet, type LiveChecks, reconcile } from "./live_checks.ts";

export class FediBot extends EventTarget implements AsyncDisposable {
  readonly inlet: NotificationInlet;
  readonly #o: FediBotOptions;
  readonly #log: Logger;
  readonly #timers: Clock;
  readonly #random: () => number;
  readonly #abort = new AbortController();
  #identity: BotIdentity | null = null;
  #streamingUrl: string | null = null;
  #conn: StreamConnection | null = null;
  #loop: Promise<void> | null = null;
  readonly #catchUps: CatchUpQueue;
  readonly #watch: StallWatchdog;
  readonly #retry: FailedRetry;
  readonly #checks: LiveChecks;
  /** The live connection that reconciliations are planned for, or null. */
  #live: StreamConnection | null = null;
  readonly #plan: ReconcilePlan;
  #everLive = false;
  readonly #ready = Promise.withResolvers<void>();

  constructor(opts: FediBotOptions) {
    super();
    this.#o = opts;
    this.#log = opts.log ?? logger("fedi", "bot");
    this.#timers = opts.timers;
    this.#random = opts.random ?? Math.random;
    this.#watch = new StallWatchdog(opts.timers, opts.stallTimeoutMs ?? 90_000);
    this.#plan = new ReconcilePlan(opts.timers, {
      intervalMs: opts.reconcileIntervalMs ?? 60_000,
      settleMs: opts.reconcileSettleMs ?? 5_000,
      minGapMs: opts.reconcileMinGapMs ?? 30_000,
    });
    const overlap = {
      ...DEFAULT_OVERLAP,
      count: opts.overlapCount ?? DEFAULT_OVERLAP.count,
      ms: opts.overlapMs ?? DEFAULT_OVERLAP.ms,
    };
    this.#ready.promise.catch(() => {});
    const retryMs = opts.retryFailedMs ?? 30_000;
    this.#retry = new FailedRetry(opts.timers, this.#random, retryMs, this.#log);
    this.#checks = {
      log: this.#log,
      watch: this.#watch,
      plan: this.#plan,
      closed: () => this.closed,
      current: () => this.#conn,
      live: () => this.#live,
      catchUp: () => this.#catchUps.run(),
      recovered: (count) => this.inlet.noteRecovered(count),
      emit: (event) => this.dispatchEvent(event),
      rearm: (conn) => this.#armWatchdog(conn),
      replan: () => this.#planReconcile(),
    };
    this.inlet = new NotificationInlet({
      core: opts.core,
      store: opts.store,
      timers: opts.timers,
      log: this.#log,
      context: (): ReadContext => ({
        apInstance: opts.config.apInstance,
        botId: this.#identity?.id ?? null,
        botAddress: opts.config.fediHandle,
      }),
      onOutcome: (id, type, outcome, reason) => {
        const detail: NotificationEventDetail = { id, type, outcome, reason };
        this.dispatchEvent(new CustomEvent("notification", { detail }));
      },
      onFailure: () => this.#scheduleRetry(),
    });
    const pass = { api: opts.api, inlet: this.inlet, pageSize: opts.pageSize ?? 40, overlap };
    this.#catchUps = new CatchUpQueue({ ...pass, signal: this.#abort.signal }, () => {
      this.#plan.passEnded();
      // A pass that left the marker behind (a failure, a cut-short walk) is to be walked again.
      if (this.inlet.frozen) this.#scheduleRetry();
      this.#planReconcile();
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
    const { identity, streamingUrl } = await signIn({
      ...this.#o,
      inlet: this.inlet,
      log: this.#log,
      signal: this.#abort.signal,
      backoff: (attempt) => this.#backoff(attempt),
    });
    this.#identity = identity;
    this.#streamingUrl = streamingUrl;
    this.#loop = this.#run().catch((e) => {
      // Not expected (every step handles its own failures); logged rather than crashing.
      this.#log.error("The Fediverse bot stopped: {error}", { error: errorText(e) });
    });
    await this.#ready.promise;
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, {
      baseMs: this.#o.reconnectBaseMs ?? 1000,
      maxMs: this.#o.reconnectMaxMs ?? 120_000,
    }, this.#random);
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
        await this.#catchUps.run().catch(() => {});
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
        this.#plan.event();
        this.#planReconcile();
      },
      onStatusEvent: (e) => this.#conn === conn && this.#o.onStatusEvent?.(e),
      onActivity: () => this.#watch.activity(),
    });
    return conn;
  }

  /** One connection, from opening to its end. Returns how long it was live (null: never). */
  async #connectOnce(): Promise<number | null> {
    let conn: StreamConnection;
    const url = this.#streamingUrl;
    try {
      conn = this.#openStream();
    } catch (e) {
      // The permission set will never allow this host: stop, naming the key (the caller exits
      // with code 77), rather than retrying forever. A bad address is retried after the backoff.
      if (isPermissionError(e)) {
        this.#ready.reject(streamingRefused(url, e));
        this.#abort.abort();
      } else {this.#log.error("Cannot open the stream at {url}: {error}", {
          url,
          error: errorText(e),
        });}
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
      await this.#catchUps.run();
      release();
    } catch (e) {
      release();
      const reason = await Promise.race([conn.ended, Promise.resolve(null)]);
      conn.close("catch-up failed");
      const error = reason ?? errorText(e);
      this.#log.warning("Connecting to the stream at {url} failed: {error}", { url, error });
      await conn.settled(2000);
      return null;
    }
    if (this.closed) {
      conn.close("shutdown");
      return null;
    }
    const liveSince = this.#timers.now();
    this.#watch.activity();
    this.#armWatchdog(conn);
    this.#live = conn;
    this.#planReconcile();
    this.#announceLive();
    const reason = await conn.ended;
    this.#watch.disarm();
    this.#live = null;
    this.#plan.disarm();
    if (!this.closed) this.#log.warning("Stream lost: {reason}", { reason });
    await conn.settled(2000);
    return this.#timers.now() - liveSince;
  }

  /** The stream is live: `ready` the first time, `reconnected` after. */
  #announceLive(): void {
    if (this.#everLive) {
      this.#log.info("Stream reconnected");
      this.dispatchEvent(new Event("reconnected"));
      return;
    }
    this.#everLive = true;
    this.#log.info("Stream connected; the Fediverse bot is live");
    this.#ready.resolve();
    this.dispatchEvent(new Event("ready"));
  }

  #armWatchdog(conn: StreamConnection): void {
    this.#watch.arm(() => void checkQuiet(this.#checks, conn));
  }

  /** (Re)plans the next reconciliation of the live stream (see {@link ReconcilePlan.plan}). */
  #planReconcile(): void {
    const conn = this.#live;
    if (conn === null || this.closed || this.#conn !== conn) return;
    this.#plan.plan(() => void reconcile(this.#checks, conn));
  }

  /** A notification failed: walk the notifications again later. */
  #scheduleRetry(): void {
    if (this.closed) return;
    this.#retry.schedule(() => this.#catchUps.run(), () => this.inlet.frozen, () => this.closed);
  }

  /** Closes the stream and stops every timer; waits for what is being handled. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    this.#abort.abort();
    this.#ready.reject(new Error("the Fediverse bot was closed"));
    this.#watch.disarm();
    this.#plan.disarm();
    this.#retry.disarm();
    const conn = this.#conn;
    conn?.close("shutdown");
    await this.#loop?.catch(() => {});
    await this.#catchUps.idle();
    await this.inlet.idle();
    await conn?.settled(2000);
  }
}
