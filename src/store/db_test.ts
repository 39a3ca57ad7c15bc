import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, openDatabase, schemaVersion, StoreSchemaError } from "./db.ts";
import { APPLICATION_ID, type Migration, MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
import { openStore } from "./store.ts";
import { register, tempDir } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

function tableNames(db: DatabaseSync): string[] {
  return db.prepare(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all().map((row) => String(row.name));
}

const APP_ID = `PRAGMA application_id = ${APPLICATION_ID};`;

Deno.test("a fresh file gets the whole schema, WAL and the application id", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  const db = openDatabase(path);
  try {
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.deepEqual(tableNames(db), [
      "account_history",
      "blocks",
      "bridge_blocks",
      "carried_sends",
      "conversations",
      "flood",
      "inbound",
      "meta",
      "outbox",
      "role_leases",
      "users",
      "xmpp_receipts",
    ]);
    assert.equal(db.prepare("PRAGMA journal_mode").get()!.journal_mode, "wal");
    assert.equal(db.prepare("PRAGMA application_id").get()!.application_id, APPLICATION_ID);
    assert.equal(db.prepare("PRAGMA busy_timeout").get()!.timeout, 5000);
  } finally {
    db.close();
  }
});

Deno.test("re-opening an existing file keeps its data and its version", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  {
    using store = openStore(path);
    register(store, FEDI, "Alice@Example.org", 1000);
  }
  using store = openStore(path);
  assert.equal(store.users.get(FEDI, "alice@example.org")?.registeredAt, 1000);
  const raw = new DatabaseSync(path, { readOnly: true });
  try {
    assert.equal(schemaVersion(raw), SCHEMA_VERSION);
  } finally {
    raw.close();
  }
});

Deno.test("only the missing migration steps run, each bumping user_version", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/steps.db`;
  const ran: number[] = [];
  const step = (n: number, sql: string): Migration => (db) => {
    ran.push(n);
    db.exec(sql);
  };
  const first = [step(1, `${APP_ID} CREATE TABLE a (x INTEGER)`)];
  openDatabase(path, { migrations: first }).close();
  assert.deepEqual(ran, [1]);

  const both = [...first, step(2, "CREATE TABLE b (y INTEGER)")];
  const db = openDatabase(path, { migrations: both });
  try {
    assert.deepEqual(ran, [1, 2]);
    assert.equal(schemaVersion(db), 2);
    assert.deepEqual(tableNames(db), ["a", "b"]);
  } finally {
    db.close();
  }
  openDatabase(path, { migrations: both }).close();
  assert.deepEqual(ran, [1, 2]);
});

Deno.test("a failing migration step leaves the file as it was", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/fail.db`;
  const steps: Migration[] = [`${APP_ID} CREATE TABLE a (x INTEGER)`, "CREATE TABLE broken ("];
  assert.throws(
    () => openDatabase(path, { migrations: steps }),
    (error: unknown) =>
      error instanceof StoreSchemaError && /migration to schema version 2/.test(error.message),
  );
  const db = new DatabaseSync(path);
  try {
    assert.equal(schemaVersion(db), 0);
    assert.deepEqual(tableNames(db), []);
  } finally {
    db.close();
  }
});

Deno.test("a database written by a newer release is refused", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/newer.db`;
  openStore(path).close();
  const raw = new DatabaseSync(path);
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(
    () => openStore(path),
    (error: unknown) =>
      error instanceof StoreSchemaError &&
      error.message.includes(`schema version ${SCHEMA_VERSION + 1}`) &&
      error.message.includes("newer release"),
  );
});

Deno.test("the old bridge's file and foreign files are refused, untouched", async () => {
  await using dir = await tempDir();
  const oldPath = `${dir.path}/old.db`;
  const old = new DatabaseSync(oldPath);
  old.exec(`CREATE TABLE users (type INTEGER, req_user TEXT);
    CREATE TABLE blocks (type INTEGER); CREATE TABLE instb (type INTEGER);
    CREATE TABLE comm (type INTEGER);`);
  old.close();
  assert.throws(() => openStore(oldPath), /old Python bridge's database/);

  const otherPath = `${dir.path}/other.db`;
  const other = new DatabaseSync(otherPath);
  other.exec("CREATE TABLE notes (x TEXT)");
  other.close();
  assert.throws(() => openStore(otherPath), /not a database of this bridge/);

  const versioned = new DatabaseSync(`${dir.path}/versioned.db`);
  versioned.exec("PRAGMA user_version = 1");
  versioned.close();
  assert.throws(() => openStore(`${dir.path}/versioned.db`), /application id 0/);

  const check = new DatabaseSync(oldPath, { readOnly: true });
  try {
    assert.equal(schemaVersion(check), 0);
    assert.deepEqual(tableNames(check), ["blocks", "comm", "instb", "users"]);
    assert.equal(check.prepare("PRAGMA journal_mode").get()!.journal_mode, "delete");
  } finally {
    check.close();
  }
});

Deno.test("migrate() is a no-op on an up-to-date connection", () => {
  const db = openDatabase(":memory:");
  try {
    migrate(db, ":memory:", MIGRATIONS);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
  } finally {
    db.close();
  }
});

Deno.test("two connections share one WAL file: one writes, the other reads", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/shared.db`;
  using writer = openStore(path);
  using reader = openStore(path);

  register(writer, XMPP, "bob@xmpp.example", 10);
  assert.equal(reader.users.get(XMPP, "bob@xmpp.example")?.registeredAt, 10);

  // While the writer holds an open write transaction, the reader still reads the
  // last committed state without waiting, then sees the commit.
  writer.transaction(() => {
    register(writer, FEDI, "carol@masto.example", 20);
    assert.equal(reader.users.get(FEDI, "carol@masto.example"), undefined);
    assert.equal(reader.users.countActive(), 1);
  });
  assert.equal(reader.users.countActive(), 2);

  reader.meta.set("k", "from the reader");
  assert.equal(writer.meta.get("k"), "from the reader");
});

Deno.test("a second writer waits for the busy timeout, then fails clearly", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/busy.db`;
  using first = openStore(path);
  using second = openStore(path, { busyTimeoutMs: 50 });
  first.transaction(() => {
    first.meta.set("a", "1");
    const started = performance.now();
    assert.throws(() => second.meta.set("b", "2"), /database is locked/);
    assert.ok(performance.now() - started >= 40, "the busy timeout was not honoured");
  });
  second.meta.set("b", "2");
  assert.equal(first.meta.get("b"), "2");
});
