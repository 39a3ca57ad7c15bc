/**
 * Small key/value settings the bots keep between runs, such as the id of the
 * last Fediverse notification handled.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { textOf } from "./types.ts";

/** SQL of this module, exported for the query-plan test. */
export const META_SQL = {
  get: "SELECT value FROM meta WHERE key = :key",
  set: `INSERT INTO meta (key, value) VALUES (:key, :value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  delete: "DELETE FROM meta WHERE key = :key",
} as const;

/** Access to the `meta` table. */
export class Meta {
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #delete: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare(META_SQL.get);
    this.#set = db.prepare(META_SQL.set);
    this.#delete = db.prepare(META_SQL.delete);
  }

  /** The value stored under `key`, or undefined. */
  get(key: string): string | undefined {
    const row = this.#get.get({ key });
    return row === undefined ? undefined : textOf(row, "value");
  }

  /** Stores `value` under `key`, replacing any earlier value. */
  set(key: string, value: string): void {
    this.#set.run({ key, value });
  }

  /** Forgets `key`; false when it was not set. */
  delete(key: string): boolean {
    return this.#delete.run({ key }).changes > 0;
  }
}
