/**
 * Conversation records: one row per successful delivery of a message to one
 * recipient. They drive replies, resends, the rate limit and retention.
 *
 * The sender of a record is always on the other network than its recipient, so
 * only the recipient's type is stored.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  type AccountType,
  intOf,
  normalizeAddress,
  otherType,
  type Row,
  textOf,
  textOrNull,
  typeOf,
} from "./types.ts";

/** What a delivery records. */
export interface NewConversationRecord {
  /** Network of the recipient (the sender is on the other one). */
  readonly recipientType: AccountType;
  readonly recipient: string;
  readonly sender: string;
  readonly at: number;
  /** Id of the sender's message on the sender's network, when it has one. */
  readonly sourceId: string | null;
  /** Id of the message the bot posted to the recipient; null until known. */
  readonly postedId: string | null;
}

/** A stored delivery. */
export interface ConversationRecord extends NewConversationRecord {
  readonly id: number;
}

/** Rows per DELETE statement of {@link Conversations.deleteBefore}. */
export const DELETE_BATCH = 10_000;

/** SQL of this module, exported for the query-plan test. */
export const CONVERSATIONS_SQL = {
  record: `INSERT INTO conversations (type, recipient, sender, at, source_id, posted_id)
    VALUES (:type, :recipient, :sender, :at, :sourceId, :postedId) RETURNING id`,
  setPostedId: "UPDATE conversations SET posted_id = :postedId WHERE id = :id",
  countSentSince: `SELECT (SELECT count(*) FROM conversations
      WHERE type = :type AND sender = :sender AND at >= :since) + (SELECT count(*) FROM carried_sends
      WHERE type = :type AND sender = :sender AND at >= :since) AS n`,
  findByPostedId: `SELECT * FROM conversations WHERE type = :type AND posted_id = :postedId
    ORDER BY id`,
  findBySourceId: `SELECT * FROM conversations
    WHERE type = :type AND source_id = :sourceId AND sender = :sender ORDER BY id`,
  senderOfSource: `SELECT sender FROM conversations WHERE type = :type AND source_id = :sourceId
    ORDER BY id LIMIT 1`,
  lastReceivedBy: `SELECT * FROM conversations WHERE type = :type AND recipient = :recipient
    ORDER BY at DESC, id DESC LIMIT 1`,
  lastSentBy: `WITH last AS (
      SELECT id, source_id FROM conversations WHERE type = :type AND sender = :sender
      ORDER BY at DESC, id DESC LIMIT 1)
    SELECT c.* FROM conversations AS c, last
    WHERE c.type = :type AND c.sender = :sender AND (c.id = last.id OR c.source_id = last.source_id)
    ORDER BY c.id`,
  deleteUnposted: "DELETE FROM conversations WHERE id = :id AND posted_id IS NULL",
  deleteId: "DELETE FROM conversations WHERE id = :id",
  deleteTo: "DELETE FROM conversations WHERE type = :type AND recipient = :address",
  deleteFrom: "DELETE FROM conversations WHERE type = :type AND sender = :address",
  deleteBefore: `DELETE FROM conversations WHERE id IN (
    SELECT id FROM conversations WHERE at < :before LIMIT :limit)`,
} as const;

/** Access to the `conversations` table. */
export class Conversations {
  readonly #record: StatementSync;
  readonly #setPostedId: StatementSync;
  readonly #countSentSince: StatementSync;
  readonly #findByPostedId: StatementSync;
  readonly #findBySourceId: StatementSync;
  readonly #lastReceivedBy: StatementSync;
  readonly #senderOfSource: StatementSync;
  readonly #lastSentBy: StatementSync;
  readonly #deleteUnposted: StatementSync;
  readonly #deleteId: StatementSync;
  readonly #deleteTo: StatementSync;
  readonly #deleteFrom: StatementSync;
  readonly #deleteBefore: StatementSync;

  constructor(db: DatabaseSync) {
    this.#record = db.prepare(CONVERSATIONS_SQL.record);
    this.#setPostedId = db.prepare(CONVERSATIONS_SQL.setPostedId);
    this.#countSentSince = db.prepare(CONVERSATIONS_SQL.countSentSince);
    this.#findByPostedId = db.prepare(CONVERSATIONS_SQL.findByPostedId);
    this.#findBySourceId = db.prepare(CONVERSATIONS_SQL.findBySourceId);
    this.#lastReceivedBy = db.prepare(CONVERSATIONS_SQL.lastReceivedBy);
    this.#senderOfSource = db.prepare(CONVERSATIONS_SQL.senderOfSource);
    this.#lastSentBy = db.prepare(CONVERSATIONS_SQL.lastSentBy);
    this.#deleteUnposted = db.prepare(CONVERSATIONS_SQL.deleteUnposted);
    this.#deleteId = db.prepare(CONVERSATIONS_SQL.deleteId);
    this.#deleteTo = db.prepare(CONVERSATIONS_SQL.deleteTo);
    this.#deleteFrom = db.prepare(CONVERSATIONS_SQL.deleteFrom);
    this.#deleteBefore = db.prepare(CONVERSATIONS_SQL.deleteBefore);
  }

