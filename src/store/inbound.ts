/**
 * Inbound de-duplication: the keys of events already handled (a notification id,
 * a stanza id), so that a redelivery after a reconnect is dropped.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AccountType } from "./types.ts";

/** SQL of this module, exported for the query-plan test. */
export const INBOUND_SQL = {
  mark: `INSERT INTO inbound (network, key, at) VALUES (:network, :key, :at)
    ON CONFLICT DO NOTHING`,
  has: "SELECT 1 AS hit FROM inbound WHERE network = :network AND key = :key",
  pruneBefore: "DELETE FROM inbound WHERE at < :before",
} as const;

/** Access to the `inbound` table. */
export class Inbound {
  readonly #mark: StatementSync;
  readonly #has: StatementSync;
  readonly #pruneBefore: StatementSync;

  constructor(db: DatabaseSync) {
    this.#mark = db.prepare(INBOUND_SQL.mark);
    this.#has = db.prepare(INBOUND_SQL.has);
    this.#pruneBefore = db.prepare(INBOUND_SQL.pruneBefore);
  }

  /**
   * Remembers that the event `key` from `network` is handled. Returns false when it
   * already was: the caller drops the event. Call it in the same transaction as
   * the state change the event causes.
   */
  markHandled(network: AccountType, key: string, at: number): boolean {
    return this.#mark.run({ network, key, at }).changes > 0;
  }

  /** Whether the event was handled already, without marking it. */
  isHandled(network: AccountType, key: string): boolean {
    return this.#has.get({ network, key }) !== undefined;
  }

  /** Forgets the events marked strictly before `before`; returns how many went. */
  pruneBefore(before: number): number {
    return Number(this.#pruneBefore.run({ before }).changes);
  }
}
