/**
 * Bridge-wide blocks: accounts the administrators keep off the bridge.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type AccountType, intOf, normalizeAddress, type Row, textOf, typeOf } from "./types.ts";

/** One bridge-wide block. */
export interface BridgeBlock {
  /** Network of the blocked account. */
  readonly type: AccountType;
  readonly address: string;
  readonly at: number;
}

/** SQL of this module, exported for the query-plan test. */
export const BRIDGE_BLOCKS_SQL = {
  add: `INSERT INTO bridge_blocks (type, address, at) VALUES (:type, :address, :at)
    ON CONFLICT DO NOTHING`,
  remove: "DELETE FROM bridge_blocks WHERE type = :type AND address = :address",
  list: "SELECT * FROM bridge_blocks ORDER BY at DESC, type, address",
  has: "SELECT 1 AS hit FROM bridge_blocks WHERE type = :type AND address = :address",
} as const;

/** Access to the `bridge_blocks` table. */
export class BridgeBlocks {
  readonly #add: StatementSync;
  readonly #remove: StatementSync;
  readonly #list: StatementSync;
  readonly #has: StatementSync;

  constructor(db: DatabaseSync) {
    this.#add = db.prepare(BRIDGE_BLOCKS_SQL.add);
    this.#remove = db.prepare(BRIDGE_BLOCKS_SQL.remove);
    this.#list = db.prepare(BRIDGE_BLOCKS_SQL.list);
    this.#has = db.prepare(BRIDGE_BLOCKS_SQL.has);
  }

  /** Blocks an account; false (and the original date kept) when already blocked. */
  add(type: AccountType, address: string, at: number): boolean {
    return this.#add.run({ type, address: normalizeAddress(address), at }).changes > 0;
  }

  /** Lifts a block; false when there was none. */
  remove(type: AccountType, address: string): boolean {
    return this.#remove.run({ type, address: normalizeAddress(address) }).changes > 0;
  }

  /** Every bridge-wide block of both networks, newest first. */
  list(): BridgeBlock[] {
    return this.#list.all().map(toBridgeBlock);
  }

  /** Whether the account is blocked bridge-wide. */
  has(type: AccountType, address: string): boolean {
    return this.#has.get({ type, address: normalizeAddress(address) }) !== undefined;
  }
}

function toBridgeBlock(row: Row): BridgeBlock {
  return { type: typeOf(row), address: textOf(row, "address"), at: intOf(row, "at") };
}
