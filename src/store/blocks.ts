/**
 * Personal blocks: a registered user refusing messages from an account of the
 * other network.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type AccountType, intOf, normalizeAddress, type Row, textOf, typeOf } from "./types.ts";

/** One personal block. */
export interface Block {
  /** Network of the blocking user (the blocked account is on the other one). */
  readonly blockerType: AccountType;
  readonly blocker: string;
  readonly blocked: string;
  readonly at: number;
}

/** SQL of this module, exported for the query-plan test. */
export const BLOCKS_SQL = {
  add: `INSERT INTO blocks (type, blocker, blocked, at) VALUES (:type, :blocker, :blocked, :at)
    ON CONFLICT DO NOTHING`,
  remove: "DELETE FROM blocks WHERE type = :type AND blocker = :blocker AND blocked = :blocked",
  removeAllBy: "DELETE FROM blocks WHERE type = :type AND blocker = :blocker",
  list: `SELECT * FROM blocks WHERE type = :type AND blocker = :blocker
    ORDER BY at DESC, blocked`,
  isBlocked: `SELECT 1 AS hit FROM blocks
    WHERE type = :type AND blocker = :blocker AND blocked = :blocked`,
} as const;

/** Access to the `blocks` table. */
export class Blocks {
  readonly #add: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeAllBy: StatementSync;
  readonly #list: StatementSync;
  readonly #isBlocked: StatementSync;

  constructor(db: DatabaseSync) {
    this.#add = db.prepare(BLOCKS_SQL.add);
    this.#remove = db.prepare(BLOCKS_SQL.remove);
    this.#removeAllBy = db.prepare(BLOCKS_SQL.removeAllBy);
    this.#list = db.prepare(BLOCKS_SQL.list);
    this.#isBlocked = db.prepare(BLOCKS_SQL.isBlocked);
  }

  /** Adds a block; false (and the original date kept) when it already existed. */
  add(blockerType: AccountType, blocker: string, blocked: string, at: number): boolean {
    return this.#add.run({
      type: blockerType,
      blocker: normalizeAddress(blocker),
      blocked: normalizeAddress(blocked),
      at,
    }).changes > 0;
  }

  /** Removes a block; false when there was none. */
  remove(blockerType: AccountType, blocker: string, blocked: string): boolean {
    return this.#remove.run({
      type: blockerType,
      blocker: normalizeAddress(blocker),
      blocked: normalizeAddress(blocked),
    }).changes > 0;
  }

  /** Removes every block made by a user; returns how many went. */
  removeAllBy(blockerType: AccountType, blocker: string): number {
    return Number(
      this.#removeAllBy.run({ type: blockerType, blocker: normalizeAddress(blocker) }).changes,
    );
  }

  /** The blocks made by a user, newest first. */
  list(blockerType: AccountType, blocker: string): Block[] {
    return this.#list.all({ type: blockerType, blocker: normalizeAddress(blocker) }).map(toBlock);
  }

  /** Whether `blocker` (of `blockerType`) blocks `blocked`; one direction only. */
  isBlocked(blockerType: AccountType, blocker: string, blocked: string): boolean {
    return this.#isBlocked.get({
      type: blockerType,
      blocker: normalizeAddress(blocker),
      blocked: normalizeAddress(blocked),
    }) !== undefined;
  }
}

function toBlock(row: Row): Block {
  return {
    blockerType: typeOf(row),
    blocker: textOf(row, "blocker"),
    blocked: textOf(row, "blocked"),
    at: intOf(row, "at"),
  };
}
