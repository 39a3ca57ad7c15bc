import assert from "node:assert/strict";
import { makeCore } from "../../tests/support/core.ts";
import { type Account, type Effect, FEDI, type ReceiptRequest, XMPP } from "../core/types.ts";
import type { OutboxRow } from "../store/mod.ts";
import { Outbox } from "./outbox.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };
const BOB: Account = { network: FEDI, address: "bob@social.test" };
const CAROL: Account = { network: FEDI, address: "carol@social.test" };
const REQUEST: ReceiptRequest = { jid: "alice@chat.test/phone", id: "m1" };

function deliver(to: Account[], text: string, receipt?: ReceiptRequest): Effect {
  return {
    kind: "deliver",
    to,
    from: to[0]!.network === FEDI ? ALICE : BOB,
    text,
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: "m1",
    records: [],
    messageId: to[0]!.network === XMPP ? `bridge-${text}` : null,
    confirm: false,
    senderLang: "en",
    ...(receipt ? { receipt } : {}),
  };
}

function setup() {
  const core = makeCore();
  const outbox = new Outbox({
    store: core.deps.store,
    i18n: core.deps.i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  const store = core.deps.store;
  /** The pending rows of a network with their effects, oldest first. */
  const pending = (network: typeof FEDI | typeof XMPP) =>
    store.outbox.due(network, Number.MAX_SAFE_INTEGER, 1000)
      .map((row) => ({ row, effect: JSON.parse(row.payload) as Effect }));
  return { core, outbox, store, pending };
}

function receipts(rows: { effect: Effect }[]): Effect[] {
  return rows.map((r) => r.effect).filter((e) => e.kind === "receipt");
}

Deno.test("the receipt is queued once the delivery carrying it was sent, not before", () => {
  const { core, outbox, store, pending } = setup();
  using _ = core;
  store.transaction(() => outbox.enqueue([deliver([BOB], "one", REQUEST)]));
  assert.deepEqual(receipts(pending(XMPP)), [], "nothing before the server accepted it");
  const [row] = pending(FEDI);
  outbox.settleSent(row!.row, row!.effect, "status-1");
  assert.deepEqual(receipts(pending(XMPP)), [
    { kind: "receipt", to: ALICE, request: REQUEST },
  ]);
});

Deno.test("with several rows for one message, the receipt waits for the last of them", () => {
  const { core, outbox, store, pending } = setup();
  using _ = core;
  store.transaction(() =>
    outbox.enqueue([deliver([BOB], "one", REQUEST), deliver([CAROL], "two", REQUEST)])
  );
  // Different lanes would be needed to see both at once; read them by id instead.
  const rows: OutboxRow[] = [store.outbox.get(1)!, store.outbox.get(2)!];
  const effects = rows.map((r) => JSON.parse(r.payload) as Effect);
  outbox.settleSent(rows[0]!, effects[0]!, "status-1");
  assert.deepEqual(receipts(pending(XMPP)), [], "the second status is not accepted yet");
  outbox.settleSent(rows[1]!, effects[1]!, "status-2");
  assert.equal(receipts(pending(XMPP)).length, 1);
});

Deno.test("a given-up row means no receipt, even when the others are sent", () => {
  const { core, outbox, store, pending } = setup();
  using _ = core;
  store.transaction(() =>
    outbox.enqueue([deliver([BOB], "one", REQUEST), deliver([CAROL], "two", REQUEST)])
  );
  const first = store.outbox.get(1)!;
  outbox.settleGivenUp(first, JSON.parse(first.payload) as Effect, "422 refused");
  const second = store.outbox.get(2)!;
  const rewritten = JSON.parse(second.payload) as Effect;
  assert.ok(rewritten.kind === "deliver");
  assert.equal(rewritten.receipt, undefined, "the request was taken off the other row");
  outbox.settleSent(second, rewritten, "status-2");
  assert.deepEqual(receipts(pending(XMPP)), []);
  // The sender is told about the failure instead.
  assert.ok(pending(XMPP).some((r) => r.effect.kind === "notice"));
});

Deno.test("another message's rows do not hold back a receipt", () => {
  const { core, outbox, store, pending } = setup();
  using _ = core;
  const other: ReceiptRequest = { jid: REQUEST.jid, id: "m2" };
  store.transaction(() =>
    outbox.enqueue([deliver([BOB], "one", REQUEST), deliver([CAROL], "two", other)])
  );
  const first = store.outbox.get(1)!;
  outbox.settleSent(first, JSON.parse(first.payload) as Effect, "status-1");
  assert.deepEqual(receipts(pending(XMPP)).map((e) => e.kind === "receipt" && e.request.id), [
    "m1",
  ]);
});

Deno.test("deliveries to XMPP wait for their recipient's receipt, recorded for the share", () => {
  const { core, outbox, store, pending } = setup();
  using _ = core;
  for (const text of ["hi", "again"]) {
    store.conversations.record({
      recipientType: XMPP,
      recipient: ALICE.address,
      sender: BOB.address,
      at: core.clock.now,
      sourceId: text,
      postedId: `bridge-${text}`,
    });
  }
  store.transaction(() => outbox.enqueue([deliver([ALICE], "hi"), deliver([ALICE], "again")]));
  const [row] = pending(XMPP);
  outbox.settleSent(row!.row, row!.effect, "bridge-hi");
  assert.deepEqual(store.receipts.shareSince(0), { sent: 1, confirmed: 0 });
  assert.equal(outbox.recordReceipt("bridge-hi", "mallory@chat.test"), false, "not the recipient");
  assert.equal(outbox.recordReceipt("bridge-nothing", ALICE.address), false, "never sent");
  assert.equal(outbox.recordReceipt("bridge-hi", ALICE.address), true);
  assert.deepEqual(store.receipts.shareSince(0), { sent: 1, confirmed: 1 });
  // A receipt that overtakes the server's acknowledgement counts all the same.
  assert.equal(outbox.recordReceipt("bridge-again", ALICE.address), true);
  const [second] = pending(XMPP);
  outbox.settleSent(second!.row, second!.effect, "bridge-again");
  assert.deepEqual(store.receipts.shareSince(0), { sent: 2, confirmed: 2 });
});
