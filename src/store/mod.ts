/**
 * The bridge's storage layer on `node:sqlite`. This is its public face: code outside src/store
 * imports from here only (the other files of the folder are its inside, free to change).
 *
 * @module
 */

export { openStore, Store, type StoreOptions } from "./store.ts";
export { DEFAULT_BUSY_TIMEOUT_MS, openDatabase, type OpenOptions, StoreSchemaError } from "./db.ts";
export { MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
export { type AccountType, FEDI, isAccountType, otherType, XMPP } from "./types.ts";
export type { Registration, User } from "./users.ts";
export type { Block } from "./blocks.ts";
export type { BridgeBlock } from "./bridge_blocks.ts";
export type { ConversationRecord, NewConversationRecord } from "./conversations.ts";
export type { PurgeCounts } from "./cleanup.ts";
export { adoptOldBridgeDatabase, type AdoptResult, isOldBridgeDatabase } from "./dropin.ts";
export { backupFiles, backupPath, oldBridgePath } from "./backup.ts";
export {
  OUTBOX_GIVEN_UP,
  OUTBOX_PENDING,
  OUTBOX_SENT,
  type OutboxRow,
  type OutboxState,
  SUSPECT_MARK,
} from "./outbox.ts";
export {
  emptyCounts,
  type InletCounts,
  readInletCounts,
  writeInletCounts,
} from "./inlet_counts.ts";
export {
  importOldDatabase,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  LegacyImportError,
  type SkippedRow,
} from "./legacy_import.ts";
