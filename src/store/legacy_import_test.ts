import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { importOldDatabase, LegacyImportError } from "./legacy_import.ts";
import { allRows, buildOld, FIXTURE, utc } from "./legacy_fixture.ts";
import { openStore, type Store } from "./store.ts";
import { tempDir } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

Deno.test("the old database is imported table by table, rows skipped with reasons", async () => {
  await using dir = await tempDir();
  const oldPath = `${dir.path}/old.db`;
  const newPath = `${dir.path}/new.db`;
  buildOld(oldPath, FIXTURE);
  const before = await Deno.readFile(oldPath);
  using store = openStore(newPath);

  const result = importOldDatabase(store, oldPath, { timeZone: "UTC" });

  assert.deepEqual(result, {
    users: 4,
    blocks: 2,
    bridgeBlocks: 2,
    conversations: 3,
    skipped: [
      { table: "users", rowid: 5, reason: "type: unknown account type" },
      { table: "users", rowid: 6, reason: "req_user: not a usable address" },
      { table: "users", rowid: 7, reason: "duplicate user alice@fedi.example" },
      { table: "users", rowid: 8, reason: "req_date: no date" },
      {
        table: "blocks",
        rowid: 3,
        reason: "duplicate block of bob@xmpp.example by alice@fedi.example",
      },
      { table: "comm", rowid: 4, reason: "user: not a usable address" },
    ],
  });

  assertImportedUsers(store);
  assertImportedRecords(store, newPath);

  // The old file is unchanged.
  assert.deepEqual(await Deno.readFile(oldPath), before);
});

/** The users of {@link FIXTURE} as imported. */
function assertImportedUsers(store: Store): void {
  assert.deepEqual(store.users.get(FEDI, "alice@fedi.example"), {
    type: FEDI,
    address: "alice@fedi.example",
    registeredAt: utc("2024-01-02 03:04:05.678"),
    registrations: 2,
    lang: "de",
    revokedAt: null,
    app: "Mastodon",
    accountId: "109876543210987654", // beyond 2^53, kept exact
  });
  assert.deepEqual(store.users.get(XMPP, "bob@xmpp.example"), {
    type: XMPP,
    address: "bob@xmpp.example",
    registeredAt: utc("2024-02-03 04:05:06"),
    registrations: 1,
    lang: "fr",
    revokedAt: null,
    app: "XMPP",
    accountId: null,
  });
  assert.deepEqual(store.users.get(FEDI, "carol@fedi.example"), {
    type: FEDI,
    address: "carol@fedi.example",
    registeredAt: utc("2023-05-06 07:08:09"),
    registrations: 3,
    lang: null,
    revokedAt: utc("2024-03-01 10:00:00.500"),
    app: "Pixelfed",
    accountId: "42",
  });
  assert.deepEqual(store.users.get(XMPP, "dave@xmpp.example"), {
    type: XMPP,
    address: "dave@xmpp.example",
    registeredAt: utc("2024-04-01 00:00:00"),
    registrations: 1,
    lang: null,
    revokedAt: null,
    app: "XMPP",
    accountId: null,
  });
  assert.equal(store.users.countActive(), 3);
}

/** The blocks and conversation records of {@link FIXTURE} as imported. */
function assertImportedRecords(store: Store, newPath: string): void {
  assert.deepEqual(store.blocks.list(FEDI, "alice@fedi.example"), [
    {
      blockerType: FEDI,
      blocker: "alice@fedi.example",
      blocked: "bob@xmpp.example",
      at: utc("2024-05-01 12:00:00.250"),
    },
  ]);
  assert.deepEqual(store.blocks.list(XMPP, "bob@xmpp.example"), [
    {
      blockerType: XMPP,
      blocker: "bob@xmpp.example",
      blocked: "alice@fedi.example",
      at: utc("2024-05-02 12:00:00"),
    },
  ]);
  assert.deepEqual(store.bridgeBlocks.list(), [
    { type: XMPP, address: "troll@xmpp.example", at: utc("2024-06-02 01:02:03") },
    { type: FEDI, address: "spam@bad.example", at: utc("2024-06-01 01:02:03.456") },
  ]);
  assert.deepEqual(
    allRows(
      store,
      newPath,
      "SELECT type, recipient, sender, at, source_id, posted_id FROM conversations ORDER BY id",
    ),
    [
      {
        type: XMPP,
        recipient: "bob@xmpp.example",
        sender: "alice@fedi.example",
        at: utc("2024-07-01 08:00:00.100"),
        source_id: "111222333444555666",
        posted_id: "msg-1",
      },
      {
        type: FEDI,
        recipient: "alice@fedi.example",
        sender: "bob@xmpp.example",
        at: utc("2024-07-01 08:05:00"),
        source_id: "x-7",
        posted_id: "111222333444555777",
      },
      {
        type: XMPP,
        recipient: "dave@xmpp.example",
        sender: "alice@fedi.example",
        at: utc("2024-07-01 09:00:00"),
        source_id: null,
        posted_id: null,
      },
    ],
  );
  // The imported records drive replies like fresh ones.
  assert.equal(
    store.conversations.findByPostedId(FEDI, "111222333444555777")[0]?.sender,
    "bob@xmpp.example",
  );
}

Deno.test("importing twice is refused and adds nothing", async () => {
  await using dir = await tempDir();
  const oldPath = `${dir.path}/old.db`;
  buildOld(oldPath, FIXTURE);
  using store = openStore(`${dir.path}/new.db`);
  importOldDatabase(store, oldPath, { timeZone: "UTC" });
  assert.throws(
    () => importOldDatabase(store, oldPath, { timeZone: "UTC" }),
    (error: unknown) => error instanceof LegacyImportError && /empty/.test(error.message),
  );
  assert.equal(store.users.countActive(), 3);
  assert.equal(store.bridgeBlocks.list().length, 2);
  assert.equal(store.conversations.countSentSince(FEDI, "alice@fedi.example", 0), 2);
});

