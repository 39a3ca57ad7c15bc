/**
 * The `xmpp_receipts` table: the XEP-0184 receipts the bot asked for on its deliveries to XMPP
 * users, and which of them came back. A row is written when a delivery was accepted by the XMPP
 * server (`sent_at`) and gets `received_at` when the recipient's client confirms it, so `!status`
 * can show the share of deliveries confirmed. Keyed by the recipient and the stanza id: a receipt
 * from anyone else, or for an id the bot never sent them, changes nothing.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { intOf, normalizeAddress } from "./types.ts";

/** SQL of this module, exported for the query-plan test. */
export const RECEIPTS_SQL = {
  expect: `INSERT INTO xmpp_receipts (recipient, message_id, sent_at) VALUES (:recipient, :id, :at)
    ON CONFLICT (recipient, message_id) DO NOTHING`,
  // A receipt may overtake the server's acknowledgement of the delivery (the row is then written
  // here, and `expect` leaves it); it counts only for a message the bot recorded for that recipient.
  confirm: `INSERT INTO xmpp_receipts (recipient, message_id, sent_at, received_at)
    SELECT :recipient, :id, :at, :at WHERE EXISTS (SELECT 1 FROM conversations
      WHERE type = 1 AND posted_id = :id AND recipient = :recipient)
    ON CONFLICT (recipient, message_id) DO UPDATE SET received_at = :at
      WHERE received_at IS NULL`,
  shareSince: `SELECT COUNT(*) AS sent, COUNT(received_at) AS confirmed FROM xmpp_receipts
    WHERE sent_at >= :since`,
  pruneBefore: "DELETE FROM xmpp_receipts WHERE sent_at < :before",
} as const;

/** How many deliveries asked for a receipt, and how many got one. */
export interface ReceiptShare {
  readonly sent: number;
  readonly confirmed: number;
}

/** Access to the `xmpp_receipts` table. */
export class Receipts {
  readonly #expect: StatementSync;
  readonly #confirm: StatementSync;
  readonly #shareSince: StatementSync;
  readonly #pruneBefore: StatementSync;

  constructor(db: DatabaseSync) {
    this.#expect = db.prepare(RECEIPTS_SQL.expect);
    this.#confirm = db.prepare(RECEIPTS_SQL.confirm);
    this.#shareSince = db.prepare(RECEIPTS_SQL.shareSince);
    this.#pruneBefore = db.prepare(RECEIPTS_SQL.pruneBefore);
  }

  /** Notes that message `id` was delivered to `recipient` (bare JID) with a receipt request. */
  expect(recipient: string, id: string, at: number): void {
    this.#expect.run({ recipient: normalizeAddress(recipient), id, at });
  }

  /**
   * Records the receipt of `recipient` for message `id`; false when there is no such delivery
   * (unknown id, someone else's message) or it was confirmed already.
   */
  confirm(recipient: string, id: string, at: number): boolean {
    return this.#confirm.run({ recipient: normalizeAddress(recipient), id, at }).changes > 0;
  }

  /** Deliveries sent since `since` (epoch ms) and how many of them were confirmed. */
  shareSince(since: number): ReceiptShare {
    const row = this.#shareSince.get({ since })!;
    return { sent: intOf(row, "sent"), confirmed: intOf(row, "confirmed") };
  }

  /** Deletes rows of deliveries sent before `before`; returns how many went. */
  pruneBefore(before: number): number {
    return Number(this.#pruneBefore.run({ before }).changes);
  }
}
