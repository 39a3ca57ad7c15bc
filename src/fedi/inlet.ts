/**
 * The ordered way in for notifications, wherever they come from (the stream or a catch-up):
 * one at a time, in order, each handed to the core with the dedupe key `notif:<id>`, and the
 * "handled up to" marker (`fedi.last_notification_id`) moved forward behind them.
 *
 * The marker only ever covers notifications that are done: handled, deliberately ignored, or
 * given up after repeated failures. When one fails, the marker stops there ("frozen") and the bot
 * is told to run a catch-up later, which walks everything after the marker again: what was done
 * meanwhile is skipped (it is remembered here, and the core drops a key it has seen), the failed
 * one is tried again.
 *
 * While a catch-up runs, stream events are held back ({@link NotificationInlet.hold}) and handled
 * after it, so the order stays oldest first and nothing is handled twice.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { mastodon } from "masto";
import type { Inbound } from "../core/types.ts";
import type { Store } from "../store/store.ts";
import { compareIds } from "./ids.ts";
import { META } from "./meta_keys.ts";
import { isHandledType, type ReadContext, readNotification } from "./notification.ts";
import type { Timers } from "./timers.ts";

/** What the inlet hands events to: the core, or a spy around it. */
export interface InboundHandler {
  /** Handles one event; false when the key was handled before. Throws to have it retried. */
  handle(inbound: Inbound, dedupeKey: string | null): Promise<boolean>;
}

/** What became of one notification. */
export type Outcome =
  /** The core took it. */
  | "handled"
  /** Nothing to do (the bot's own, a public mention, the follow after a follow request...). */
  | "ignored"
  /** Seen already (in this process, before the marker, or by the core's dedupe key). */
  | "duplicate"
  /** Handling threw: it will be tried again. */
  | "failed"
  /** Handling threw too many times: left alone for good. */
  | "given-up";

export interface InletOptions {
  readonly core: InboundHandler;
  readonly store: Store;
  readonly context: () => ReadContext;
  readonly timers: Timers;
  readonly log: Logger;
  /** Told about each notification once it is dealt with. */
  readonly onOutcome?: (id: string, type: string, outcome: Outcome) => void;
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

const RECENT_MAX = 4000;

export class NotificationInlet {
  readonly stats = { handled: 0, ignored: 0, duplicates: 0, failed: 0, givenUp: 0 };
  readonly #opts: InletOptions;
  readonly #maxAttempts: number;
  readonly #pairWindow: number;
  #chain: Promise<unknown> = Promise.resolve();
  #holds = 0;
  #held: mastodon.v1.Notification[] = [];
  /** Ids done in this process, oldest first. */
  readonly #recent = new Set<string>();
  readonly #attempts = new Map<string, number>();
  #frozen = false;

  constructor(opts: InletOptions) {
    this.#opts = opts;
    this.#maxAttempts = opts.maxAttempts ?? 5;
    this.#pairWindow = opts.followPairWindowMs ?? 24 * 3600_000;
  }

  /** The id up to which every notification is done, or null before the first start. */
  get marker(): string | null {
    return this.#opts.store.meta.get(META.lastNotificationId) ?? null;
  }

  /** Sets the marker (the first start begins after the newest notification). */
  setMarker(id: string): void {
    this.#opts.store.meta.set(META.lastNotificationId, id);
  }

