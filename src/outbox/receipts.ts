/**
 * The outbox's part of receipts that mean delivery (see src/core/receipts.ts): a `deliver` row
 * carrying a sender's receipt request releases the receipt when it is sent and no other pending
 * row carries the same request (the message's other statuses, if any, were all accepted); a row
 * given up takes the request off the rows still pending, so that message gets no receipt at all.
 * Both run inside the transaction that closes the row.
 *
 * The other way round, a delivery to an XMPP user (which asks for a receipt) is noted when sent,
 * and the receipt its recipient's client returns is recorded against it, for `!status`.
 *
 * @module
 */
import type { CoreStore } from "../core/ports.ts";
import { receiptEffect } from "../core/receipts.ts";
import { type Effect, FEDI, type ReceiptRequest, XMPP } from "../core/types.ts";

type DeliverEffect = Extract<Effect, { kind: "deliver" }>;

/** How a request appears in a row's JSON payload (a cheap first cut; the payload is then read). */
function needle(request: ReceiptRequest): string {
  return `"receipt":${JSON.stringify({ jid: request.jid, id: request.id })}`;
}

/** The pending rows of the same network that carry `request`, with their effects. */
function carriers(store: CoreStore, effect: DeliverEffect, request: ReceiptRequest) {
  const network = effect.to[0]?.network ?? FEDI;
  return store.outbox.pendingContaining(network, needle(request)).flatMap((row) => {
    try {
      const other = JSON.parse(row.payload) as Effect;
      const same = other.kind === "deliver" && other.receipt?.jid === request.jid &&
        other.receipt.id === request.id;
      return same ? [{ row, effect: other as DeliverEffect }] : [];
    } catch {
      return [];
    }
  });
}

/**
 * A delivery was sent: the effects that follow from it (the receipt, when this was the last row
 * waiting for it). Also notes a delivery to XMPP as waiting for its recipient's receipt.
 */
export function afterSent(store: CoreStore, effect: DeliverEffect, now: number): Effect[] {
  const first = effect.to[0];
  if (first?.network === XMPP && effect.messageId !== null) {
    store.receipts.expect(first.address, effect.messageId, now);
  }
  const request = effect.receipt;
  if (request === undefined) return [];
  if (carriers(store, effect, request).length > 0) return [];
  return [receiptEffect(effect.from, request)];
}

/** A delivery was given up: the other rows of its message lose the receipt request. */
export function afterGivenUp(store: CoreStore, effect: DeliverEffect): void {
  const request = effect.receipt;
  if (request === undefined) return;
  for (const { row, effect: other } of carriers(store, effect, request)) {
    const { receipt: _dropped, ...rest } = other;
    store.outbox.rewrite(row.id, JSON.stringify(rest));
  }
}
