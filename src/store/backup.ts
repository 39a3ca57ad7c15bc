/**
 * Copies of the database kept for going back:
 *
 * - `<database>.backup`: the file as it was before the last schema migration, written with
 *   SQLite's `VACUUM INTO` just before the migration runs. Only one is kept: the next migration
 *   replaces it. Restoring it means running the release that wrote it (see CHANGELOG.md).
 * - `<database>.old-bridge`: the old Python bridge's file, when the bridge found it at the
 *   configured path and imported it (see dropin.ts). Never replaced.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { preparePrivateFile } from "../files.ts";

/** Where the copy made before a schema migration goes. */
export function backupPath(database: string): string {
  return `${database}.backup`;
}

/** Where the old bridge's file goes once it has been imported in place. */
export function oldBridgePath(database: string): string {
  return `${database}.old-bridge`;
}

/** Every file these copies may write (the permission list needs them by name). */
export function backupFiles(database: string): string[] {
  const backup = backupPath(database);
  return [
    backup,
    `${backup}-journal`,
    oldBridgePath(database),
    `${oldBridgePath(database)}-journal`,
  ];
}

/**
 * Writes a consistent copy of the open database `db` (stored at `path`) to `backupPath(path)`,
 * replacing an earlier copy. The copy is created 0600. Returns the copy's path.
 */
export function backupBeforeMigration(db: DatabaseSync, path: string): string {
  const target = backupPath(path);
  for (const file of [target, `${target}-journal`]) removeIfPresent(file);
  // VACUUM INTO accepts an empty file: creating it first gives it the private mode.
  preparePrivateFile(target);
  db.prepare("VACUUM INTO ?").run(target);
  return target;
}

/** Removes `path`; a missing file is fine. */
export function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
