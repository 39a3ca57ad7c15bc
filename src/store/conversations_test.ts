import assert from "node:assert/strict";
import type { NewConversationRecord } from "./conversations.ts";
import { memoryStore } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

const ALICE = "alice@fedi.example"; // Fediverse
const BOB = "bob@xmpp.example"; // XMPP
const CAROL = "carol@xmpp.example"; // XMPP

function toXmpp(
  recipient: string,
  at: number,
  sourceId: string | null,
  postedId: string | null = null,
): NewConversationRecord {
  return { recipientType: XMPP, recipient, sender: ALICE, at, sourceId, postedId };
}

Deno.test("record stores a delivery lower-cased and returns it with an id", () => {
  using store = memoryStore();
  const first = store.conversations.record({
    recipientType: XMPP,
    recipient: "Bob@XMPP.example",
    sender: "Alice@Fedi.example",
    at: 100,
    sourceId: "110000000000000001",
    postedId: "msg-1",
  });
  assert.deepEqual(first, {
    id: first.id,
    recipientType: XMPP,
    recipient: BOB,
    sender: ALICE,
    at: 100,
    sourceId: "110000000000000001",
    postedId: "msg-1",
  });
  const second = store.conversations.record(toXmpp(CAROL, 101, "110000000000000001", "msg-2"));
  assert.ok(second.id > first.id);
  assert.deepEqual(store.conversations.lastReceivedBy(XMPP, "BOB@xmpp.example"), first);
});

Deno.test("countSentSince counts every delivery of a sender since a time, inclusive", () => {
  using store = memoryStore();
  store.conversations.record(toXmpp(BOB, 99, "s1"));
  store.conversations.record(toXmpp(BOB, 100, "s2"));
  store.conversations.record(toXmpp(CAROL, 100, "s2"));
  store.conversations.record(toXmpp(BOB, 150, "s3"));
  // Bob sending to Alice is another sender.
  store.conversations.record({
    recipientType: FEDI,
    recipient: ALICE,
    sender: BOB,
    at: 120,
    sourceId: "x1",
    postedId: null,
  });
  assert.equal(store.conversations.countSentSince(FEDI, "ALICE@fedi.example", 100), 3);
  assert.equal(store.conversations.countSentSince(FEDI, ALICE, 0), 4);
  assert.equal(store.conversations.countSentSince(FEDI, ALICE, 151), 0);
  assert.equal(store.conversations.countSentSince(XMPP, BOB, 0), 1);
  // Alice's address as an XMPP sender sent nothing.
  assert.equal(store.conversations.countSentSince(XMPP, ALICE, 0), 0);
});

Deno.test("findByPostedId returns every delivery of one posted message", () => {
  using store = memoryStore();
  // An XMPP message to a Fediverse status mentioning two recipients.
  const a = store.conversations.record({
    recipientType: FEDI,
    recipient: ALICE,
    sender: BOB,
    at: 10,
    sourceId: "x-1",
    postedId: "1100",
  });
  const b = store.conversations.record({
    recipientType: FEDI,
    recipient: "dave@fedi.example",
    sender: BOB,
    at: 10,
    sourceId: "x-1",
    postedId: "1100",
  });
  store.conversations.record(toXmpp(BOB, 11, "1200", "1100")); // same id, other network
  assert.deepEqual(store.conversations.findByPostedId(FEDI, "1100"), [a, b]);
  assert.deepEqual(store.conversations.findByPostedId(FEDI, "9999"), []);
  assert.equal(store.conversations.findByPostedId(XMPP, "1100").length, 1);
});

Deno.test("setPostedId fills in the id once known", () => {
  using store = memoryStore();
  const pending = store.conversations.record(toXmpp(BOB, 10, "s1"));
  assert.equal(pending.postedId, null);
  assert.deepEqual(store.conversations.findByPostedId(XMPP, "m-1"), []);
  assert.equal(store.conversations.setPostedId(pending.id, "m-1"), true);
  assert.deepEqual(store.conversations.findByPostedId(XMPP, "m-1"), [
    { ...pending, postedId: "m-1" },
  ]);
  assert.equal(store.conversations.setPostedId(pending.id + 100, "m-2"), false);
});

