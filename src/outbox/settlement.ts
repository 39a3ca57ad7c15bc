/**
 * What an attempt came to, for the outbox to record.
 *
 * @module
 */
import type { Effect } from "../core/types.ts";
import type { OutboxRow } from "../store/mod.ts";

/**
 * The outcome of one attempt, as `Outbox.settleMany` records it: sent (posted id kept,
 * sender told when asked), given up (sender told), or to be tried again at `nextAt`.
 */
export type Settlement =
  | {
    readonly outcome: "sent";
    readonly row: OutboxRow;
    readonly effect: Effect;
    readonly postedId: string | null;
    /** Files that went as links: the sender is told for each. */
    readonly asLinks?: readonly string[];
  }
  | {
    readonly outcome: "given-up";
    readonly row: OutboxRow;
    readonly effect: Effect;
    readonly reason: string;
  }
  | {
    readonly outcome: "retry";
    readonly row: OutboxRow;
    readonly effect: Effect;
    readonly nextAt: number;
    readonly error: string;
  };
