/**
 * Registered users of both networks.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Blocks } from "./blocks.ts";
import type { Conversations } from "./conversations.ts";
import type { Transaction } from "./transaction.ts";
import {
  type AccountType,
  intOf,
  intOrNull,
  normalizeAddress,
  otherType,
  type Row,
  textOf,
  textOrNull,
  typeOf,
} from "./types.ts";

/**
 * How far back the send times of a leaving user are kept for the rate limit (longer than any
 * rate window of the core, which is 5 minutes).
 */
export const CARRY_SENDS_MS = 24 * 3600_000;

/** A user row. An active user has `revokedAt === null`. */
export interface User {
  readonly type: AccountType;
  /** Lower-cased `name@host`. */
  readonly address: string;
  /** When the latest registration happened (epoch ms). */
  readonly registeredAt: number;
  /** How many times this account registered, ever. */
  readonly registrations: number;
  /** Language code chosen or detected; null when none is known (use the default). */
  readonly lang: string | null;
  /** When the user unregistered or was unregistered (epoch ms); null while active. */
  readonly revokedAt: number | null;
  /** Software label shown to recipients ("Mastodon", "XMPP", "Fediverse"...). */
  readonly app: string;
  /** The account id on the bot's Fediverse server, when known. */
  readonly accountId: string | null;
}

/** What a registration records. */
export interface Registration {
  readonly type: AccountType;
  readonly address: string;
  readonly at: number;
  /** Null keeps the language stored by an earlier registration, if any. */
  readonly lang: string | null;
  readonly app: string;
  /** Null keeps the account id stored by an earlier registration, if any. */
  readonly accountId: string | null;
}

/** SQL of this module, exported for the query-plan test. */
export const USERS_SQL = {
  get: "SELECT * FROM users WHERE type = :type AND address = :address",
  register: `
    INSERT INTO users (type, address, registered_at, registrations, lang, revoked_at, app, account_id)
    VALUES (:type, :address, :at, 1 + coalesce((SELECT h.registrations FROM account_history h
      WHERE h.type = :type AND h.address = :address), 0), :lang, NULL, :app, :accountId)
    ON CONFLICT (type, address) DO UPDATE SET
      registered_at = excluded.registered_at,
      registrations = users.registrations + 1,
      lang = coalesce(excluded.lang, users.lang),
      revoked_at = NULL,
      app = excluded.app,
      account_id = coalesce(excluded.account_id, users.account_id)
    RETURNING *`,
  revoke: `UPDATE users SET revoked_at = :at
    WHERE type = :type AND address = :address AND revoked_at IS NULL`,
  registrationCount: `SELECT max(
      coalesce((SELECT registrations FROM users WHERE type = :type AND address = :address), 0),
      coalesce((SELECT registrations FROM account_history
        WHERE type = :type AND address = :address), 0)) AS n`,
  carrySends: `INSERT INTO carried_sends (type, sender, at)
    SELECT type, sender, at FROM conversations
    WHERE type = :type AND sender = :address AND at >= :since`,
  pruneCarried: "DELETE FROM carried_sends WHERE at < :before",
  setLanguage: "UPDATE users SET lang = :lang WHERE type = :type AND address = :address",
  countActive: "SELECT count(*) AS n FROM users WHERE revoked_at IS NULL",
  listActive: `SELECT * FROM users WHERE revoked_at IS NULL
    ORDER BY registered_at DESC, address`,
  listActiveOfType: `SELECT * FROM users WHERE type = :type AND revoked_at IS NULL
    ORDER BY registered_at DESC, address`,
  listActiveByDomain: `SELECT * FROM users WHERE domain = :domain AND revoked_at IS NULL
    ORDER BY type, address`,
} as const;

/** Access to the `users` table. */
export class Users {
  readonly #get: StatementSync;
  readonly #register: StatementSync;
  readonly #revoke: StatementSync;
  readonly #setLanguage: StatementSync;
  readonly #registrationCount: StatementSync;
  readonly #carrySends: StatementSync;
  readonly #pruneCarried: StatementSync;
  readonly #countActive: StatementSync;
  readonly #listActive: StatementSync;
  readonly #listActiveOfType: StatementSync;
  readonly #listActiveByDomain: StatementSync;