  /** Records one delivery and returns it with its id. */
  record(input: NewConversationRecord): ConversationRecord {
    const recipient = normalizeAddress(input.recipient);
    const sender = normalizeAddress(input.sender);
    const row = this.#record.get({
      type: input.recipientType,
      recipient,
      sender,
      at: input.at,
      sourceId: input.sourceId,
      postedId: input.postedId,
    })!;
    return { ...input, recipient, sender, id: intOf(row, "id") };
  }

  /** Fills in the posted message id once the send succeeded; false for an unknown id. */
  setPostedId(id: number, postedId: string): boolean {
    return this.#setPostedId.run({ id, postedId }).changes > 0;
  }

  /**
   * How many deliveries `sender` made since `since` (inclusive). A message to three
   * recipients counts three: this is the rate-limit measure. Deliveries made before the
   * sender last unregistered count too (their times are kept, see `Users.revoke`).
   */
  countSentSince(senderType: AccountType, sender: string, since: number): number {
    const row = this.#countSentSince.get({
      type: otherType(senderType),
      sender: normalizeAddress(sender),
      since,
    })!;
    return intOf(row, "n");
  }

  /**
   * The deliveries whose posted message has this id on `network` (the recipients'
   * network), oldest first. A Fediverse status mentioning several recipients gives
   * several records with the same sender. The caller checks that whoever replies
   * is among the recipients.
   */
  findByPostedId(network: AccountType, postedId: string): ConversationRecord[] {
    return this.#findByPostedId.all({ type: network, postedId }).map(toRecord);
  }

  /**
   * The deliveries of `sender`'s message with id `sourceId` (an id on the sender's
   * network), oldest first: who it went to, for a resend.
   */
  findBySourceId(senderType: AccountType, sender: string, sourceId: string): ConversationRecord[] {
    return this.#findBySourceId.all({
      type: otherType(senderType),
      sender: normalizeAddress(sender),
      sourceId,
    }).map(toRecord);
  }

  /**
   * Who sent the message with id `sourceId` delivered to `recipientType` accounts, or null when
   * no such delivery is recorded (a Fediverse deletion names the status only, not its author).
   */
  senderOfSource(recipientType: AccountType, sourceId: string): string | null {
    const row = this.#senderOfSource.get({ type: recipientType, sourceId });
    return row === undefined ? null : textOf(row, "sender");
  }

  /** The latest delivery to `recipient`, if any. */
  lastReceivedBy(recipientType: AccountType, recipient: string): ConversationRecord | undefined {
    const row = this.#lastReceivedBy.get({
      type: recipientType,
      recipient: normalizeAddress(recipient),
    });
    return row === undefined ? undefined : toRecord(row);
  }

  /**
   * The deliveries of the latest message `sender` sent (every record sharing the
   * source id of their latest record; only that record when it has no source id),
   * oldest first; empty when they sent nothing.
   */
  lastSentBy(senderType: AccountType, sender: string): ConversationRecord[] {
    return this.#lastSentBy.all({
      type: otherType(senderType),
      sender: normalizeAddress(sender),
    }).map(toRecord);
  }

  /**
   * Deletes those of `ids` whose message was never posted (no posted id): a delivery that was
   * given up is no delivery, and its recipient is no longer waiting for it. Returns how many went.
   */
  deleteUnposted(ids: readonly number[]): number {
    let n = 0;
    for (const id of ids) n += Number(this.#deleteUnposted.run({ id }).changes);
    return n;
  }

  /** Deletes records by id (a delivery cancelled before it went); returns how many went. */
  deleteIds(ids: readonly number[]): number {
    let n = 0;
    for (const id of ids) n += Number(this.#deleteId.run({ id }).changes);
    return n;
  }

  /** Deletes every record to or from an account; returns how many went. */
  deleteInvolving(type: AccountType, address: string): number {
    const normalized = normalizeAddress(address);
    const to = this.#deleteTo.run({ type, address: normalized }).changes;
    const from = this.#deleteFrom.run({ type: otherType(type), address: normalized }).changes;
    return Number(to) + Number(from);
  }

  /**
   * Deletes the records strictly older than `before`; returns how many went. The
   * rows go in batches of `batch`, each its own transaction when called outside
   * one, so that the other process sharing the file never waits for a whole
   * large purge (it holds the write lock for one batch at a time).
   */
  deleteBefore(before: number, batch: number = DELETE_BATCH): number {
    let total = 0;
    for (;;) {
      const deleted = this.deleteSomeBefore(before, batch);
      total += deleted;
      if (deleted < batch) return total;
    }
  }

  /**
   * Deletes at most `limit` of the records strictly older than `before`, in one statement;
   * returns how many went (fewer than `limit`: none is left).
   */
  deleteSomeBefore(before: number, limit: number): number {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`bad batch size ${limit}`);
    return Number(this.#deleteBefore.run({ before, limit }).changes);
  }
}

function toRecord(row: Row): ConversationRecord {
  return {
    id: intOf(row, "id"),
    recipientType: typeOf(row),
    recipient: textOf(row, "recipient"),
    sender: textOf(row, "sender"),
    at: intOf(row, "at"),
    sourceId: textOrNull(row, "source_id"),
    postedId: textOrNull(row, "posted_id"),
  };
}
