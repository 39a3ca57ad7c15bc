/**
 * Retention (SPEC section 8): removing revoked users and old conversation records.
 *
 * Every method takes an absolute limit: rows strictly older than it go. Turning a
 * retention setting into that limit is the caller's job, and so is the rule that
 * 0 days means "keep forever": then the caller does not call these at all (a limit
 * of `now` would delete everything, not nothing).
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Conversations } from "./conversations.ts";
import type { Transaction } from "./transaction.ts";

/** How many rows a purge of revoked users removed, per table. */
export interface PurgeCounts {
  readonly users: number;
  readonly blocks: number;
  readonly conversations: number;
}

const REVOKED = "SELECT type, address FROM users WHERE revoked_at < :before";
const REVOKED_OTHER_SIDE = "SELECT 1 - type, address FROM users WHERE revoked_at < :before";

/** SQL of this module, exported for the query-plan test. */
export const CLEANUP_SQL = {
  blocksBy: `DELETE FROM blocks WHERE (type, blocker) IN (${REVOKED})`,
  blocksOf: `DELETE FROM blocks WHERE (type, blocked) IN (${REVOKED_OTHER_SIDE})`,
  conversationsTo: `DELETE FROM conversations WHERE (type, recipient) IN (${REVOKED})`,
  conversationsFrom: `DELETE FROM conversations WHERE (type, sender) IN (${REVOKED_OTHER_SIDE})`,
  users: "DELETE FROM users WHERE revoked_at < :before",
} as const;

/** The retention deletes. */
export class Cleanup {
  readonly #blocksBy: StatementSync;
  readonly #blocksOf: StatementSync;
  readonly #conversationsTo: StatementSync;
  readonly #conversationsFrom: StatementSync;
  readonly #users: StatementSync;

  constructor(
    db: DatabaseSync,
    private readonly transaction: Transaction,
    private readonly conversations: Conversations,
  ) {
    this.#blocksBy = db.prepare(CLEANUP_SQL.blocksBy);
    this.#blocksOf = db.prepare(CLEANUP_SQL.blocksOf);
    this.#conversationsTo = db.prepare(CLEANUP_SQL.conversationsTo);
    this.#conversationsFrom = db.prepare(CLEANUP_SQL.conversationsFrom);
    this.#users = db.prepare(CLEANUP_SQL.users);
  }

  /**
   * Deletes the users revoked strictly before `revokedBefore` with all their data:
   * their blocks, the blocks of them by others, and the conversation records to and
   * from them; bridge-wide blocks stay. Active users are never touched.
   */
  purgeRevokedUsers(revokedBefore: number): PurgeCounts {
    const params = { before: revokedBefore };
    return this.transaction(() => {
      const blocks = Number(this.#blocksBy.run(params).changes) +
        Number(this.#blocksOf.run(params).changes);
      const conversations = Number(this.#conversationsTo.run(params).changes) +
        Number(this.#conversationsFrom.run(params).changes);
      const users = Number(this.#users.run(params).changes);
      return { users, blocks, conversations };
    });
  }

  /** Deletes the conversation records strictly older than `before`; returns how many went. */
  purgeConversations(before: number): number {
    return this.conversations.deleteBefore(before);
  }
}
