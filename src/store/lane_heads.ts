/**
 * The outbox's pending rows per network and lane, kept in memory, so that finding the lane heads
 * due now (after every send) is a look in a map, not a query over the table. Only ids and due
 * times are kept; the rows themselves are read when they are sent.
 *
 * What this connection writes is applied as it is written. The index is rebuilt from the table
 * when it is first used, whenever another connection (the other process) has committed since the
 * last look (SQLite's `data_version`), and after a rolled-back transaction of this connection,
 * whose writes it may hold. The rows stay the truth: a head that turns out not to be pending any
 * more is dropped and the index rebuilt.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type AccountType, intOf, textOf } from "./types.ts";

/** SQL of this module, exported for the query-plan test. */
export const LANE_HEADS_SQL = {
  pending: `SELECT id, lane, next_at FROM outbox WHERE state = 0 AND network = :network
    ORDER BY id`,
} as const;

interface Pending {
  readonly id: number;
  nextAt: number;
}

/** The pending rows of the networks, per lane, oldest first. */
export class LaneHeads {
  readonly #pending: StatementSync;
  readonly #version: StatementSync;
  /** Per network (the index of the array), lane to its pending rows, oldest first. */
  readonly #lanes: (Map<string, Pending[]> | null)[] = [null, null];
  /** Lane of every pending id known. */
  readonly #laneOf = new Map<number, { readonly network: AccountType; readonly lane: string }>();
  #version0: number | null = null;
  /** How many times a network's lanes were read from the table. */
  rebuilds = 0;

  constructor(db: DatabaseSync) {
    this.#pending = db.prepare(LANE_HEADS_SQL.pending);
    this.#version = db.prepare("PRAGMA data_version");
  }

  /** Forgets everything: the next look rebuilds from the table. */
  invalidate(): void {
    this.#lanes[0] = null;
    this.#lanes[1] = null;
    this.#laneOf.clear();
  }

  /** The ids of the heads of `network` due at `now`, oldest first, at most `limit`. */
  dueIds(network: AccountType, now: number, limit: number): number[] {
    const ids: number[] = [];
    for (const rows of this.#of(network).values()) {
      const head = rows[0]!;
      if (head.nextAt <= now) ids.push(head.id);
    }
    return ids.sort((a, b) => a - b).slice(0, limit);
  }

  /** When the next head of `network` is due, or null when nothing is pending. */
  nextDueAt(network: AccountType): number | null {
    let next: number | null = null;
    for (const rows of this.#of(network).values()) {
      const at = rows[0]!.nextAt;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** A row was added by this connection. */
  added(network: AccountType, lane: string, id: number, nextAt: number): void {
    const lanes = this.#lanes[network];
    if (lanes === null || lanes === undefined) return;
    const rows = lanes.get(lane);
    const row = { id, nextAt };
    if (rows === undefined) lanes.set(lane, [row]);
    else if (rows.at(-1)!.id < id) rows.push(row);
    else {
      rows.push(row);
      rows.sort((a, b) => a.id - b.id);
    }
    this.#laneOf.set(id, { network, lane });
  }

  /** A row is no longer pending (sent, given up, not there). */
  closed(id: number): void {
    const where = this.#laneOf.get(id);
    if (where === undefined) return;
    this.#laneOf.delete(id);
    const lanes = this.#lanes[where.network];
    const rows = lanes?.get(where.lane);
    if (rows === undefined) return;
    const at = rows.findIndex((r) => r.id === id);
    if (at >= 0) rows.splice(at, 1);
    if (rows.length === 0) lanes!.delete(where.lane);
  }

  /** A pending row's next attempt moved. */
  moved(id: number, nextAt: number): void {
    const where = this.#laneOf.get(id);
    if (where === undefined) return;
    const row = this.#lanes[where.network]?.get(where.lane)?.find((r) => r.id === id);
    if (row !== undefined) row.nextAt = nextAt;
  }

  #of(network: AccountType): Map<string, Pending[]> {
    const version = Number(this.#version.get()?.data_version ?? 0);
    if (version !== this.#version0) {
      // Another connection committed: what it wrote is read in.
      this.#version0 = version;
      this.invalidate();
    }
    let lanes = this.#lanes[network];
    if (lanes === null || lanes === undefined) {
      lanes = new Map();
      this.rebuilds++;
      for (const id of [...this.#laneOf.keys()]) {
        if (this.#laneOf.get(id)!.network === network) this.#laneOf.delete(id);
      }
      for (const row of this.#pending.all({ network })) {
        const id = intOf(row, "id");
        const lane = textOf(row, "lane");
        const rows = lanes.get(lane);
        const pending = { id, nextAt: intOf(row, "next_at") };
        if (rows === undefined) lanes.set(lane, [pending]);
        else rows.push(pending);
        this.#laneOf.set(id, { network, lane });
      }
      this.#lanes[network] = lanes;
    }
    return lanes;
  }
}
