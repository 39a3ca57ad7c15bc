/**
 * Start-up time: from spawning the bridge process (both roles) to its "running: fedi, xmpp" line,
 * logged once the Fediverse stream is live and the XMPP session is online. Every benchmark that
 * starts the bridge reports its start here, grouped by the database it started on: the benchmark
 * users only, or filled with made-up users (the memory benchmark).
 */
import type { FigureSet } from "./figures.ts";

/** Records one start of the bridge on a database with `users` registered users. */
export function recordStartup(
  figures: FigureSet,
  users: number,
  filled: boolean,
  ms: number,
): void {
  figures.record(filled ? "startup.filled" : "startup.small", {
    label: `Start-up to both sessions ready, ${users.toLocaleString("en")} users`,
    unit: "ms",
  }, ms);
}
