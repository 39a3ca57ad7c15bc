/**
 * Opening the database file: connection settings for sharing one file between
 * two processes (WAL journal, busy timeout) and schema migrations keyed on
 * `PRAGMA user_version`.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { preparePrivateFile } from "../files.ts";
import { backupBeforeMigration } from "./backup.ts";
import { APPLICATION_ID, type Migration, MIGRATIONS } from "./migrations.ts";
import { intOf, type Row } from "./types.ts";

/** How a database file is opened. */
export interface OpenOptions {
  /** How long a statement waits for another connection's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** The schema steps to apply (default: this build's). Tests pass their own. */
  readonly migrations?: readonly Migration[];
  /** Told when an existing database file can be read by other users (default: nothing). */
  readonly onWarning?: (message: string) => void;
  /** Told the path of the copy made before a schema migration (backup.ts). */
  readonly onBackup?: (backup: string, fromVersion: number) => void;
}

/** The file cannot be used by this build: newer schema, or not a database of this bridge. */
export class StoreSchemaError extends Error {
  override name = "StoreSchemaError";
}

/** The default busy timeout, in milliseconds. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating when missing) the SQLite file at `path`, switches it to WAL,
 * and brings its schema up to date. `":memory:"` gives a private in-memory
 * database (without WAL). The connection is closed again when this throws.
 */
export function openDatabase(path: string, options: OpenOptions = {}): DatabaseSync {
  // Created 0600 before SQLite opens it (its -wal, -shm and -journal files take its mode).
  if (isFilePath(path)) {
    const warning = preparePrivateFile(path);
    if (warning !== null) options.onWarning?.(warning);
  }
  const db = new DatabaseSync(path, {
    timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    enableForeignKeyConstraints: true,
  });
  try {
    const migrations = options.migrations ?? MIGRATIONS;
    // Refuse a foreign or newer file before changing anything in it (WAL is persistent). One
    // read transaction, so that the other role creating the schema at this very moment is seen
    // either not at all or whole (it commits tables and version together).
    db.exec("BEGIN");
    let version: number;
    try {
      version = checkCompatible(db, path, migrations);
    } finally {
      db.exec("COMMIT");
    }
    // Persistent once set; for ":memory:" SQLite keeps its own "memory" mode.
    db.exec("PRAGMA journal_mode = WAL");
    // Safe with WAL (no corruption on a crash); a power cut may lose the last commits.
    db.exec("PRAGMA synchronous = NORMAL");
    // Deleted rows (message texts in the outbox, addresses of purged users) are overwritten,
    // not left in free pages. Per connection, so on every open.
    db.exec("PRAGMA secure_delete = ON");
    // A database of an earlier schema is copied first, so that going back stays possible.
    if (isFilePath(path) && version > 0 && version < migrations.length) {
      const backup = backupBeforeMigration(db, path);
      options.onBackup?.(backup, version);
    }
    migrate(db, path, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Whether `path` names a file (not an in-memory or temporary database, nor a URI). */
function isFilePath(path: string): boolean {
  return path !== "" && path !== ":memory:" && !path.startsWith("file:");
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: DatabaseSync): number {
  return intOf(db.prepare("PRAGMA user_version").get() as Row, "user_version");
}

/**
 * Applies the missing steps of `migrations` in one write transaction: a second
 * process opening the same file meanwhile waits, then finds the work done.
 */
export function migrate(db: DatabaseSync, path: string, migrations: readonly Migration[]): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    const version = checkCompatible(db, path, migrations);
    for (let step = version; step < migrations.length; step++) {
      const migration = migrations[step]!;
      try {
        if (typeof migration === "string") db.exec(migration);
        else migration(db);
      } catch (error) {
        throw new StoreSchemaError(
          `database ${path}: migration to schema version ${step + 1} failed: ${String(error)}`,
          { cause: error },
        );
      }
      db.exec(`PRAGMA user_version = ${step + 1}`);
    }
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Throws a StoreSchemaError unless the file is empty or a database of this bridge
 * that is not newer than `migrations`; returns its schema version.
 */
function checkCompatible(db: DatabaseSync, path: string, migrations: readonly Migration[]): number {
  const version = schemaVersion(db);
  if (version > migrations.length) {
    throw new StoreSchemaError(
      `database ${path} has schema version ${version}, but this build only knows versions ` +
        `up to ${migrations.length}: it was written by a newer release of the bridge. ` +
        `Run that release (or newer), or restore a backup.`,
    );
  }
  if (version === 0) refuseForeignTables(db, path);
  else refuseForeignApplication(db, path);
  return version;
}

/** A file without schema version must be empty, or it belongs to someone else. */
function refuseForeignTables(db: DatabaseSync, path: string): void {
  const tables = db.prepare(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all().map((row) => String(row.name));
  if (tables.length === 0) return;
  const oldBridge = ["users", "blocks", "instb", "comm"].every((t) => tables.includes(t));
  throw new StoreSchemaError(
    `database ${path} already holds tables (${tables.join(", ")}) but no schema version: ` +
      (oldBridge
        ? "it looks like the old Python bridge's database. Start the bridge (not --check) to " +
          "import it in place, or point the bridge at a new file and use --import-old-db."
        : "it is not a database of this bridge."),
  );
}

function refuseForeignApplication(db: DatabaseSync, path: string): void {
  const id = intOf(db.prepare("PRAGMA application_id").get() as Row, "application_id");
  if (id !== APPLICATION_ID) {
    throw new StoreSchemaError(
      `database ${path} is not a database of this bridge (application id ${id}).`,
    );
  }
}
