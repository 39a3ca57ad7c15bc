/**
 * The ordered way in for notifications, wherever they come from (the stream or a catch-up):
 * one at a time, each handed to the core with the dedupe key `notif:<id>`.
 *
 * Whether a notification was dealt with before is decided by its own key only, never by its id's
 * place: servers create and stream notifications from concurrent workers, so an older id can come
 * after a newer one, and a stream can lose events. The key is remembered in three places: a set of
 * the ids done in this process (a cheap first filter), the store's `inbound` table (the core
 * records the key in the same transaction as the change the notification causes; the inlet records
 * there the ones it leaves alone, so a restart does not take them up again), and nothing else.
 *
 * The marker (`fedi.last_notification_id`) is the newest id done: it only says where a catch-up
 * starts (a catch-up walks from a point well behind it, see catch_up.ts). When a notification
 * fails, the marker stops there ("frozen") and the bot is told to run a catch-up later, which
 * walks everything again: what was done meanwhile is a duplicate, the failed one is tried again.
 * The floor (`fedi.notification_floor`) is the newest notification when the bridge first started:
 * nothing at or below it is ever taken up.
 *
 * While a catch-up runs, stream events are held back ({@link NotificationInlet.hold}) and handled
 * after it, so nothing is handled twice at the same time.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { mastodon } from "masto";
import { FEDI } from "../core/types.ts";
import type { InboundHandler } from "../core/ports.ts";
import type { CoreStore } from "../core/ports.ts";
import { compareIds } from "./ids.ts";
import { META } from "./meta_keys.ts";
import { RecentFollowRequests } from "./follow_requests.ts";
import { isHandledType, type ReadContext, readNotification } from "./notification.ts";
import type { Clock } from "../core/ports.ts";
import { errorText } from "../text/errors.ts";
import { InletTally, type Outcome, type Source } from "./inlet_tally.ts";

export type { Outcome } from "./inlet_tally.ts";

export interface InletOptions {
  readonly core: InboundHandler;
  readonly store: CoreStore;
  readonly context: () => ReadContext;
  readonly timers: Clock;
  readonly log: Logger;
  /** Told about each notification once it is dealt with (`reason`: why ignored or duplicate). */
  readonly onOutcome?: (id: string, type: string, outcome: Outcome, reason: string | null) => void;
  /** Told when a notification failed, so that a catch-up is planned. */
  readonly onFailure?: () => void;
  /** How many times a notification is tried before it is given up (default 5). */
  readonly maxAttempts?: number;
  /**
   * How long a handled follow request makes the next `follow` of the same account a duplicate
   * (GoToSocial sends one once the request is accepted). Default one day.
   */
  readonly followPairWindowMs?: number;
}

export class NotificationInlet {
  /** What became of the notifications, counted (see {@link InletTally}). */
  readonly #tally: InletTally;
  readonly #opts: InletOptions;
  readonly #maxAttempts: number;
  readonly #followRequests: RecentFollowRequests;
  #chain: Promise<unknown> = Promise.resolve();
  #holds = 0;
  #held: mastodon.v1.Notification[] = [];
  readonly #attempts = new Map<string, number>();
  #frozen = false;

  /**
   * Counts of this process. A catch-up reading a done notification again is `rechecked`, not a
   * duplicate: the catch-up's overlap does that on purpose.
   */
  get stats(): InletTally["stats"] {
    return this.#tally.stats;
  }

