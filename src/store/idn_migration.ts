/**
 * Schema step: addresses whose domain was stored in Unicode (`jörg@bücher.example`, from before
 * addresses were compared as A-labels, src/core/address.ts) are rewritten in that form
 * (`jörg@xn--bcher-kva.example`), so that a lookup by the canonical address finds them. Only
 * rows holding a non-ASCII character are read. Where the rewritten key already exists (the same
 * account under both spellings), the canonical row is kept and the other dropped.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { canonicalAddress } from "../text/address.ts";

/** Tables and their address columns; `unique` when the column is part of the primary key. */
const COLUMNS: readonly { table: string; column: string; unique: boolean }[] = [
  { table: "users", column: "address", unique: true },
  { table: "blocks", column: "blocker", unique: true },
  { table: "blocks", column: "blocked", unique: true },
  { table: "bridge_blocks", column: "address", unique: true },
  { table: "conversations", column: "sender", unique: false },
  { table: "conversations", column: "recipient", unique: false },
];

/** Rewrites the stored addresses with a Unicode domain into their A-label form. */
export function canonicaliseStoredDomains(db: DatabaseSync): void {
  for (const { table, column, unique } of COLUMNS) {
    // A text longer in bytes than in characters holds something beyond ASCII.
    const rows = db.prepare(
      `SELECT DISTINCT ${column} AS a FROM ${table}
        WHERE length(${column}) <> length(CAST(${column} AS BLOB))`,
    ).all();
    const rewrite = db.prepare(
      `UPDATE ${unique ? "OR IGNORE " : ""}${table} SET ${column} = :to WHERE ${column} = :from`,
    );
    const dropLeft = db.prepare(`DELETE FROM ${table} WHERE ${column} = :from`);
    for (const row of rows) {
      const from = String(row.a);
      const to = canonicalAddress(from);
      if (to === from) continue;
      rewrite.run({ from, to });
      // What could not be rewritten duplicates a row already in canonical form.
      if (unique) dropLeft.run({ from });
    }
  }
}
