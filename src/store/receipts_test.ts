import assert from "node:assert/strict";
import { openStore } from "./store.ts";
import { XMPP } from "./types.ts";

Deno.test("receipts: only the recipient of a delivery can confirm it, once", () => {
  using store = openStore(":memory:");
  for (const [recipient, id] of [["alice@xmpp.test", "m1"], ["alice@xmpp.test", "m2"]]) {
    store.conversations.record({
      recipientType: XMPP,
      recipient: recipient!,
      sender: "bob@social.test",
      at: 500,
      sourceId: "s",
      postedId: id!,
    });
  }
  store.receipts.expect("Alice@xmpp.test", "m1", 1_000);
  store.receipts.expect("alice@xmpp.test", "m2", 2_000);
  store.receipts.expect("bob@xmpp.test", "m3", 3_000);
  assert.deepEqual(store.receipts.shareSince(0), { sent: 3, confirmed: 0 });

  assert.equal(store.receipts.confirm("mallory@xmpp.test", "m1", 4_000), false, "not theirs");
  assert.equal(store.receipts.confirm("alice@xmpp.test", "unknown", 4_000), false);
  assert.equal(store.receipts.confirm("ALICE@xmpp.test", "m1", 4_000), true);
  assert.equal(store.receipts.confirm("alice@xmpp.test", "m1", 5_000), false, "already confirmed");
  assert.deepEqual(store.receipts.shareSince(0), { sent: 3, confirmed: 1 });
  assert.deepEqual(store.receipts.shareSince(2_000), { sent: 2, confirmed: 0 });

  // Sending the same message again (a retry) does not count it twice.
  store.receipts.expect("alice@xmpp.test", "m1", 6_000);
  assert.deepEqual(store.receipts.shareSince(0), { sent: 3, confirmed: 1 });

  assert.equal(store.receipts.pruneBefore(2_500), 2);
  assert.deepEqual(store.receipts.shareSince(0), { sent: 1, confirmed: 0 });
});

Deno.test("receipts: one that overtakes the acknowledgement of its delivery still counts", () => {
  using store = openStore(":memory:");
  store.conversations.record({
    recipientType: XMPP,
    recipient: "alice@xmpp.test",
    sender: "bob@social.test",
    at: 500,
    sourceId: "s",
    postedId: "m1",
  });
  assert.equal(store.receipts.confirm("alice@xmpp.test", "m1", 1_000), true);
  store.receipts.expect("alice@xmpp.test", "m1", 1_001); // the acknowledgement, later
  assert.deepEqual(store.receipts.shareSince(0), { sent: 1, confirmed: 1 });
  assert.equal(store.receipts.confirm("alice@xmpp.test", "never-sent", 1_000), false);
  assert.deepEqual(store.receipts.shareSince(0), { sent: 1, confirmed: 1 });
});
