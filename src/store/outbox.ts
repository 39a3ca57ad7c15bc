/**
 * The `outbox` table: what must go out, per network, in order per lane, with retry state.
 * The payload is opaque JSON to this module (the outbox layer writes effects there).
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  type AccountType,
  intOf,
  intOrNull,
  type Row,
  textOf,
  textOrNull,
  typeOf,
} from "./types.ts";
import { LaneHeads } from "./lane_heads.ts";

export const OUTBOX_PENDING = 0;
export const OUTBOX_SENT = 1;
export const OUTBOX_GIVEN_UP = 2;
export type OutboxState = typeof OUTBOX_PENDING | typeof OUTBOX_SENT | typeof OUTBOX_GIVEN_UP;

export interface OutboxRow {
  readonly id: number;
  readonly network: AccountType;
  readonly lane: string;
  readonly payload: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAt: number;
  readonly state: OutboxState;
  readonly closedAt: number | null;
  readonly lastError: string | null;
}

/** The head of each lane: the oldest pending row of its network and lane. */
const HEAD = `o.id = (SELECT MIN(p.id) FROM outbox p
  WHERE p.state = 0 AND p.network = o.network AND p.lane = o.lane)`;

/**
 * Starts the `last_error` of a row whose content may itself have caused the failure (the XMPP
 * server closed the stream on it): such a row waits out its backoff even when the link comes
 * back ({@link OutboxTable.retryNow} leaves it alone).
 */
export const SUSPECT_MARK = "[suspect] ";

/** SQL of this module, exported for the query-plan test. */
export const OUTBOX_SQL = {
  insert: `INSERT INTO outbox (network, lane, payload, created_at, next_at)
    VALUES (:network, :lane, :payload, :at, :at)`,
  due: `SELECT o.* FROM outbox o
    WHERE o.state = 0 AND o.network = :network AND o.next_at <= :now AND ${HEAD}
    ORDER BY o.id LIMIT :limit`,
  nextDue: `SELECT MIN(o.next_at) AS next FROM outbox o
    WHERE o.state = 0 AND o.network = :network AND ${HEAD}`,
  close: `UPDATE outbox SET state = :state, closed_at = :at, last_error = :error, payload = '',
    attempts = attempts + 1 WHERE id = :id AND state = 0`,
  retry: `UPDATE outbox SET attempts = attempts + 1, next_at = :nextAt, last_error = :error
    WHERE id = :id AND state = 0`,
  defer: "UPDATE outbox SET next_at = :nextAt WHERE id = :id AND state = 0",
  retryNow: `UPDATE outbox SET next_at = :now
    WHERE state = 0 AND network = :network AND next_at > :now
    AND (last_error IS NULL OR substr(last_error, 1, ${SUSPECT_MARK.length}) <> '${SUSPECT_MARK}')`,
  get: "SELECT * FROM outbox WHERE id = :id",
  pendingMentioning: `SELECT * FROM outbox
    WHERE state = 0 AND network = :network AND instr(payload, :needle) > 0 ORDER BY id`,
  rewrite: "UPDATE outbox SET payload = :payload WHERE id = :id AND state = 0",
  countPending: "SELECT COUNT(*) AS n FROM outbox WHERE state = 0 AND network = :network",
  pruneClosed: "DELETE FROM outbox WHERE state <> 0 AND closed_at < :before",
} as const;

function rowOf(row: Row): OutboxRow {
  return {
    id: intOf(row, "id"),
    network: typeOf(row, "network"),
    lane: textOf(row, "lane"),
    payload: textOf(row, "payload"),
    createdAt: intOf(row, "created_at"),
    attempts: intOf(row, "attempts"),
    nextAt: intOf(row, "next_at"),
    state: intOf(row, "state") as OutboxState,
    closedAt: intOrNull(row, "closed_at"),
    lastError: textOrNull(row, "last_error"),
  };
}

/** Access to the `outbox` table. */
export class OutboxTable {
  readonly #insert: StatementSync;
  readonly #due: StatementSync;
  readonly #nextDue: StatementSync;
  readonly #close: StatementSync;
  readonly #retry: StatementSync;
  readonly #retryNow: StatementSync;
  readonly #defer: StatementSync;
  readonly #get: StatementSync;
  readonly #pendingMentioning: StatementSync;
  readonly #rewrite: StatementSync;
  readonly #countPending: StatementSync;
  readonly #pruneClosed: StatementSync;
  /** The lane heads, kept in memory (lane_heads.ts). */
  readonly heads: LaneHeads;