Deno.test("findBySourceId gives the recipients of one message of one sender", () => {
  using store = memoryStore();
  const toBob = store.conversations.record(toXmpp(BOB, 10, "s1", "m1"));
  const toCarol = store.conversations.record(toXmpp(CAROL, 11, "s1", "m2"));
  store.conversations.record(toXmpp(BOB, 12, "s2", "m3"));
  // Another sender whose message happens to carry the same id.
  store.conversations.record({
    recipientType: XMPP,
    recipient: BOB,
    sender: "eve@fedi.example",
    at: 13,
    sourceId: "s1",
    postedId: "m4",
  });
  assert.deepEqual(store.conversations.findBySourceId(FEDI, ALICE, "s1"), [toBob, toCarol]);
  assert.deepEqual(store.conversations.findBySourceId(FEDI, ALICE, "nope"), []);
  assert.deepEqual(store.conversations.findBySourceId(XMPP, ALICE, "s1"), []);
});

Deno.test("lastReceivedBy and lastSentBy pick the latest message", () => {
  using store = memoryStore();
  assert.equal(store.conversations.lastReceivedBy(XMPP, BOB), undefined);
  assert.deepEqual(store.conversations.lastSentBy(FEDI, ALICE), []);

  store.conversations.record(toXmpp(BOB, 10, "s1"));
  const s2Bob = store.conversations.record(toXmpp(BOB, 20, "s2"));
  const s2Carol = store.conversations.record(toXmpp(CAROL, 21, "s2"));
  const older = store.conversations.record(toXmpp(CAROL, 15, "s0")); // recorded late, older

  assert.deepEqual(store.conversations.lastReceivedBy(XMPP, BOB), s2Bob);
  assert.deepEqual(store.conversations.lastReceivedBy(XMPP, CAROL), s2Carol);
  assert.deepEqual(store.conversations.lastSentBy(FEDI, ALICE), [s2Bob, s2Carol]);
  assert.notDeepEqual(store.conversations.lastSentBy(FEDI, ALICE), [older]);

  // A latest message without source id stands alone, not with other id-less ones.
  store.conversations.record(toXmpp(CAROL, 30, null));
  const last = store.conversations.record(toXmpp(BOB, 40, null));
  assert.deepEqual(store.conversations.lastSentBy(FEDI, ALICE), [last]);
  // Equal times: the later record wins.
  const tie = store.conversations.record(toXmpp(CAROL, 40, "s9"));
  assert.deepEqual(store.conversations.lastSentBy(FEDI, ALICE), [tie]);
});

Deno.test("deleteBefore removes exactly the records strictly older than the limit", () => {
  using store = memoryStore();
  store.conversations.record(toXmpp(BOB, 99, "s1"));
  store.conversations.record(toXmpp(CAROL, 98, "s1"));
  const edge = store.conversations.record(toXmpp(BOB, 100, "s2"));
  const fresh = store.conversations.record(toXmpp(BOB, 101, "s3"));
  assert.equal(store.conversations.deleteBefore(100), 2);
  assert.equal(store.conversations.deleteBefore(100), 0);
  assert.deepEqual(store.conversations.findBySourceId(FEDI, ALICE, "s1"), []);
  assert.deepEqual(store.conversations.findBySourceId(FEDI, ALICE, "s2"), [edge]);
  assert.deepEqual(store.conversations.findBySourceId(FEDI, ALICE, "s3"), [fresh]);
});

Deno.test("deleteBefore works through the rows batch by batch", () => {
  using store = memoryStore();
  for (let at = 0; at < 25; at++) store.conversations.record(toXmpp(BOB, at, `s${at}`));
  assert.equal(store.conversations.deleteBefore(20, 4), 20);
  assert.equal(store.conversations.deleteBefore(20, 4), 0);
  assert.equal(store.conversations.countSentSince(FEDI, ALICE, 0), 5);
  assert.equal(store.conversations.deleteBefore(24, 4), 4); // exactly one full batch
  assert.equal(store.conversations.countSentSince(FEDI, ALICE, 0), 1);
  assert.throws(() => store.conversations.deleteBefore(30, 0), RangeError);
});

Deno.test("deleteInvolving removes records to and from one account", () => {
  using store = memoryStore();
  store.conversations.record(toXmpp(BOB, 1, "a")); // from alice
  store.conversations.record({
    recipientType: FEDI,
    recipient: ALICE,
    sender: BOB,
    at: 2,
    sourceId: "b",
    postedId: null,
  }); // to alice
  const other = store.conversations.record({
    recipientType: FEDI,
    recipient: "dave@fedi.example",
    sender: BOB,
    at: 3,
    sourceId: "c",
    postedId: null,
  });
  assert.equal(store.conversations.deleteInvolving(FEDI, "Alice@fedi.example"), 2);
  assert.equal(store.conversations.countSentSince(FEDI, ALICE, 0), 0);
  assert.equal(store.conversations.lastReceivedBy(FEDI, ALICE), undefined);
  assert.deepEqual(store.conversations.lastReceivedBy(FEDI, "dave@fedi.example"), other);
});
