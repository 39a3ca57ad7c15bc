/**
 * What became of the Fediverse notifications, counted for the admins' `!status`: the inlet runs in
 * the process with the `fedi` role, the answer may come from another one, so the counts live in the
 * store's `meta` table (one JSON value, written by the inlet's process only).
 *
 * @module
 */
import type { Store } from "./store.ts";

/** The meta key of the counts. */
export const INLET_COUNTS_KEY = "fedi.inlet_counts";

/** Counts since `since` (epoch ms), kept across restarts. */
export interface InletCounts {
  /** Handed to the core and taken. */
  handled: number;
  /** Left alone on purpose (the bot's own, public mentions, a follow after its request...). */
  ignored: number;
  /** Came again (a stream event after the catch-up took it, the core's dedupe key...). */
  duplicates: number;
  /** Found by a reconciliation while the stream was live: the stream had not brought them. */
  recovered: number;
  /** Failed attempts (each one is tried again). */
  failed: number;
  /** Left alone for good after repeated failures. */
  givenUp: number;
  since: number;
}

const FIELDS = ["handled", "ignored", "duplicates", "recovered", "failed", "givenUp"] as const;

/** Fresh counts starting at `now`. */
export function emptyCounts(now: number): InletCounts {
  return { handled: 0, ignored: 0, duplicates: 0, recovered: 0, failed: 0, givenUp: 0, since: now };
}

/** The counts kept in the store, or null when the inlet never ran (or the value is unreadable). */
export function readInletCounts(store: Pick<Store, "meta">): InletCounts | null {
  const raw = store.meta.get(INLET_COUNTS_KEY);
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object") return null;
  const record = parsed as Record<string, unknown>;
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;
  const counts = emptyCounts(num(record.since));
  for (const f of FIELDS) counts[f] = num(record[f]);
  return counts;
}

/** Stores the counts. */
export function writeInletCounts(store: Pick<Store, "meta">, counts: InletCounts): void {
  store.meta.set(INLET_COUNTS_KEY, JSON.stringify(counts));
}
