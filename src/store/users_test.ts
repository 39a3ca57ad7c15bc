import assert from "node:assert/strict";
import { memoryStore, register } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";
import { converse } from "../../tests/support/store.ts";

Deno.test("register creates a user, lower-cased, and get finds it", () => {
  using store = memoryStore();
  assert.equal(store.users.get(FEDI, "alice@example.org"), undefined);
  const user = store.users.register({
    type: FEDI,
    address: "Alice@Example.ORG",
    at: 1000,
    lang: "de",
    app: "Mastodon",
    accountId: "109876543210987654",
  });
  const expected = {
    type: FEDI,
    address: "alice@example.org",
    registeredAt: 1000,
    registrations: 1,
    lang: "de",
    revokedAt: null,
    app: "Mastodon",
    accountId: "109876543210987654",
  };
  assert.deepEqual(user, expected);
  assert.deepEqual(store.users.get(FEDI, "ALICE@example.org"), expected);
  // Same address, other network: another account.
  assert.equal(store.users.get(XMPP, "alice@example.org"), undefined);
});

Deno.test("register re-activates a revoked user: count + 1, new date, fields", () => {
  using store = memoryStore();
  register(store, FEDI, "alice@example.org", 1000);
  assert.equal(store.users.revoke(FEDI, "alice@example.org", 2000), true);
  assert.equal(store.users.get(FEDI, "alice@example.org")?.revokedAt, 2000);

  const again = store.users.register({
    type: FEDI,
    address: "alice@example.org",
    at: 3000,
    lang: null,
    app: "Pixelfed",
    accountId: null,
  });
  assert.deepEqual(again, {
    type: FEDI,
    address: "alice@example.org",
    registeredAt: 3000,
    registrations: 2,
    lang: "en", // null keeps the earlier language
    revokedAt: null,
    app: "Pixelfed",
    accountId: "1", // null keeps the earlier id
  });
  const third = store.users.register({
    type: FEDI,
    address: "alice@example.org",
    at: 4000,
    lang: "fr",
    app: "Mastodon",
    accountId: "2",
  });
  assert.equal(third.registrations, 3);
  assert.equal(third.lang, "fr");
  assert.equal(third.accountId, "2");
});

Deno.test("revoke cascades to the user's blocks and records, not to others' data", () => {
  using store = memoryStore();
  register(store, FEDI, "alice@fedi.example", 1);
  register(store, XMPP, "bob@xmpp.example", 2);
  register(store, XMPP, "carol@xmpp.example", 3);
  register(store, FEDI, "dave@fedi.example", 4);
  store.blocks.add(FEDI, "alice@fedi.example", "bob@xmpp.example", 10);
  store.blocks.add(FEDI, "alice@fedi.example", "carol@xmpp.example", 11);
  store.blocks.add(XMPP, "bob@xmpp.example", "alice@fedi.example", 12);
  store.blocks.add(FEDI, "dave@fedi.example", "bob@xmpp.example", 13);
  const rec = (recipientType: 0 | 1, recipient: string, sender: string, at: number) =>
    converse(store, recipientType, recipient, sender, at);
  rec(XMPP, "bob@xmpp.example", "alice@fedi.example", 20); // from alice
  rec(FEDI, "alice@fedi.example", "carol@xmpp.example", 21); // to alice
  rec(XMPP, "bob@xmpp.example", "dave@fedi.example", 22); // unrelated
  const kept = rec(FEDI, "dave@fedi.example", "carol@xmpp.example", 23); // unrelated
  // An XMPP account with the same address as alice is another account.
  rec(XMPP, "alice@fedi.example", "dave@fedi.example", 24);

  assert.equal(store.users.revoke(FEDI, "Alice@fedi.example", 100), true);

  assert.equal(store.users.get(FEDI, "alice@fedi.example")?.revokedAt, 100);
  assert.deepEqual(store.blocks.list(FEDI, "alice@fedi.example"), []);
  assert.equal(store.blocks.isBlocked(XMPP, "bob@xmpp.example", "alice@fedi.example"), true);
  assert.equal(store.blocks.isBlocked(FEDI, "dave@fedi.example", "bob@xmpp.example"), true);
  assert.equal(store.conversations.lastReceivedBy(FEDI, "alice@fedi.example"), undefined);
  assert.deepEqual(store.conversations.lastSentBy(FEDI, "alice@fedi.example"), []);
  assert.equal(
    store.conversations.lastReceivedBy(XMPP, "bob@xmpp.example")?.sender,
    "dave@fedi.example",
  );
  assert.deepEqual(store.conversations.lastReceivedBy(FEDI, "dave@fedi.example"), kept);
  assert.equal(store.conversations.lastReceivedBy(XMPP, "alice@fedi.example")?.at, 24);
  assert.equal(store.users.countActive(), 3);

  // Revoking again reports that the user was not active, and changes nothing.
  assert.equal(store.users.revoke(FEDI, "alice@fedi.example", 200), false);
  assert.equal(store.users.get(FEDI, "alice@fedi.example")?.revokedAt, 100);
  assert.equal(store.users.revoke(XMPP, "nobody@xmpp.example", 200), false);
});

Deno.test("setLanguage changes one user's language", () => {
  using store = memoryStore();
  register(store, XMPP, "bob@xmpp.example", 1);
  assert.equal(store.users.setLanguage(XMPP, "BOB@xmpp.example", "it"), true);
  assert.equal(store.users.get(XMPP, "bob@xmpp.example")?.lang, "it");
  assert.equal(store.users.setLanguage(XMPP, "nobody@xmpp.example", "it"), false);
  assert.equal(store.users.setLanguage(FEDI, "bob@xmpp.example", "it"), false);
});

Deno.test("active users: count, newest first, per type and per domain", () => {
  using store = memoryStore();
  assert.equal(store.users.countActive(), 0);
  register(store, FEDI, "a@one.example", 10);
  register(store, XMPP, "b@one.example", 30);
  register(store, FEDI, "c@two.example", 20);
  register(store, XMPP, "d@sub.one.example", 40);
  register(store, FEDI, "e@one.example", 50);
  store.users.revoke(FEDI, "e@one.example", 60);

  assert.equal(store.users.countActive(), 4);
  const addresses = (users: { address: string }[]) => users.map((u) => u.address);
  assert.deepEqual(addresses(store.users.listActive()), [
    "d@sub.one.example",
    "b@one.example",
    "c@two.example",
    "a@one.example",
  ]);
  assert.deepEqual(addresses(store.users.listActiveOfType(FEDI)), [
    "c@two.example",
    "a@one.example",
  ]);
  assert.deepEqual(addresses(store.users.listActiveOfType(XMPP)), [
    "d@sub.one.example",
    "b@one.example",
  ]);
  // Exact domain only; the revoked e@one.example is left out.
  assert.deepEqual(addresses(store.users.listActiveByDomain("ONE.example")), [
    "a@one.example",
    "b@one.example",
  ]);
  assert.deepEqual(store.users.listActiveByDomain("none.example"), []);
});
