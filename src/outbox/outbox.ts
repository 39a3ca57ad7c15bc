/**
 * The outbox: effects become rows of the `outbox` table in the transaction of the change that
 * caused them (the core's `emit`), and outcomes of sends become state changes, conversation ids
 * and notices to senders, again in one transaction each.
 */
import type { Settlement } from "./settlement.ts";
import type { Prefixes } from "../config/mod.ts";
import type { I18n } from "../i18n/mod.ts";
import type { CoreStore } from "../core/ports.ts";
import { OUTBOX_GIVEN_UP, OUTBOX_SENT, type OutboxRow } from "../store/outbox.ts";
import {
  type Account,
  type AccountType,
  type AmendEffect,
  type Effect,
  FEDI,
  XMPP,
} from "../core/types.ts";
import type { MessageKey } from "../i18n/mod.ts";
import { afterGivenUp, afterSent } from "./receipts.ts";

/** The effect that carries a message across the bridge. */
export type DeliverEffect = Extract<Effect, { kind: "deliver" }>;

export type { Settlement } from "./settlement.ts";

/** The network that sends an effect. */
export function networkOf(effect: Effect): AccountType {
  return effect.kind === "deliver" ? (effect.to[0]?.network ?? FEDI) : effect.to.network;
}

/**
 * The lane orders rows: only the oldest pending row of a lane is sent. Deliveries keep their
 * sender's order (a conversation reads as it was written); notices and contact changes keep the
 * order of what is said to one account.
 */
export function laneOf(effect: Effect): string {
  // A change to a carried message follows the deliveries of its author.
  const byAuthor = effect.kind === "deliver" || effect.kind === "amend";
  return byAuthor ? `from:${effect.from.address}` : `to:${effect.to.address}`;
}

/** Meta key of this database's random key prefix. */
export const KEY_PREFIX_META = "outbox.key_prefix";

/**
 * The Idempotency-Key / stanza id base of a row: stable across every attempt, and unique across
 * databases too (a database recreated or restored from a backup gets a new random prefix), so a
 * new post can never be mistaken by Mastodon for an old one with the same row id.
 */
export function keyOf(prefix: string, row: OutboxRow): string {
  return `xapb-${prefix}-${row.id}`;
}

/** What the outbox works with. */
export interface OutboxDeps {
  /** Where the rows live (the same database as the core's state). */
  readonly store: CoreStore;
  /** The texts of the notices to senders (delivered, given up, bounced). */
  readonly i18n: I18n;
  /** How accounts are written in those notices. */
  readonly prefixes: Prefixes;
  /** Epoch ms, for the rows' times. */
  readonly now: () => number;
}

/**
 * The outbox table as the core and the workers use it: rows in, outcomes back (see the module
 * comment). One per process; the workers of both roles share it.
 */
export class Outbox {
  readonly #listeners = new Set<(network: AccountType) => void>();
  readonly #settled = new Set<() => void>();

  /** This database's key prefix (see {@link keyOf}). */
  readonly keyPrefix: string;

  /** Reads (or makes) this database's key prefix. */
  constructor(readonly deps: OutboxDeps) {
    const { meta } = deps.store;
    this.keyPrefix = deps.store.transaction(() => {
      const known = meta.get(KEY_PREFIX_META);
      if (known !== undefined) return known;
      const fresh = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
      meta.set(KEY_PREFIX_META, fresh);
      return fresh;
    });
  }

