/**
 * Drop-in migration from the old Python bridge: when the configured database file is the old
 * bridge's, the first start copies it to `<database>.old-bridge`, empties the file in place, gives
 * it this bridge's schema and imports the copy into it (as `--import-old-db` does), then runs.
 *
 * Only the database file, its SQLite companions and the copy are written, so the permissions
 * derived from the configuration suffice. Both roles may start at once: the work is done under an
 * exclusive lock on the file, and the process that waited finds the import done.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { oldBridgePath, removeIfPresent } from "./backup.ts";
import { importOldDatabase, type ImportOptions, type ImportResult } from "./legacy_import.ts";
import { openStore } from "./store.ts";
import { intOf, type Row } from "./types.ts";

/** The old bridge's tables; a file holding all of them and no schema version is the old bridge's. */
const OLD_TABLES = ["users", "blocks", "instb", "comm"];

/** Whether the file at `path` exists and is the old bridge's database. */
export function isOldBridgeDatabase(path: string): boolean {
  try {
    if (Deno.statSync(path).size === 0) return false;
  } catch (e) {
    // Missing, or out of reach (`--check` may run with fewer permissions): not to be imported.
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) return false;
    throw e;
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch {
    return false;
  }
  try {
    if (intOf(db.prepare("PRAGMA user_version").get() as Row, "user_version") !== 0) return false;
    const tables = new Set(
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all()
        .map((row) => String(row.name)),
    );
    return OLD_TABLES.every((t) => tables.has(t));
  } catch {
    return false;
  } finally {
    db.close();
  }
}

/** What an in-place import did. */
export interface AdoptResult extends ImportResult {
  /** Where the old file was copied to. */
  readonly copy: string;
}

/**
 * When `path` is the old bridge's database, imports it in place (see the module comment) and
 * returns what was imported; otherwise returns null and changes nothing. When the import fails,
 * the old file is put back as it was and the error is thrown (a LegacyImportError names why).
 */
export function adoptOldBridgeDatabase(
  path: string,
  options: ImportOptions = {},
): AdoptResult | null {
  if (!isOldBridgeDatabase(path)) return null;
  const file = Deno.openSync(path, { read: true, write: true });
  try {
    // flock, not SQLite's fcntl locks: the other role waits here until the import is done.
    file.lockSync(true);
    if (!isOldBridgeDatabase(path)) return null;
    const copy = oldBridgePath(path);
    // The old bridge's journal, if a crash left one, belongs to the copy.
    Deno.copyFileSync(path, copy);
    try {
      Deno.copyFileSync(`${path}-journal`, `${copy}-journal`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    file.truncateSync(0);
    for (const suffix of ["-journal", "-wal", "-shm"]) removeIfPresent(`${path}${suffix}`);
    try {
      using store = openStore(path);
      return { ...importOldDatabase(store, copy, options), copy };
    } catch (error) {
      // Put the old file back: the next start (or --import-old-db) finds it as it was.
      for (const suffix of ["-journal", "-wal", "-shm"]) removeIfPresent(`${path}${suffix}`);
      file.truncateSync(0);
      const bytes = Deno.readFileSync(copy);
      file.seekSync(0, Deno.SeekMode.Start);
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
      throw error;
    }
  } finally {
    file.close();
  }
}
