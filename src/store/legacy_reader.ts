/**
 * Reading the old Python bridge's SQLite file for legacy_import.ts: its layout checked, one query
 * per old table, and typed access to the cells of each row (a row that cannot be carried over is
 * skipped with a reason; a bad timestamp stops the import).
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { LegacyTimeParser } from "./legacy_time.ts";
import { type AccountType, FEDI, isAccountType, type Row, XMPP } from "./types.ts";

/** How far an import is in one old table. */
export interface ImportProgress {
  readonly table: string;
  readonly done: number;
  readonly total: number;
}

/** Rows between two progress reports. */
const PROGRESS_EVERY = 256;

/** A row of the old file that was not imported. */
export interface SkippedRow {
  readonly table: string;
  readonly rowid: number;
  readonly reason: string;
}

/** The old file cannot be imported; nothing was written. */
export class LegacyImportError extends Error {
  override name = "LegacyImportError";
}

/** Columns per old table: the required ones, then the optional ones (NULL when absent). */
const LAYOUT = {
  users: {
    required: ["type", "req_user", "req_date"],
    optional: ["nb_reg", "lang", "revoke_date", "app", "acc_id"],
  },
  blocks: { required: ["type", "blocking", "blocked", "block_date"], optional: [] },
  instb: { required: ["type", "blocked", "block_date"], optional: [] },
  comm: { required: ["type", "user", "from_u", "from_date"], optional: ["id_from", "id_to"] },
} as const;

export type OldTable = keyof typeof LAYOUT;

/** Columns read as text whatever their storage class, so that big integer ids stay exact. */
const AS_TEXT: ReadonlySet<string> = new Set(["acc_id", "id_from", "id_to"]);

/** Thrown by a row handler to skip that row with a reason. */
export class Skip extends Error {}

/** Typed access to the columns of one old row, raising Skip or LegacyImportError. */
export interface Cells {
  type(column: string): AccountType;
  address(column: string, type: AccountType): string;
  count(column: string): number;
  time(column: string): number;
  optionalTime(column: string): number | null;
}

/** The old file, opened read-only by the caller. */
export class OldReader {
  constructor(
    private readonly db: DatabaseSync,
    private readonly path: string,
    private readonly parse: LegacyTimeParser,
    private readonly onProgress?: (progress: ImportProgress) => void,
  ) {}

  /** Checks the layout and prepares one SELECT per old table. */
  prepareAll(): Record<OldTable, StatementSync> {
    let tables: Set<string>;
    try {
      tables = new Set(
        this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all()
          .map((row) => String(row.name)),
      );
    } catch (error) {
      throw new LegacyImportError(`cannot read the old database ${this.path}: ${String(error)}`);
    }
    const missing = Object.keys(LAYOUT).filter((table) => !tables.has(table));
    if (missing.length > 0) {
      throw new LegacyImportError(
        `${this.path} is not an old bridge database: table(s) ${missing.join(", ")} missing`,
      );
    }
    const prepared = {} as Record<OldTable, StatementSync>;
    for (const table of Object.keys(LAYOUT) as OldTable[]) {
      const columns = new Set(
        this.db.prepare("SELECT name FROM pragma_table_info(?)").all(table)
          .map((row) => String(row.name).toLowerCase()),
      );
      const { required, optional } = LAYOUT[table];
      for (const column of required) {
        if (!columns.has(column)) {
          throw new LegacyImportError(
            `${this.path}: table ${table} has no column ${column}; is it an old bridge database?`,
          );
        }
      }
      const select = [...required, ...optional].map((column) => {
        if (!columns.has(column)) return `NULL AS "${column}"`;
        return AS_TEXT.has(column)
          ? `CAST("${column}" AS TEXT) AS "${column}"`
          : `"${column}" AS "${column}"`;
      });
      prepared[table] = this.db.prepare(
        `SELECT rowid AS "rowid", ${select.join(", ")} FROM "${table}" ORDER BY rowid`,
      );
    }
    return prepared;
  }

  /** Runs `handle` on every row; a Skip adds the row to `skipped`. */
  each(
    query: StatementSync,
    table: OldTable,
    skipped: SkippedRow[],
    handle: (row: Row, cells: Cells) => void,
  ): void {
    const report = this.onProgress;
    const total = report
      ? Number((this.db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as Row).n)
      : 0;
    let done = 0;
    report?.({ table, done, total });
    for (const row of query.iterate()) {
      if (report && ++done % PROGRESS_EVERY === 0) report({ table, done, total });
      const rowid = Number(row.rowid);
      try {
        handle(row, this.cells(table, rowid, row));
      } catch (error) {
        if (!(error instanceof Skip)) throw error;
        skipped.push({ table, rowid, reason: error.message });
      }
    }
    if (report && done % PROGRESS_EVERY !== 0) report({ table, done, total });
  }

  private cells(table: OldTable, rowid: number, row: Row): Cells {
    const parse = this.parse;
    const time = (column: string, value: unknown): number => {
      const epoch = typeof value === "string" ? parse(value) : undefined;
      if (epoch === undefined) {
        throw new LegacyImportError(
          `table ${table}, row ${rowid}, column ${column}: ${describe(value)} is not a ` +
            "timestamp of the form YYYY-MM-DD HH:MM:SS[.ffffff]; nothing was imported",
        );
      }
      return epoch;
    };
    return {
      type(column) {
        const raw = row[column];
        const value = typeof raw === "number" || typeof raw === "bigint" ||
            (typeof raw === "string" && /^\s*\d+\s*$/.test(raw))
          ? Number(raw)
          : NaN;
        if (!isAccountType(value)) throw new Skip(`${column}: unknown account type`);
        return value;
      },
      address(column, type) {
        const address = legacyAddress(row[column], type);
        if (address === undefined) throw new Skip(`${column}: not a usable address`);
        return address;
      },
      count(column) {
        const value = row[column];
        if (value === null || value === "") return 1;
        const count = Number(value);
        if (!Number.isSafeInteger(count) || count < 0) throw new Skip(`${column}: not a count`);
        return Math.max(count, 1);
      },
      time(column) {
        const value = row[column];
        if (value === null || value === "") throw new Skip(`${column}: no date`);
        return time(column, value);
      },
      optionalTime(column) {
        const value = row[column];
        return value === null || value === "" ? null : time(column, value);
      },
    };
  }
}

/** Lower-cased `name@host` without prefix or resource, or undefined when unusable. */
export function legacyAddress(value: unknown, type: AccountType): string | undefined {
  if (typeof value !== "string") return undefined;
  let address = value.trim().toLowerCase();
  if (address.startsWith("xmpp:")) address = address.slice("xmpp:".length);
  if (type === FEDI && address.startsWith("@")) address = address.slice(1);
  if (type === XMPP) address = address.split("/", 1)[0]!;
  return /^[^@\s/]+@[^@\s/]+$/.test(address) ? address : undefined;
}

export function emptyToNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === "" ? null : text;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "NULL";
  return `a ${typeof value} value (${String(value)})`;
}
