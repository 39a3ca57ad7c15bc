/**
 * Raw row writes for filling a fresh database from elsewhere (the old bridge's
 * file): rows go in exactly as given, without the registration rules.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Block } from "./blocks.ts";
import type { BridgeBlock } from "./bridge_blocks.ts";
import type { NewConversationRecord } from "./conversations.ts";
import { intOf, normalizeAddress } from "./types.ts";
import type { User } from "./users.ts";

/** SQL of this module, exported for the query-plan test. */
export const BULK_SQL = {
  isEmpty: `SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM blocks)
    AND NOT EXISTS (SELECT 1 FROM bridge_blocks) AND NOT EXISTS (SELECT 1 FROM conversations)
    AS empty`,
  user: `INSERT INTO users (type, address, registered_at, registrations, lang, revoked_at, app,
      account_id)
    VALUES (:type, :address, :registeredAt, :registrations, :lang, :revokedAt, :app, :accountId)
    ON CONFLICT DO NOTHING`,
  block: `INSERT INTO blocks (type, blocker, blocked, at) VALUES (:type, :blocker, :blocked, :at)
    ON CONFLICT DO NOTHING`,
  bridgeBlock: `INSERT INTO bridge_blocks (type, address, at) VALUES (:type, :address, :at)
    ON CONFLICT DO NOTHING`,
  conversation: `INSERT INTO conversations (type, recipient, sender, at, source_id, posted_id)
    VALUES (:type, :recipient, :sender, :at, :sourceId, :postedId)`,
} as const;

/** Raw inserts; each returns false when the row's key is already taken. */
export class Bulk {
  readonly #isEmpty: StatementSync;
  readonly #user: StatementSync;
  readonly #block: StatementSync;
  readonly #bridgeBlock: StatementSync;
  readonly #conversation: StatementSync;

  constructor(db: DatabaseSync) {
    this.#isEmpty = db.prepare(BULK_SQL.isEmpty);
    this.#user = db.prepare(BULK_SQL.user);
    this.#block = db.prepare(BULK_SQL.block);
    this.#bridgeBlock = db.prepare(BULK_SQL.bridgeBlock);
    this.#conversation = db.prepare(BULK_SQL.conversation);
  }

  /** True when users, blocks, bridge blocks and conversations are all empty. */
  isEmpty(): boolean {
    return intOf(this.#isEmpty.get()!, "empty") === 1;
  }

  insertUser(user: User): boolean {
    return this.#user.run({ ...user, address: normalizeAddress(user.address) }).changes > 0;
  }

  insertBlock(block: Block): boolean {
    return this.#block.run({
      type: block.blockerType,
      blocker: normalizeAddress(block.blocker),
      blocked: normalizeAddress(block.blocked),
      at: block.at,
    }).changes > 0;
  }

  insertBridgeBlock(block: BridgeBlock): boolean {
    return this.#bridgeBlock.run({ ...block, address: normalizeAddress(block.address) })
      .changes > 0;
  }

  insertConversation(record: NewConversationRecord): boolean {
    return this.#conversation.run({
      type: record.recipientType,
      recipient: normalizeAddress(record.recipient),
      sender: normalizeAddress(record.sender),
      at: record.at,
      sourceId: record.sourceId,
      postedId: record.postedId,
    }).changes > 0;
  }
}