  constructor(
    db: DatabaseSync,
    private readonly transaction: Transaction,
    private readonly blocks: Blocks,
    private readonly conversations: Conversations,
  ) {
    this.#get = db.prepare(USERS_SQL.get);
    this.#register = db.prepare(USERS_SQL.register);
    this.#revoke = db.prepare(USERS_SQL.revoke);
    this.#setLanguage = db.prepare(USERS_SQL.setLanguage);
    this.#registrationCount = db.prepare(USERS_SQL.registrationCount);
    this.#carrySends = db.prepare(USERS_SQL.carrySends);
    this.#pruneCarried = db.prepare(USERS_SQL.pruneCarried);
    this.#countActive = db.prepare(USERS_SQL.countActive);
    this.#listActive = db.prepare(USERS_SQL.listActive);
    this.#listActiveOfType = db.prepare(USERS_SQL.listActiveOfType);
    this.#listActiveByDomain = db.prepare(USERS_SQL.listActiveByDomain);
  }

  /** The user row, active or revoked, or undefined when the account never registered. */
  get(type: AccountType, address: string): User | undefined {
    const row = this.#get.get({ type, address: normalizeAddress(address) });
    return row === undefined ? undefined : toUser(row);
  }

  /**
   * Creates the user, or re-activates it: registration count + 1, new date, app,
   * and language / account id when given; the revoke date is cleared. The caller
   * checks the registration rules first (and whether the user is already active).
   */
  register(registration: Registration): User {
    const row = this.#register.get({
      type: registration.type,
      address: normalizeAddress(registration.address),
      at: registration.at,
      lang: registration.lang,
      app: registration.app,
      accountId: registration.accountId,
    });
    return toUser(row!);
  }

  /**
   * How many times the account registered, ever: its row's count, or, once a revoked row was
   * purged, the count kept for it (a purge does not give an account a fresh start).
   */
  registrationCount(type: AccountType, address: string): number {
    return intOf(
      this.#registrationCount.get({ type, address: normalizeAddress(address) })!,
      "n",
    );
  }

  /**
   * Unregisters: sets the revoke date and deletes the user's own blocks and every
   * conversation record to or from them, in one transaction. Blocks by other users
   * of this account are kept. The times (only) of what they sent in the last
   * {@link CARRY_SENDS_MS} are kept, so that leaving and coming back does not reset
   * the rate limit ({@link Conversations.countSentSince} counts them). Returns false
   * when the user was not active (the deletions happen anyway).
   */
  revoke(type: AccountType, address: string, at: number): boolean {
    const normalized = normalizeAddress(address);
    return this.transaction(() => {
      const changed = this.#revoke.run({ type, address: normalized, at }).changes > 0;
      this.#pruneCarried.run({ before: at - CARRY_SENDS_MS });
      this.#carrySends.run({
        type: otherType(type),
        address: normalized,
        since: at - CARRY_SENDS_MS,
      });
      this.blocks.removeAllBy(type, normalized);
      this.conversations.deleteInvolving(type, normalized);
      return changed;
    });
  }

  /** Sets the language of a user (active or not); false when there is no such user. */
  setLanguage(type: AccountType, address: string, lang: string | null): boolean {
    return this.#setLanguage.run({ type, address: normalizeAddress(address), lang }).changes > 0;
  }

  /** Number of active users of both networks. */
  countActive(): number {
    return intOf(this.#countActive.get()!, "n");
  }

  /** Active users of both networks, the most recently registered first. */
  listActive(): User[] {
    return this.#listActive.all().map(toUser);
  }

  /** Active users of one network, the most recently registered first. */
  listActiveOfType(type: AccountType): User[] {
    return this.#listActiveOfType.all({ type }).map(toUser);
  }

  /** Active users of both networks whose address is at exactly `domain`. */
  listActiveByDomain(domain: string): User[] {
    return this.#listActiveByDomain.all({ domain: normalizeAddress(domain) }).map(toUser);
  }
}

function toUser(row: Row): User {
  return {
    type: typeOf(row),
    address: textOf(row, "address"),
    registeredAt: intOf(row, "registered_at"),
    registrations: intOf(row, "registrations"),
    lang: textOrNull(row, "lang"),
    revokedAt: intOrNull(row, "revoked_at"),
    app: textOf(row, "app"),
    accountId: textOrNull(row, "account_id"),
  };
}
