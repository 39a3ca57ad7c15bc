import assert from "node:assert/strict";
import { memoryStore, register } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";
import { converse } from "../../tests/support/store.ts";

Deno.test("purgeRevokedUsers removes exactly the users revoked before the limit, with their data", () => {
  using store = memoryStore();
  const DAY = 86_400_000;
  // gone: revoked long ago; late: revoked after the limit; active: registered long ago.
  register(store, FEDI, "gone@fedi.example", 0);
  register(store, XMPP, "late@xmpp.example", 0);
  register(store, XMPP, "active@xmpp.example", 0);
  register(store, FEDI, "active@fedi.example", 0);

  // Blocks by "gone" are deleted by the revoke itself; add those of others.
  store.blocks.add(XMPP, "active@xmpp.example", "gone@fedi.example", 1);
  store.blocks.add(XMPP, "active@xmpp.example", "active@fedi.example", 2);
  store.blocks.add(FEDI, "active@fedi.example", "late@xmpp.example", 3);
  // Blocking an XMPP account that has gone's address is not a block of "gone".
  store.blocks.add(FEDI, "active@fedi.example", "gone@fedi.example", 4);
  store.bridgeBlocks.add(FEDI, "gone@fedi.example", 5);

  store.users.revoke(FEDI, "gone@fedi.example", 1 * DAY);
  store.users.revoke(XMPP, "late@xmpp.example", 3 * DAY);
  // Records written after the revoke (an in-flight delivery) go with the user too.
  converse(store, XMPP, "active@xmpp.example", "gone@fedi.example", 1 * DAY + 1, 1);
  converse(store, FEDI, "gone@fedi.example", "active@xmpp.example", 1 * DAY + 2, 2);
  const keep = converse(store, FEDI, "active@fedi.example", "active@xmpp.example", 1 * DAY + 3, 3);

  const counts = store.cleanup.purgeRevokedUsers(2 * DAY);
  // The block of "gone" by another user stays: it is the blocker's, who did not leave.
  assert.deepEqual(counts, { users: 1, blocks: 0, conversations: 2 });

  assert.equal(store.users.get(FEDI, "gone@fedi.example"), undefined);
  assert.equal(store.users.get(XMPP, "late@xmpp.example")?.revokedAt, 3 * DAY);
  assert.equal(store.users.countActive(), 2);
  assert.equal(store.blocks.isBlocked(XMPP, "active@xmpp.example", "gone@fedi.example"), true);
  // How often "gone" registered is kept: a new registration counts on from there.
  assert.equal(store.users.registrationCount(FEDI, "gone@fedi.example"), 1);
  assert.equal(register(store, FEDI, "gone@fedi.example", 2 * DAY).registrations, 2);
  assert.equal(store.blocks.isBlocked(XMPP, "active@xmpp.example", "active@fedi.example"), true);
  assert.equal(store.blocks.isBlocked(FEDI, "active@fedi.example", "late@xmpp.example"), true);
  assert.equal(store.blocks.isBlocked(FEDI, "active@fedi.example", "gone@fedi.example"), true);
  assert.equal(store.bridgeBlocks.has(FEDI, "gone@fedi.example"), true);
  assert.deepEqual(store.conversations.findBySourceId(XMPP, "active@xmpp.example", "s2"), []);
  assert.deepEqual(store.conversations.lastSentBy(XMPP, "active@xmpp.example"), [keep]);

  assert.deepEqual(store.cleanup.purgeRevokedUsers(2 * DAY), {
    users: 0,
    blocks: 0,
    conversations: 0,
  });
  // At the exact revoke time, "late" is not older than the limit yet.
  assert.equal(store.cleanup.purgeRevokedUsers(3 * DAY).users, 0);
  assert.equal(store.cleanup.purgeRevokedUsers(3 * DAY + 1).users, 1);
});

Deno.test("purgeConversations removes only records older than the limit", () => {
  using store = memoryStore();
  for (let at = 0; at < 10; at++) {
    store.conversations.record({
      recipientType: at % 2 === 0 ? XMPP : FEDI,
      recipient: `r${at}@example.org`,
      sender: `s${at}@example.org`,
      at,
      sourceId: `${at}`,
      postedId: `${at}`,
    });
  }
  assert.equal(store.cleanup.purgeConversations(4), 4);
  for (let at = 0; at < 10; at++) {
    const type = at % 2 === 0 ? XMPP : FEDI;
    const found = store.conversations.lastReceivedBy(type, `r${at}@example.org`);
    assert.equal(found?.at, at < 4 ? undefined : at, `record at ${at}`);
  }
});
