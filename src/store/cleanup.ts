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
  history: `INSERT INTO account_history (type, address, registrations)
    SELECT type, address, registrations FROM users WHERE revoked_at < :before
    ON CONFLICT (type, address) DO UPDATE
    SET registrations = max(account_history.registrations, excluded.registrations)`,
  conversationsTo: `DELETE FROM conversations WHERE (type, recipient) IN (${REVOKED})`,
  conversationsFrom: `DELETE FROM conversations WHERE (type, sender) IN (${REVOKED_OTHER_SIDE})`,
  users: "DELETE FROM users WHERE revoked_at < :before",
  carriedSends: "DELETE FROM carried_sends WHERE at < :before",
} as const;

/** The retention deletes. */
export class Cleanup {
  readonly #blocksBy: StatementSync;
  readonly #history: StatementSync;
  readonly #conversationsTo: StatementSync;
  readonly #conversationsFrom: StatementSync;
  readonly #users: StatementSync;
  readonly #carriedSends: StatementSync;

  constructor(
    db: DatabaseSync,
    private readonly transaction: Transaction,
    private readonly conversations: Conversations,
  ) {
    this.#blocksBy = db.prepare(CLEANUP_SQL.blocksBy);
    this.#history = db.prepare(CLEANUP_SQL.history);
    this.#conversationsTo = db.prepare(CLEANUP_SQL.conversationsTo);
    this.#conversationsFrom = db.prepare(CLEANUP_SQL.conversationsFrom);
    this.#users = db.prepare(CLEANUP_SQL.users);
    this.#carriedSends = db.prepare(CLEANUP_SQL.carriedSends);
  }

  /**
   * Deletes the users revoked strictly before `revokedBefore` with their data: their own
   * blocks and the conversation records to and from them. What is not theirs stays: the
   * blocks of them by others (a block belongs to its blocker, who did not leave) and
   * bridge-wide blocks. So does how many times they registered (`account_history`), so that
   * a purge does not reset `max-ap-registrations`. Active users are never touched.
   */
  purgeRevokedUsers(revokedBefore: number): PurgeCounts {
    const params = { before: revokedBefore };
    return this.transaction(() => {
      this.#history.run(params);
      const blocks = Number(this.#blocksBy.run(params).changes);
      const conversations = Number(this.#conversationsTo.run(params).changes) +
        Number(this.#conversationsFrom.run(params).changes);
      const users = Number(this.#users.run(params).changes);
      return { users, blocks, conversations };
    });
  }

  /** Deletes the conversation records strictly older than `before`; returns how many went. */
  purgeConversations(before: number): number {
    this.#carriedSends.run({ before });
    return this.conversations.deleteBefore(before);
  }
}