Deno.test("timestamps are read in the machine's local time by default", async () => {
  await using dir = await tempDir();
  const oldPath = `${dir.path}/old.db`;
  buildOld(oldPath, {
    users: [[1, "bob@xmpp.example", "2024-02-03 04:05:06.700000", 1, "fr", null, "XMPP", null]],
  });
  using store = openStore(":memory:");
  const result = importOldDatabase(store, oldPath);
  assert.equal(result.users, 1);
  assert.equal(
    store.users.get(XMPP, "bob@xmpp.example")?.registeredAt,
    new Date(2024, 1, 3, 4, 5, 6, 700).getTime(),
  );
});

Deno.test("a malformed timestamp stops the import, naming table, row and column", async () => {
  await using dir = await tempDir();
  const oldPath = `${dir.path}/old.db`;
  buildOld(oldPath, {
    users: [[1, "bob@xmpp.example", "2024-02-03 04:05:06", 1, "fr", null, "XMPP", null]],
    comm: [
      [1, "bob@xmpp.example", "alice@fedi.example", "2024-07-01 08:00:00", "a", "b"],
      [1, "bob@xmpp.example", "alice@fedi.example", "2024-07-01T08:00:00Z", "c", "d"],
    ],
  });
  using store = openStore(":memory:");
  assert.throws(
    () => importOldDatabase(store, oldPath, { timeZone: "UTC" }),
    (error: unknown) =>
      error instanceof LegacyImportError &&
      error.message.includes("table comm, row 2, column from_date") &&
      error.message.includes('"2024-07-01T08:00:00Z"'),
  );
  // Nothing was written: the import is one transaction.
  assert.equal(store.users.get(XMPP, "bob@xmpp.example"), undefined);
  assert.equal(store.bulk.isEmpty(), true);

  const revoked = `${dir.path}/revoked.db`;
  buildOld(revoked, {
    users: [[1, "bob@xmpp.example", "2024-02-03 04:05:06", 1, "fr", 1700000000, "XMPP", null]],
  });
  assert.throws(
    () => importOldDatabase(store, revoked, { timeZone: "UTC" }),
    /table users, row 1, column revoke_date: a number value \(1700000000\)/,
  );
});

Deno.test("a file that is not the old bridge's database is refused clearly", async () => {
  await using dir = await tempDir();
  using store = openStore(":memory:");
  assert.throws(
    () => importOldDatabase(store, `${dir.path}/missing.db`),
    (error: unknown) => error instanceof LegacyImportError && error.message.includes("cannot open"),
  );
  await Deno.stat(`${dir.path}/missing.db`).then(
    () => assert.fail("the missing file was created"),
    (error) => assert.ok(error instanceof Deno.errors.NotFound),
  );

  const partial = `${dir.path}/partial.db`;
  const db = new DatabaseSync(partial);
  db.exec("CREATE TABLE users (type INTEGER, req_user TEXT, req_date TEXT)");
  db.close();
  assert.throws(() => importOldDatabase(store, partial), /table\(s\) blocks, instb, comm missing/);

  const noColumn = `${dir.path}/nocolumn.db`;
  buildOld(noColumn, {});
  const alter = new DatabaseSync(noColumn);
  alter.exec("ALTER TABLE comm DROP COLUMN from_u");
  alter.close();
  assert.throws(() => importOldDatabase(store, noColumn), /table comm has no column from_u/);

  const text = `${dir.path}/text.db`;
  await Deno.writeTextFile(text, "this is not SQLite at all, just some text for the test\n");
  assert.throws(() => importOldDatabase(store, text), LegacyImportError);

  assert.throws(
    () => importOldDatabase(store, partial, { timeZone: "Nowhere/Special" }),
    /unknown time zone "Nowhere\/Special"/,
  );
});

Deno.test("optional old columns may be missing", async () => {
  await using dir = await tempDir();
  const oldPath = `${dir.path}/old.db`;
  const db = new DatabaseSync(oldPath);
  db.exec(`
    CREATE TABLE users (type INTEGER, req_user TEXT, req_date TIMESTAMP);
    CREATE TABLE blocks (type INTEGER, blocking TEXT, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE instb (type INTEGER, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE comm (type INTEGER, user TEXT, from_u TEXT, from_date TIMESTAMP);
    INSERT INTO users VALUES (0, 'alice@fedi.example', '2024-01-01 00:00:00');
    INSERT INTO comm VALUES (1, 'bob@xmpp.example', 'alice@fedi.example', '2024-01-02 00:00:00');
  `);
  db.close();
  using store = openStore(":memory:");
  const result = importOldDatabase(store, oldPath, { timeZone: "UTC" });
  assert.deepEqual(result, { users: 1, blocks: 0, bridgeBlocks: 0, conversations: 1, skipped: [] });
  assert.deepEqual(store.users.get(FEDI, "alice@fedi.example"), {
    type: FEDI,
    address: "alice@fedi.example",
    registeredAt: utc("2024-01-01 00:00:00"),
    registrations: 1,
    lang: null,
    revokedAt: null,
    app: "Fediverse",
    accountId: null,
  });
  const [record] = store.conversations.lastSentBy(FEDI, "alice@fedi.example");
  assert.equal(record?.recipient, "bob@xmpp.example");
  assert.equal(record?.sourceId, null);
});