  /** Whether the marker waits for a failed notification to be retried. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** A notification from the stream: handled in turn, or held while a catch-up runs. */
  push(n: mastodon.v1.Notification): void {
    if (!isHandledType(n.type)) return;
    if (this.#holds > 0) this.#held.push(n);
    else void this.#enqueue(n);
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
      for (const n of this.#held.splice(0)) void this.#enqueue(n);
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
   * Starts a catch-up pass: it walks every notification after the marker, in order, so the
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
    return this.#enqueue(n);
  }

  #enqueue(n: mastodon.v1.Notification): Promise<Outcome> {
    const next = this.#chain.then(() => this.#handle(n));
    this.#chain = next;
    return next;
  }

  #isDone(id: string): boolean {
    if (this.#recent.has(id)) return true;
    const marker = this.marker;
    return marker !== null && compareIds(id, marker) <= 0;
  }

  /** Deals with one notification; never throws (a failure is an outcome). */
  async #handle(n: mastodon.v1.Notification): Promise<Outcome> {
    const { log, onOutcome } = this.#opts;
    let outcome: Outcome;
    try {
      outcome = await this.#decide(n);
    } catch (e) {
      outcome = this.#failed(n, e);
    }
    switch (outcome) {
      case "failed":
        this.stats.failed++;
        this.#frozen = true;
        this.#opts.onFailure?.();
        break;
      case "handled":
        this.stats.handled++;
        break;
      case "ignored":
        this.stats.ignored++;
        break;
      case "duplicate":
        this.stats.duplicates++;
        break;
      case "given-up":
        this.stats.givenUp++;
        log.error("Gave up notification {id} ({type}) after {attempts} failures", {
          id: n.id,
          type: n.type,
          attempts: this.#maxAttempts,
        });
        break;
    }
    if (outcome !== "failed") {
      try {
        this.#done(n.id);
      } catch (e) {
        // The marker could not be written: it stays behind, and a later pass walks again.
        this.#frozen = true;
        log.error("Cannot record notification {id} as done: {error}", {
          id: n.id,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    try {
      onOutcome?.(n.id, n.type, outcome);
    } catch {
      // A listener's trouble is not the notification's.
    }
    return outcome;
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
      { id: n.id, type: n.type, attempts, error: e instanceof Error ? e.message : String(e) },
    );
    return "failed";
  }

  async #decide(n: mastodon.v1.Notification): Promise<Outcome> {
    if (this.#isDone(n.id)) return "duplicate";
    const { core, log } = this.#opts;
    const reading = readNotification(n, this.#opts.context());
    if (reading.skip !== undefined) {
      log.debug("Notification {id} ({type}) ignored: {reason}", {
        id: n.id,
        type: n.type,
        reason: reading.skip,
      });
      return "ignored";
    }
    const inbound = reading.inbound;
    if (inbound.kind === "follow" && !inbound.request && this.#takeFollowRequest(n.account.id)) {
      log.debug("Follow {id} comes after a follow request already handled", { id: n.id });
      return "ignored";
    }
    const fresh = await core.handle(inbound, `notif:${n.id}`);
    this.#attempts.delete(n.id);
    if (inbound.kind === "follow" && inbound.request) this.#noteFollowRequest(n.account.id);
    return fresh ? "handled" : "duplicate";
  }

  #done(id: string): void {
    this.#recent.add(id);
    if (this.#recent.size > RECENT_MAX) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    if (this.#frozen) return;
    const marker = this.marker;
    if (marker === null || compareIds(id, marker) > 0) this.setMarker(id);
  }

  #readRequests(): Record<string, number> {
    const raw = this.#opts.store.meta.get(META.recentFollowRequests);
    if (raw === undefined) return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed !== null && typeof parsed === "object" ? parsed as Record<string, number> : {};
    } catch {
      return {};
    }
  }

  #writeRequests(map: Record<string, number>): void {
    const now = this.#opts.timers.now();
    const kept = Object.fromEntries(
      Object.entries(map).filter(([, at]) => typeof at === "number" && now - at < this.#pairWindow),
    );
    this.#opts.store.meta.set(META.recentFollowRequests, JSON.stringify(kept));
  }

  #noteFollowRequest(accountId: string): void {
    const map = this.#readRequests();
    map[accountId] = this.#opts.timers.now();
    this.#writeRequests(map);
  }

  /** Whether a follow request of `accountId` was handled lately; forgets it if so. */
  #takeFollowRequest(accountId: string): boolean {
    const map = this.#readRequests();
    const at = map[accountId];
    if (at === undefined) return false;
    delete map[accountId];
    this.#writeRequests(map);
    return this.#opts.timers.now() - at < this.#pairWindow;
  }
}
