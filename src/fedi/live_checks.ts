/**
 * The checks of a live stream, run by its timers (live_timers.ts): a quiet stream is checked
 * with a catch-up (a stalled one is closed, to reconnect), and a live one is reconciled with the
 * server's list of notifications.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { errorText } from "../text/errors.ts";
import type { ReconcilePlan, StallWatchdog } from "./live_timers.ts";
import type { StreamConnection } from "./stream.ts";

/** What the checks need from the bot. */
export interface LiveChecks {
  readonly log: Logger;
  readonly watch: StallWatchdog;
  readonly plan: ReconcilePlan;
  /** Whether the bot is closed. */
  closed(): boolean;
  /** The bot's current connection, and the live one reconciliations are planned for. */
  current(): StreamConnection | null;
  live(): StreamConnection | null;
  /** One catch-up pass (after the ones running); resolves with how many it took up. */
  catchUp(): Promise<number>;
  /** A reconciliation took up notifications the stream had not brought. */
  recovered(count: number): void;
  /** Dispatches one of the bot's events. */
  emit(event: Event): void;
  /** Arms the watchdog for `conn` again. */
  rearm(conn: StreamConnection): void;
  /** Plans the next reconciliation. */
  replan(): void;
}

/** The stream was quiet for a while: a catch-up tells whether it still works. */
export async function checkQuiet(c: LiveChecks, conn: StreamConnection): Promise<void> {
  if (c.closed() || c.current() !== conn) return;
  if (!c.watch.quiet) {
    c.rearm(conn);
    return;
  }
  let missed: number;
  try {
    missed = await c.catchUp() + c.watch.missed;
  } catch (e) {
    if (c.closed() || c.current() !== conn) return;
    c.log.warning("Checking a quiet stream failed ({error}); reconnecting", {
      error: errorText(e),
    });
    conn.close("check failed");
    return;
  }
  if (c.closed() || c.current() !== conn) return;
  if (missed > 0) {
    c.log.warning("The stream missed {count} notification(s): it is stalled", {
      count: missed,
    });
    c.emit(new Event("stall"));
    conn.close("stalled");
    return;
  }
  c.watch.touch();
  c.rearm(conn);
}

/** A catch-up while the stream is live: takes up what the stream skipped or lost. */
export async function reconcile(c: LiveChecks, conn: StreamConnection): Promise<void> {
  if (c.closed() || c.current() !== conn || c.live() !== conn) return;
  c.plan.begin();
  let found: number;
  try {
    found = await c.catchUp();
  } catch (e) {
    if (c.closed()) return;
    c.log.warning("Reconciling the stream failed: {error}", { error: errorText(e) });
    // Tried again with the next interval.
    c.plan.passEnded();
    c.replan();
    return;
  }
  if (found > 0) {
    c.watch.missed += found;
    c.recovered(found);
    c.log.info("Reconciliation took up {count} notification(s) the stream had not brought", {
      count: found,
    });
  } else c.log.debug("Reconciliation found nothing the stream had missed");
  c.emit(new CustomEvent("reconciled", { detail: found }));
}
