/**
 * Transactions over one connection, nestable: the outermost call opens a
 * `BEGIN IMMEDIATE` transaction (taking the write lock at once, so that two
 * processes sharing the file wait on the busy timeout instead of failing on a
 * lock upgrade), inner calls use savepoints that roll back on their own.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";

/** Runs `fn` inside a transaction and returns its result; `fn` must be synchronous. */
export type Transaction = <T>(fn: () => T) => T;

/**
 * Builds the transaction runner of one connection; `onRollback` is told after any part of a
 * transaction was rolled back (what was kept in memory of its writes may be wrong).
 */
export function transactionRunner(db: DatabaseSync, onRollback?: () => void): Transaction {
  let depth = 0;
  return <T>(fn: () => T): T => {
    const savepoint = `sp${depth}`;
    db.exec(depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    depth++;
    let result: T;
    try {
      result = fn();
      if (isThenable(result)) {
        throw new TypeError("store.transaction() needs a synchronous function, got a promise");
      }
    } catch (error) {
      depth--;
      rollback(db, depth, savepoint);
      onRollback?.();
      throw error;
    }
    depth--;
    try {
      db.exec(depth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
    } catch (error) {
      rollback(db, depth, savepoint);
      onRollback?.();
      throw error;
    }
    return result;
  };
}

function rollback(db: DatabaseSync, depth: number, savepoint: string): void {
  // SQLite may already have rolled the whole transaction back (e.g. on SQLITE_FULL).
  if (!db.isTransaction) return;
  if (depth === 0) db.exec("ROLLBACK");
  else db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
}

function isThenable(value: unknown): boolean {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
