/**
 * What became of the notifications, counted: per process (`stats`, for tests and logs), and in
 * the store for `!status` (src/store/inlet_counts.ts); each "ignored", "duplicate" and "given
 * up" outcome is logged with its reason.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Clock, CoreStore } from "../core/ports.ts";
import { emptyCounts, type InletCounts, readInletCounts, writeInletCounts } from "../store/mod.ts";

/** What became of one notification. */
export type Outcome =
  /** The core took it. */
  | "handled"
  /** Nothing to do (the bot's own, a public mention, the follow after a follow request...). */
  | "ignored"
  /** Seen already (in this process, or by its dedupe key in the store). */
  | "duplicate"
  /** Handling threw: it will be tried again. */
  | "failed"
  /** Handling threw too many times: left alone for good. */
  | "given-up";

/** Where a notification came from: the stream, or a catch-up pass. */
export type Source = "stream" | "catch-up";

/** The counts and log lines of the inlet's outcomes. */
export class InletTally {
  /** Counts of this process. */
  readonly stats = {
    handled: 0,
    ignored: 0,
    duplicates: 0,
    rechecked: 0,
    recovered: 0,
    failed: 0,
    givenUp: 0,
  };
  /** The counts shared with `!status`, loaded lazily from the store. */
  #counts: InletCounts | null = null;

  constructor(
    private readonly store: CoreStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxAttempts: number,
  ) {}

  /** Notifications a reconciliation took up that the stream had not brought. */
  recovered(count: number): void {
    this.stats.recovered += count;
    this.#count("recovered", count);
  }

  /** Counts one outcome and logs what is worth a line. */
  record(
    n: { readonly id: string; readonly type: string },
    source: Source,
    outcome: Outcome,
    reason: string | null,
  ): void {
    const log = this.log;
    switch (outcome) {
      case "failed":
        this.stats.failed++;
        this.#count("failed");
        break;
      case "handled":
        this.stats.handled++;
        this.#count("handled");
        break;
      case "ignored":
        this.stats.ignored++;
        this.#count("ignored");
        log.debug("Notification {id} ({type}) ignored: {reason}", {
          id: n.id,
          type: n.type,
          reason,
        });
        break;
      case "duplicate":
        if (source === "catch-up") {
          // A catch-up reads back over what is done on purpose: not worth a line or a count each.
          this.stats.rechecked++;
          break;
        }
        this.stats.duplicates++;
        this.#count("duplicates");
        log.debug("Notification {id} ({type}) from the {source} is a duplicate: {reason}", {
          id: n.id,
          type: n.type,
          source,
          reason,
        });
        break;
      case "given-up":
        this.stats.givenUp++;
        this.#count("givenUp");
        log.error("Gave up notification {id} ({type}) after {attempts} failures", {
          id: n.id,
          type: n.type,
          attempts: this.maxAttempts,
        });
        break;
    }
  }

  /** Adds to one of the counts kept for `!status`; a store failure only costs the count. */
  #count(field: Exclude<keyof InletCounts, "since">, by = 1): void {
    const { store, clock } = this;
    try {
      this.#counts ??= readInletCounts(store) ?? emptyCounts(clock.now());
      this.#counts[field] += by;
      writeInletCounts(store, this.#counts);
    } catch {
      // Counting is for the admins' eyes; the notification itself is dealt with.
    }
  }
}
