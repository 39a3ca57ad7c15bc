/**
 * The outbox worker's look at a lane head before it is sent: its payload must be readable, and
 * the worker's `admit` (the Fediverse budget shares) may postpone it without counting an attempt.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Effect } from "../core/types.ts";
import type { CoreStore } from "../core/ports.ts";
import { OUTBOX_GIVEN_UP, type OutboxRow } from "../store/outbox.ts";

/** What {@link admitRow} works with. */
export interface AdmissionParts {
  readonly table: CoreStore["outbox"];
  readonly now: () => number;
  /** 0 (or a time not after now) lets the row go; a later epoch ms postpones it until then. */
  readonly admit: ((row: OutboxRow, effect: Effect) => number) | undefined;
  readonly log: Logger;
}

/**
 * The row's effect when it may go now; null when it was dropped (unreadable) or postponed (its
 * account's share is spent).
 */
export function admitRow(row: OutboxRow, parts: AdmissionParts): Effect | null {
  const { table, now, log } = parts;
  let effect: Effect;
  try {
    effect = JSON.parse(row.payload) as Effect;
  } catch {
    table.close(row.id, OUTBOX_GIVEN_UP, now(), "unreadable payload");
    log.error("outbox row {id} is unreadable and was dropped", { id: row.id });
    return null;
  }
  const notBefore = parts.admit?.(row, effect) ?? 0;
  if (notBefore <= now()) return effect;
  try {
    table.defer(row.id, notBefore);
  } catch (e) {
    log.error("cannot postpone outbox row {id}: {error}", { id: row.id, error: e });
  }
  log.debug("{kind} row {id} waits {seconds} s for its account's share", {
    kind: effect.kind,
    id: row.id,
    seconds: Math.round((notBefore - now()) / 1000),
  });
  return null;
}
