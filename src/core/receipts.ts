/**
 * Receipts that mean delivery (XEP-0184 on the XMPP side): an XMPP sender who asked for one gets
 * it only once the Fediverse server accepted every status their message produced. The core
 * attaches the sender's request to the `deliver` effects of the turn; the outbox releases the
 * receipt when the last of those rows is sent, and drops it when one is given up
 * (src/outbox/receipts.ts). A command (or a language setting) is answered by the bot itself: its
 * receipt goes out at once, with the answer. A refused message, or one that reaches nobody, gets
 * none: the sender's client leaves it unconfirmed, and the bot's answer explains.
 *
 * @module
 */
import type { Effect, ReceiptRequest } from "./types.ts";
import type { Account } from "./types.ts";
import { DAY_MS } from "./flood.ts";

/** How far back `!status` counts the receipts of deliveries, and how long they are kept. */
export const RECEIPT_WINDOW_MS = 7 * DAY_MS;

/** What {@link withReceipt} reads and changes of a turn (a `Turn` of context.ts). */
export interface ReceiptTurn {
  readonly sender: Account;
  /** Whether this turn's answers are refusals. */
  readonly refusal: boolean;
  /** The sender's request, until it is attached to something. */
  receipt: ReceiptRequest | null;
  /** The message was for the bot (a command): confirmed with the answer. */
  receiptAtOnce: boolean;
}

/** The effect that sends the receipt of `request` to `to`. */
export function receiptEffect(to: Account, request: ReceiptRequest): Effect {
  return { kind: "receipt", to, request: { jid: request.jid, id: request.id } };
}

/**
 * The effects of a commit with the turn's receipt request placed (see the module comment); the
 * request is used once per turn.
 */
export function withReceipt(turn: ReceiptTurn, effects: readonly Effect[]): readonly Effect[] {
  const request = turn.receipt;
  if (request === null) return effects;
  if (effects.some((e) => e.kind === "deliver" && e.to.length > 0)) {
    turn.receipt = null;
    const carried = { jid: request.jid, id: request.id };
    return effects.map((e) => e.kind === "deliver" ? { ...e, receipt: carried } : e);
  }
  if (turn.receiptAtOnce && !turn.refusal) {
    turn.receipt = null;
    return [...effects, receiptEffect(turn.sender, request)];
  }
  return effects;
}