  constructor(db: DatabaseSync) {
    this.heads = new LaneHeads(db);
    this.#insert = db.prepare(OUTBOX_SQL.insert);
    this.#due = db.prepare(OUTBOX_SQL.due);
    this.#nextDue = db.prepare(OUTBOX_SQL.nextDue);
    this.#close = db.prepare(OUTBOX_SQL.close);
    this.#retry = db.prepare(OUTBOX_SQL.retry);
    this.#retryNow = db.prepare(OUTBOX_SQL.retryNow);
    this.#defer = db.prepare(OUTBOX_SQL.defer);
    this.#get = db.prepare(OUTBOX_SQL.get);
    this.#pendingMentioning = db.prepare(OUTBOX_SQL.pendingMentioning);
    this.#rewrite = db.prepare(OUTBOX_SQL.rewrite);
    this.#countPending = db.prepare(OUTBOX_SQL.countPending);
    this.#pruneClosed = db.prepare(OUTBOX_SQL.pruneClosed);
  }

  /** Adds a pending row, due at once; returns its id. */
  insert(network: AccountType, lane: string, payload: string, at: number): number {
    const id = Number(this.#insert.run({ network, lane, payload, at }).lastInsertRowid);
    this.heads.added(network, lane, id, at);
    return id;
  }

  /**
   * The heads of the lanes of `network` that are due at `now`, oldest first, found in memory
   * (lane_heads.ts) and read from the table.
   */
  due(network: AccountType, now: number, limit = 50): OutboxRow[] {
    const rows: OutboxRow[] = [];
    for (const id of this.heads.dueIds(network, now, limit)) {
      const row = this.get(id);
      if (row !== undefined && row.state === OUTBOX_PENDING && row.nextAt <= now) {
        rows.push(row);
        continue;
      }
      // The memory was behind the table: it is read again at the next look.
      this.heads.invalidate();
    }
    return rows;
  }

  /** The lane heads due at `now` as the table alone says (the reference for the memory). */
  dueFromTable(network: AccountType, now: number, limit = 50): OutboxRow[] {
    return this.#due.all({ network, now, limit }).map(rowOf);
  }

  /** When the next lane head of `network` is due, or null when nothing is pending. */
  nextDueAt(network: AccountType): number | null {
    return this.heads.nextDueAt(network);
  }

  /** {@link OutboxTable.nextDueAt} as the table alone says. */
  nextDueAtFromTable(network: AccountType): number | null {
    const row = this.#nextDue.get({ network });
    return row === undefined ? null : intOrNull(row, "next");
  }

  /** Closes a pending row as sent or given up; false when it was not pending. */
  close(id: number, state: OutboxState, at: number, error: string | null = null): boolean {
    const changed = this.#close.run({ id, state, at, error }).changes > 0;
    this.heads.closed(id);
    return changed;
  }

  /** Counts an attempt and postpones the row until `nextAt`. */
  retry(id: number, nextAt: number, error: string): boolean {
    return this.#moved(id, nextAt, this.#retry.run({ id, nextAt, error }).changes > 0);
  }

  /** Postpones a row until `nextAt` without counting an attempt (it was not tried). */
  defer(id: number, nextAt: number): boolean {
    return this.#moved(id, nextAt, this.#defer.run({ id, nextAt }).changes > 0);
  }

  #moved(id: number, nextAt: number, changed: boolean): boolean {
    if (changed) this.heads.moved(id, nextAt);
    else this.heads.closed(id);
    return changed;
  }

  /**
   * Makes every postponed row of `network` due now (its server is back), except suspects (see
   * {@link SUSPECT_MARK}); returns how many.
   */
  retryNow(network: AccountType, now: number): number {
    const changed = Number(this.#retryNow.run({ network, now }).changes);
    if (changed > 0) this.heads.invalidate();
    return changed;
  }

  get(id: number): OutboxRow | undefined {
    const row = this.#get.get({ id });
    return row === undefined ? undefined : rowOf(row);
  }

  /**
   * The pending rows of `network` whose payload contains `needle` (a plain substring), oldest
   * first: a cheap first cut before reading the payloads.
   */
  pendingContaining(network: AccountType, needle: string): OutboxRow[] {
    return this.#pendingMentioning.all({ network, needle }).map(rowOf);
  }

  /** Replaces the payload of a pending row; false when it is not pending any more. */
  rewrite(id: number, payload: string): boolean {
    return this.#rewrite.run({ id, payload }).changes > 0;
  }

  countPending(network: AccountType): number {
    return intOf(this.#countPending.get({ network })!, "n");
  }

  /** Deletes closed rows closed strictly before `before`; returns how many went. */
  pruneClosed(before: number): number {
    return Number(this.#pruneClosed.run({ before }).changes);
  }
}
