/**
 * The bridge's storage layer on `node:sqlite`: import from here.
 *
 * @module
 */

export { openStore, Store, type StoreOptions } from "./store.ts";
export { DEFAULT_BUSY_TIMEOUT_MS, StoreSchemaError } from "./db.ts";
export { SCHEMA_VERSION } from "./migrations.ts";
export { type AccountType, FEDI, isAccountType, otherType, XMPP } from "./types.ts";
export type { Registration, User } from "./users.ts";
export type { Block } from "./blocks.ts";
export type { BridgeBlock } from "./bridge_blocks.ts";
export type { ConversationRecord, NewConversationRecord } from "./conversations.ts";
export type { PurgeCounts } from "./cleanup.ts";
export { adoptOldBridgeDatabase, type AdoptResult, isOldBridgeDatabase } from "./dropin.ts";
export { backupPath, oldBridgePath } from "./backup.ts";
export {
  importOldDatabase,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  LegacyImportError,
  type SkippedRow,
} from "./legacy_import.ts";
