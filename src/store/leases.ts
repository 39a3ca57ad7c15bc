/**
 * The `role_leases` table: which process runs which bot role, and how it was doing at its last
 * heartbeat. One row per role; a process holds a role while it keeps the row's heartbeat fresh.
 * Taking a lease is one `BEGIN IMMEDIATE` transaction (the caller's), so two processes starting
 * at once cannot both win.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { intOf, type Row, textOf } from "./types.ts";

/** A lease row as stored. */
export interface LeaseRow {
  /** `fedi` or `xmpp`. */
  readonly role: string;
  /** A random token naming the holding process (its pid may be reused). */
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lease (epoch ms). */
  readonly startedAt: number;
  /** The holder's last heartbeat (epoch ms). */
  readonly heartbeatAt: number;
  /** What the holder reported at its last heartbeat, as JSON text (`{}` before the first). */
  readonly health: string;
}

/** The process that asks for a lease. */
export interface LeaseClaim {
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
}

/** SQL of this module, exported for the query-plan test. */
export const LEASES_SQL = {
  get: "SELECT * FROM role_leases WHERE role = :role",
  list: "SELECT * FROM role_leases ORDER BY role",
  put: `INSERT INTO role_leases (role, owner, pid, host, started_at, heartbeat_at, health)
    VALUES (:role, :owner, :pid, :host, :now, :now, '{}')
    ON CONFLICT (role) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
      host = excluded.host, started_at = excluded.started_at,
      heartbeat_at = excluded.heartbeat_at, health = excluded.health`,
  beat: `UPDATE role_leases SET heartbeat_at = :now, health = :health
    WHERE role = :role AND owner = :owner`,
  release: "DELETE FROM role_leases WHERE role = :role AND owner = :owner",
  pending: `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
    WHERE state = 0 AND network = :network`,
} as const;

function rowOf(row: Row): LeaseRow {
  return {
    role: textOf(row, "role"),
    owner: textOf(row, "owner"),
    pid: intOf(row, "pid"),
    host: textOf(row, "host"),
    startedAt: intOf(row, "started_at"),
    heartbeatAt: intOf(row, "heartbeat_at"),
    health: textOf(row, "health"),
  };
}

/** Access to the `role_leases` table (and the outbox figures a heartbeat reports). */
export class LeaseTable {
  readonly #get: StatementSync;
  readonly #list: StatementSync;
  readonly #put: StatementSync;
  readonly #beat: StatementSync;
  readonly #release: StatementSync;
  readonly #pending: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare(LEASES_SQL.get);
    this.#list = db.prepare(LEASES_SQL.list);
    this.#put = db.prepare(LEASES_SQL.put);
    this.#beat = db.prepare(LEASES_SQL.beat);
    this.#release = db.prepare(LEASES_SQL.release);
    this.#pending = db.prepare(LEASES_SQL.pending);
  }

  /** The lease of `role`, or undefined when nobody holds it. */
  get(role: string): LeaseRow | undefined {
    const row = this.#get.get({ role });
    return row === undefined ? undefined : rowOf(row);
  }

  /** Every lease, by role. */
  list(): LeaseRow[] {
    return this.#list.all().map(rowOf);
  }

  /** Writes `claim` as the holder of `role`, replacing any row (call it in a transaction). */
  put(role: string, claim: LeaseClaim, now: number): void {
    this.#put.run({ role, owner: claim.owner, pid: claim.pid, host: claim.host, now });
  }

  /** Refreshes the heartbeat of a lease `owner` holds; false when it holds it no longer. */
  beat(role: string, owner: string, now: number, health: string): boolean {
    return this.#beat.run({ role, owner, now, health }).changes > 0;
  }

  /** Gives the lease up, if `owner` still holds it. */
  release(role: string, owner: string): boolean {
    return this.#release.run({ role, owner }).changes > 0;
  }

  /** How many outbox rows of `network` are pending, and when the oldest was written. */
  pending(network: number): { count: number; oldestAt: number | null } {
    const row = this.#pending.get({ network });
    const count = row === undefined ? 0 : intOf(row, "n");
    const oldest = row?.oldest;
    return {
      count,
      oldestAt: oldest === null || oldest === undefined ? null : Number(oldest),
    };
  }
}
