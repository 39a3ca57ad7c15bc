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

import { DatabaseSync } from "node:sqlite";
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
 *
 * SQLite's `VACUUM INTO` and `ATTACH` are switched off by Deno unless every permission is granted,
 * and node:sqlite's backup() is asynchronous, so the copy is made row by row: the schema, the
 * rows of every table (generated columns left to SQLite), then the indexes, triggers and views,
 * the schema version and the application id; all read in one transaction, so from one snapshot.
 */
export function backupBeforeMigration(db: DatabaseSync, path: string): string {
  const target = backupPath(path);
  // An earlier copy is emptied in place, keeping its private mode and its owner.
  removeIfPresent(`${target}-journal`);
  preparePrivateFile(target);
  Deno.truncateSync(target, 0);
  const copy = new DatabaseSync(target);
  try {
    copyDatabase(db, copy);
  } catch (error) {
    copy.close();
    Deno.truncateSync(target, 0);
    throw error;
  }
  copy.close();
  return target;
}

function copyDatabase(from: DatabaseSync, to: DatabaseSync): void {
  from.exec("BEGIN");
  to.exec("BEGIN");
  try {
    const objects = from.prepare(
      "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE " +
        "'sqlite_%' ORDER BY rowid",
    ).all().map((r) => ({ type: String(r.type), name: String(r.name), sql: String(r.sql) }));
    const tables = objects.filter((o) => o.type === "table");
    for (const t of tables) to.exec(t.sql);
    for (const t of tables) {
      const names = from.prepare("SELECT name, hidden FROM pragma_table_xinfo(?)").all(t.name)
        .filter((c) => Number(c.hidden) === 0).map((c) => String(c.name));
      const columns = names.map((n) => `"${n.replaceAll('"', '""')}"`);
      const table = `"${t.name.replaceAll('"', '""')}"`;
      const insert = to.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${
          columns.map(() => "?").join(", ")
        })`,
      );
      const select = from.prepare(`SELECT ${columns.join(", ")} FROM ${table}`);
      // Integers beyond 2^53 stay exact.
      select.setReadBigInts(true);
      for (const row of select.iterate()) insert.run(...names.map((n) => row[n] as SQLValue));
    }
    // AUTOINCREMENT counters, so that ids are not handed out twice after a restore.
    const hasSequence = from.prepare(
      "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'",
    ).get();
    if (hasSequence) {
      const insert = to.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)");
      for (const r of from.prepare("SELECT name, seq FROM sqlite_sequence").all()) {
        insert.run(r.name as SQLValue, r.seq as SQLValue);
      }
    }
    for (const o of objects) if (o.type !== "table") to.exec(o.sql);
    for (const pragma of ["user_version", "application_id"]) {
      const value = Number(Object.values(from.prepare(`PRAGMA ${pragma}`).get() ?? {})[0] ?? 0);
      to.exec(`PRAGMA ${pragma} = ${Math.trunc(value)}`);
    }
    to.exec("COMMIT");
  } catch (error) {
    if (to.isTransaction) to.exec("ROLLBACK");
    throw error;
  } finally {
    from.exec("COMMIT");
  }
}

type SQLValue = null | number | bigint | string | Uint8Array;

/** Removes `path`; a missing file is fine. */
export function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