  /**
   * Writes effects as pending rows. Called by the core inside its transaction; the workers of
   * this process are woken once the current task is over (the transaction is committed by then).
   */
  enqueue(effects: readonly Effect[]): void {
    const { store, now } = this.deps;
    const networks = new Set<AccountType>();
    for (const effect of effects) {
      if (effect.kind === "deliver" && effect.to.length === 0) continue;
      const network = networkOf(effect);
      store.outbox.insert(network, laneOf(effect), JSON.stringify(effect), now());
      networks.add(network);
    }
    if (networks.size > 0) {
      queueMicrotask(() => {
        for (const n of networks) for (const listener of this.#listeners) listener(n);
      });
    }
  }

  /**
   * Writes one effect in a lane of its own (`aside:` and its usual lane), so it does not wait
   * behind the rows of its usual lane; the Fediverse budget shares let such rows pass (the
   * notice that an account is being slowed down).
   */
  enqueueAside(effect: Effect): void {
    const { store, now } = this.deps;
    const network = networkOf(effect);
    store.outbox.insert(network, `aside:${laneOf(effect)}`, JSON.stringify(effect), now());
    queueMicrotask(() => {
      for (const listener of this.#listeners) listener(network);
    });
  }

  /** Calls `listener` when rows of a network were added in this process. */
  onEnqueued(listener: (network: AccountType) => void): Disposable {
    this.#listeners.add(listener);
    return { [Symbol.dispose]: () => this.#listeners.delete(listener) };
  }

  /** Resolves at the next settled row (true), or false after `timeoutMs`. */
  nextSettled(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#settled.delete(done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#settled.add(done);
    });
  }

  #announceSettled(): void {
    const waiting = [...this.#settled];
    this.#settled.clear();
    for (const done of waiting) done();
  }

  /** Closes a row as sent: records posted ids and confirms to the sender when asked. */
  settleSent(
    row: OutboxRow,
    effect: Effect,
    postedId: string | null,
    asLinks: readonly string[] = [],
  ): void {
    this.settleMany([{ outcome: "sent", row, effect, postedId, asLinks }]);
  }

  /**
   * Closes a row as given up; a sender whose message did not go through is always told. The
   * records of a status that was never posted go too: they would leave its recipients "in
   * flight" for good, and every later answer of theirs would wait for a send that never comes.
   */
  settleGivenUp(row: OutboxRow, effect: Effect, reason: string): void {
    this.settleMany([{ outcome: "given-up", row, effect, reason }]);
  }

  /**
   * Records the outcomes of a drained group of rows in one transaction (one commit for the
   * group, not one per row), then wakes those waiting for a settled row once. Should the group's
   * transaction fail, each outcome is tried in a transaction of its own, so that one bad row
   * does not hold back the others; the first error is thrown after all were tried.
   */
  settleMany(settlements: readonly Settlement[]): void {
    if (settlements.length === 0) return;
    const { store } = this.deps;
    try {
      store.transaction(() => {
        for (const s of settlements) this.#apply(s);
      });
    } catch (groupError) {
      if (settlements.length === 1) throw groupError;
      let first: unknown = null;
      for (const s of settlements) {
        try {
          store.transaction(() => this.#apply(s));
        } catch (e) {
          first ??= e;
        }
      }
      if (first !== null) throw first;
    } finally {
      this.#announceSettled();
    }
  }

  /** One outcome's writes; inside the caller's transaction. */
  #apply(s: Settlement): void {
    const { store, now } = this.deps;
    const { row, effect } = s;
    switch (s.outcome) {
      case "sent":
        if (!store.outbox.close(row.id, OUTBOX_SENT, now())) return;
        if (effect.kind !== "deliver") return;
        if (s.postedId !== null && effect.messageId === null) {
          for (const id of effect.records) store.conversations.setPostedId(id, s.postedId);
        }
        for (const url of s.asLinks ?? []) {
          this.#tellSender(effect, "outbox.media_as_link", { url });
        }
        if (effect.confirm) this.#tellSender(effect, "outbox.delivered");
        this.enqueue(afterSent(store, effect, now()));
        return;
      case "given-up":
        if (!store.outbox.close(row.id, OUTBOX_GIVEN_UP, now(), s.reason)) return;
        if (effect.kind === "amend") return this.#tellAmendFailed(effect);
        if (effect.kind !== "deliver") return;
        store.conversations.deleteUnposted(effect.records);
        afterGivenUp(store, effect);
        this.#tellSender(effect, "outbox.not_delivered");
        return;
      case "retry":
        store.outbox.retry(row.id, s.nextAt, s.error);
        return;
    }
  }

  /**
   * An XMPP message we delivered came back as an error stanza from its recipient (`from`, a bare
   * JID): tell its original sender, once. Returns false when the id is not one of our deliveries
   * to `from`.
   */
  reportBounce(messageId: string, from: string): boolean {
    const { store, i18n, now } = this.deps;
    const records = store.conversations.findByPostedId(XMPP, messageId);
    // Anyone can send an error naming any id: only the recipient's own error counts.
    const record = records.find((r) => r.recipient === from.toLowerCase());
    if (record === undefined) return false;
    const sender: Account = { network: FEDI, address: record.sender };
    const user = store.users.get(FEDI, sender.address);
    const text = i18n.t(user?.lang ?? null, "outbox.bounced", {
      recipients: this.#describe({ network: XMPP, address: record.recipient }),
    });
    store.transaction(() => {
      if (!store.inbound.markHandled(XMPP, `bounce:${messageId}`, now())) return;
      this.enqueue([{ kind: "notice", to: sender, text, inReplyTo: record.sourceId }]);
    });
    return true;
  }

  /**
   * A XEP-0184 receipt came from `from` (bare JID) for message `messageId` the bot sent: recorded
   * when it is one of our deliveries to them. Returns whether it was.
   */
  recordReceipt(messageId: string, from: string): boolean {
    return this.deps.store.receipts.confirm(from, messageId, this.deps.now());
  }

  #tellSender(effect: DeliverEffect, key: MessageKey, params: Record<string, string> = {}): void {
    const recipients = effect.to.map((a) => this.#describe(a)).join(", ");
    const text = this.deps.i18n.t(effect.senderLang, key, { recipients, ...params });
    const inReplyTo = effect.from.network === FEDI ? effect.sourceId : null;
    this.enqueue([{ kind: "notice", to: effect.from, text, inReplyTo }]);
  }

  /** An XMPP user's change that the Fediverse server refused or that was given up. */
  #tellAmendFailed(effect: AmendEffect): void {
    if (effect.from.network !== XMPP) return;
    const key: MessageKey = `amend.failed_${effect.action}`;
    const text = this.deps.i18n.t(effect.senderLang, key);
    this.enqueue([{ kind: "notice", to: effect.from, text, inReplyTo: null }]);
  }

  #describe(account: Account): string {
    const { prefixes } = this.deps;
    return account.network === FEDI
      ? `${prefixes.fedi}${account.address}`
      : `${prefixes.xmpp}${account.address}`;
  }
}
