/**
 * Import of the old Python bridge's SQLite file (SPEC section 11) into a fresh
 * store, in one transaction.
 *
 * Rules:
 * - the target must be empty (no users, blocks, bridge blocks nor conversation
 *   records): importing twice, or into a running bridge's data, is refused. To
 *   redo an import, start again from a new database file;
 * - the old file is opened read-only and never changed;
 * - a timestamp that is not `YYYY-MM-DD HH:MM:SS[.ffffff]` stops the whole import
 *   with an error naming the table, the row and the column; nothing is written;
 * - rows that cannot be carried over (unknown type, unusable address, missing
 *   date, duplicate after lower-casing) are skipped and listed with the reason;
 * - addresses are lower-cased, a leading `@` or `xmpp:` and an XMPP `/resource`
 *   are dropped; an empty language becomes null (the default language), an empty
 *   app becomes `Fediverse` or `XMPP`; a missing registration count becomes 1.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { type LegacyTimeParser, legacyTimeParser } from "./legacy_time.ts";
import {
  emptyToNull,
  type ImportProgress,
  LegacyImportError,
  OldReader,
  type OldTable,
  Skip,
  type SkippedRow,
} from "./legacy_reader.ts";
import type { Store } from "./store.ts";
import { otherType, XMPP } from "./types.ts";

export { type ImportProgress, LegacyImportError, type SkippedRow };

/** How to read the old file. */
export interface ImportOptions {
  /**
   * IANA time zone the old bridge's clock ran in (`Europe/Paris`); default: the
   * local zone of the machine running the import.
   */
  readonly timeZone?: string;
  /**
   * Told how far the import is: per old table, the rows read so far and the table's row count.
   * Called when a table starts, every few hundred rows, and when it is done.
   */
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** What the import did. */
export interface ImportResult {
  readonly users: number;
  readonly blocks: number;
  readonly bridgeBlocks: number;
  readonly conversations: number;
  readonly skipped: readonly SkippedRow[];
}

/**
 * Copies the old bridge's users, personal blocks, bridge-wide blocks and
 * conversation records from the file at `oldPath` into `store`.
 */
export function importOldDatabase(
  store: Store,
  oldPath: string,
  options: ImportOptions = {},
): ImportResult {
  let parse: LegacyTimeParser;
  try {
    parse = legacyTimeParser(options.timeZone);
  } catch (error) {
    throw new LegacyImportError(`unknown time zone "${options.timeZone}": ${String(error)}`);
  }
  let old: DatabaseSync;
  try {
    old = new DatabaseSync(oldPath, { readOnly: true });
  } catch (error) {
    throw new LegacyImportError(`cannot open the old database ${oldPath}: ${String(error)}`);
  }
  try {
    const reader = new OldReader(old, oldPath, parse, options.onProgress);
    const queries = reader.prepareAll();
    return store.transaction(() => {
      if (!store.bulk.isEmpty()) {
        throw new LegacyImportError(
          "the bridge database already holds users, blocks or conversations: the old " +
            "database can only be imported into a new, empty one.",
        );
      }
      return copyTables(store, reader, queries);
    });
  } finally {
    old.close();
  }
}

/** Copies the four old tables, in the transaction of the caller. */
function copyTables(
  store: Store,
  reader: OldReader,
  queries: Record<OldTable, StatementSync>,
): ImportResult {
  const skipped: SkippedRow[] = [];
  const counts = { users: 0, blocks: 0, bridgeBlocks: 0, conversations: 0 };
  const { bulk } = store;
  reader.each(queries.users, "users", skipped, (row, at) => {
    const type = at.type("type");
    const address = at.address("req_user", type);
    const registrations = at.count("nb_reg");
    const inserted = bulk.insertUser({
      type,
      address,
      registeredAt: at.time("req_date"),
      registrations,
      lang: emptyToNull(row.lang)?.toLowerCase() ?? null,
      revokedAt: at.optionalTime("revoke_date"),
      app: emptyToNull(row.app) ?? (type === XMPP ? "XMPP" : "Fediverse"),
      accountId: emptyToNull(row.acc_id),
    });
    if (!inserted) throw new Skip(`duplicate user ${address}`);
    counts.users++;
  });
  reader.each(queries.blocks, "blocks", skipped, (_row, at) => {
    const type = at.type("type");
    const blocker = at.address("blocking", type);
    const blocked = at.address("blocked", otherType(type));
    if (!bulk.insertBlock({ blockerType: type, blocker, blocked, at: at.time("block_date") })) {
      throw new Skip(`duplicate block of ${blocked} by ${blocker}`);
    }
    counts.blocks++;
  });
  reader.each(queries.instb, "instb", skipped, (_row, at) => {
    const type = at.type("type");
    const address = at.address("blocked", type);
    if (!bulk.insertBridgeBlock({ type, address, at: at.time("block_date") })) {
      throw new Skip(`duplicate bridge-wide block of ${address}`);
    }
    counts.bridgeBlocks++;
  });
  reader.each(queries.comm, "comm", skipped, (row, at) => {
    const type = at.type("type");
    bulk.insertConversation({
      recipientType: type,
      recipient: at.address("user", type),
      sender: at.address("from_u", otherType(type)),
      at: at.time("from_date"),
      sourceId: emptyToNull(row.id_from),
      postedId: emptyToNull(row.id_to),
    });
    counts.conversations++;
  });
  return { ...counts, skipped };
}
