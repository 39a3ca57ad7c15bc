/**
 * Connection settings for a long purge (the start-up cleanup after a pause): a larger page cache,
 * and WAL checkpoints at the purge's own pace instead of inside the commits of its slices, so that
 * the time a slice holds the write lock is the time of its delete alone. Everything is put back
 * afterwards, and the cache's memory handed back.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { intOf, type Row } from "./types.ts";

/** The page cache during a purge, in KiB (SQLite's default is 2,000 KiB). */
export const PURGE_CACHE_KIB = 16_384;

/** The settings of one purge; dispose of it to restore the connection's own. */
export class PurgeSettings implements Disposable {
  readonly #db: DatabaseSync;
  readonly #cacheSize: number;
  readonly #autoCheckpoint: number;

  /** Switches the connection to the purge's settings (`cacheKib` of page cache). */
  constructor(db: DatabaseSync, cacheKib: number = PURGE_CACHE_KIB) {
    if (!Number.isSafeInteger(cacheKib) || cacheKib < 1) {
      throw new RangeError(`bad page cache size ${cacheKib} KiB`);
    }
    this.#db = db;
    this.#cacheSize = pragmaInt(db, "cache_size");
    this.#autoCheckpoint = pragmaInt(db, "wal_autocheckpoint");
    db.exec(`PRAGMA cache_size = -${cacheKib}`);
    db.exec("PRAGMA wal_autocheckpoint = 0");
  }

  /** The page cache size this connection had before (SQLite's `cache_size` value). */
  get previousCacheSize(): number {
    return this.#cacheSize;
  }

  /**
   * Copies what the WAL holds into the database file without waiting for anyone (a passive
   * checkpoint): neither readers nor the other process's writes are held up.
   */
  checkpoint(): void {
    this.#db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  }

  [Symbol.dispose](): void {
    if (!this.#db.isOpen) return;
    this.#db.exec(`PRAGMA cache_size = ${this.#cacheSize}`);
    this.#db.exec(`PRAGMA wal_autocheckpoint = ${this.#autoCheckpoint}`);
    this.checkpoint();
    // The pages cached for the purge are given back to the allocator.
    this.#db.exec("PRAGMA shrink_memory");
  }
}

function pragmaInt(db: DatabaseSync, name: string): number {
  return intOf(db.prepare(`PRAGMA ${name}`).get() as Row, name);
}