  constructor(opts: InletOptions) {
    this.#opts = opts;
    this.#maxAttempts = opts.maxAttempts ?? 5;
    this.#tally = new InletTally(opts.store, opts.timers, opts.log, this.#maxAttempts);
    this.#followRequests = new RecentFollowRequests(
      opts.store.meta,
      opts.timers,
      opts.followPairWindowMs ?? 24 * 3600_000,
    );
  }

  /** The newest id done (where catch-ups start from), or null before the first start. */
  get marker(): string | null {
    return this.#opts.store.meta.get(META.lastNotificationId) ?? null;
  }

  /** Sets the marker (the first start begins after the newest notification). */
  setMarker(id: string): void {
    this.#opts.store.meta.set(META.lastNotificationId, id);
  }

  /** The id at or below which nothing is taken up (null: not set, no limit). */
  get floor(): string | null {
    return this.#opts.store.meta.get(META.notificationFloor) ?? null;
  }

  /** Sets the floor: the first start leaves everything up to the newest notification alone. */
  setFloor(id: string): void {
    this.#opts.store.meta.set(META.notificationFloor, id);
  }

  /** The oldest id whose handling failed and waits for a retry, or null. */
  get retryFloor(): string | null {
    let oldest: string | null = null;
    for (const id of this.#attempts.keys()) {
      if (oldest === null || compareIds(id, oldest) < 0) oldest = id;
    }
    return oldest;
  }

  /**
   * Counts notifications that a reconciliation found while the stream was live, ones the stream
   * had not brought (dropped, or still on their way).
   */
  noteRecovered(count: number): void {
    if (count <= 0) return;
    this.#tally.recovered(count);
  }

  /** Whether the marker waits for a failed notification to be retried. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** A notification from the stream: handled in turn, or held while a catch-up runs. */
  push(n: mastodon.v1.Notification): void {
    if (!isHandledType(n.type)) return;
    if (this.#holds > 0) this.#held.push(n);
    else void this.#enqueue(n, "stream");
  }

  /** Holds stream events back until the matching {@link release}. */
  hold(): void {
    this.#holds++;
  }

  /** Ends a {@link hold}; the last one lets the held events through, in arrival order. */
  release(): void {
    if (this.#holds === 0) return;
    this.#holds--;
    if (this.#holds === 0) {
      for (const n of this.#held.splice(0)) void this.#enqueue(n, "stream");
    }
  }

  /** Resolves once everything queued so far is dealt with. */
  async idle(): Promise<void> {
    let last: Promise<unknown>;
    do {
      last = this.#chain;
      await last;
    } while (last !== this.#chain);
  }

  /**
   * Starts a catch-up pass: it walks every notification from well behind the marker, so the
   * marker may move again.
   */
  beginPass(): void {
    this.#frozen = false;
  }

  /** A pass was cut short: the marker stays until a complete pass. */
  interruptPass(): void {
    this.#frozen = true;
  }

  /** Handles one notification of a catch-up pass (call them oldest first). */
  process(n: mastodon.v1.Notification): Promise<Outcome> {
    return this.#enqueue(n, "catch-up");
  }

  #enqueue(n: mastodon.v1.Notification, source: Source): Promise<Outcome> {
    const next = this.#chain.then(() => this.#handle(n, source));
    this.#chain = next;
    return next;
  }

  /** Deals with one notification; never throws (a failure is an outcome). */
  async #handle(n: mastodon.v1.Notification, source: Source): Promise<Outcome> {
    let decision: Decision;
    try {
      decision = await this.#decide(n);
    } catch (e) {
      decision = { outcome: this.#failed(n, e), reason: null };
    }
    const { outcome, reason } = decision;
    if (outcome === "failed") {
      this.#frozen = true;
      this.#opts.onFailure?.();
    }
    this.#tally.record(n, source, outcome, reason);
    this.#settle(n, outcome);
    try {
      this.#opts.onOutcome?.(n.id, n.type, outcome, reason);
    } catch {
      // A listener's trouble is not the notification's.
    }
    return outcome;
  }

  /** Records an outcome that is final: done under its key, and the marker moved on. */
  #settle(n: mastodon.v1.Notification, outcome: Outcome): void {
    const { log } = this.#opts;
    if (outcome === "ignored" || outcome === "given-up") {
      // Recorded under its key as the core records what it handles: a restart leaves it alone.
      try {
        this.#opts.store.inbound.markHandled(FEDI, keyOf(n.id), this.#opts.timers.now());
      } catch (e) {
        log.warning("Cannot record notification {id} as done: {error}", {
          id: n.id,
          error: errorText(e),
        });
      }
    }
    if (outcome !== "failed") {
      try {
        this.#done(n.id);
      } catch (e) {
        // The marker could not be written: it stays behind, and a later pass walks again.
        this.#frozen = true;
        log.error("Cannot record notification {id} as done: {error}", {
          id: n.id,
          error: errorText(e),
        });
      }
    }
  }

  /** Counts a failed attempt: "failed" (to retry) or, after too many, "given-up". */
  #failed(n: mastodon.v1.Notification, e: unknown): Outcome {
    const attempts = (this.#attempts.get(n.id) ?? 0) + 1;
    if (attempts >= this.#maxAttempts) {
      this.#attempts.delete(n.id);
      return "given-up";
    }
    this.#attempts.set(n.id, attempts);
    this.#opts.log.warning(
      "Handling notification {id} ({type}) failed (attempt {attempts}): {error}",
      { id: n.id, type: n.type, attempts, error: errorText(e) },
    );
    return "failed";
  }

  async #decide(n: mastodon.v1.Notification): Promise<Decision> {
    // No memory of its own: the key in the store is the only judge. A Fediverse answer the core
    // holds back in its sender's lane is "handled" here before its key is committed; should it
    // fail there, the next catch-up must find it still to do.
    const floor = this.floor;
    if (floor !== null && compareIds(n.id, floor) <= 0) {
      return { outcome: "ignored", reason: "older than the bridge's first start" };
    }
    const { core, store } = this.#opts;
    const key = keyOf(n.id);
    if (store.inbound.isHandled(FEDI, key)) {
      return { outcome: "duplicate", reason: "its key is recorded as handled" };
    }
    const reading = readNotification(n, this.#opts.context());
    if (reading.skip !== undefined) return { outcome: "ignored", reason: reading.skip };
    const inbound = reading.inbound;
    if (inbound.kind === "follow" && !inbound.request && this.#followRequests.take(n.account.id)) {
      return { outcome: "ignored", reason: "a follow after its follow request" };
    }
    const fresh = await core.handle(inbound, key);
    this.#attempts.delete(n.id);
    if (inbound.kind === "follow" && inbound.request) this.#followRequests.note(n.account.id);
    return fresh
      ? { outcome: "handled", reason: null }
      : { outcome: "duplicate", reason: "the core has its key" };
  }

  #done(id: string): void {
    this.#attempts.delete(id);
    if (this.#frozen) return;
    const marker = this.marker;
    if (marker === null || compareIds(id, marker) > 0) this.setMarker(id);
  }
}

interface Decision {
  readonly outcome: Outcome;
  /** Why it is ignored or a duplicate; null otherwise. */
  readonly reason: string | null;
}

function keyOf(id: string): string {
  return `notif:${id}`;
}
