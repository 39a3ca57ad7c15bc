/**
 * The `flood` table: per-account counters of the flood control (src/core/flood.ts), one row per
 * account and budget, each counting in a fixed window that starts at the first event after the
 * previous window ended. Rows are keyed by the account's address, never by a user row, so they
 * survive unregistering and coming back.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type AccountType, intOf } from "./types.ts";

/** SQL of this module, exported for the query-plan test. */
export const FLOOD_SQL = {
  // Every SET expression reads the row as it was, so the window test is the same in all three.
  charge: `INSERT INTO flood (type, address, kind, window_start, count)
    VALUES (:type, :address, :kind, :now, 1)
    ON CONFLICT (type, address, kind) DO UPDATE SET
      count = CASE WHEN window_start > :now - :windowMs THEN count + 1 ELSE 1 END,
      held = CASE WHEN window_start > :now - :windowMs THEN held ELSE 0 END,
      window_start = CASE WHEN window_start > :now - :windowMs THEN window_start ELSE :now END
    RETURNING count, window_start`,
  hold: `UPDATE flood SET held = held + 1
    WHERE type = :type AND address = :address AND kind = :kind RETURNING held`,
  heldSince:
    `SELECT COUNT(DISTINCT type || ' ' || address) AS accounts, COALESCE(SUM(held), 0) AS held FROM flood
    WHERE window_start >= :since AND held > 0`,
  pruneBefore: "DELETE FROM flood WHERE window_start < :before",
} as const;

/** Where a counter stands after an event was counted. */
export interface FloodCount {
  /** Events in the current window, this one included. */
  readonly count: number;
  /** Epoch ms at which the current window started. */
  readonly windowStart: number;
}

/** Access to the `flood` table. */
export class FloodTable {
  readonly #charge: StatementSync;
  readonly #hold: StatementSync;
  readonly #heldSince: StatementSync;
  readonly #pruneBefore: StatementSync;

  constructor(db: DatabaseSync) {
    this.#charge = db.prepare(FLOOD_SQL.charge);
    this.#hold = db.prepare(FLOOD_SQL.hold);
    this.#heldSince = db.prepare(FLOOD_SQL.heldSince);
    this.#pruneBefore = db.prepare(FLOOD_SQL.pruneBefore);
  }

  /**
   * Counts one event of `kind` for the account in a window of `windowMs`: a window that ended
   * is replaced by a new one starting `now`.
   */
  charge(
    type: AccountType,
    address: string,
    kind: string,
    windowMs: number,
    now: number,
  ): FloodCount {
    const row = this.#charge.get({ type, address, kind, now, windowMs })!;
    return { count: intOf(row, "count"), windowStart: intOf(row, "window_start") };
  }

  /** Notes that an event of `kind` was held back (not answered); returns how many so far. */
  hold(type: AccountType, address: string, kind: string): number {
    const row = this.#hold.get({ type, address, kind });
    return row === undefined ? 0 : intOf(row, "held");
  }

  /** Accounts with events held back in windows that started at `since` or later, and how many. */
  heldSince(since: number): { accounts: number; held: number } {
    const row = this.#heldSince.get({ since })!;
    return { accounts: intOf(row, "accounts"), held: intOf(row, "held") };
  }

  /** Forgets the counters whose window started strictly before `before`; returns how many. */
  pruneBefore(before: number): number {
    return Number(this.#pruneBefore.run({ before }).changes);
  }
}
