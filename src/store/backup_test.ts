import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openDatabase, schemaVersion, StoreSchemaError } from "./db.ts";
import { backupPath } from "./backup.ts";
import { type Migration, MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
import { openStore } from "./store.ts";
import { register, tempDir } from "../../tests/support/store.ts";
import { FEDI } from "./types.ts";

function versionOf(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test("a database of the predecessor schema is copied, then migrated on open", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  const previous = SCHEMA_VERSION - 1;
  // The predecessor release: every step but the last, and a user in it.
  openDatabase(path, { migrations: MIGRATIONS.slice(0, previous) }).close();
  const old = new DatabaseSync(path);
  old.prepare(
    "INSERT INTO users (type, address, registered_at, app) VALUES (0, 'ann@example.org', 5, 'M')",
  ).run();
  old.close();
  const told: [string, number][] = [];
  {
    using store = openStore(path, { onBackup: (b, v) => told.push([b, v]) });
    assert.equal(store.users.get(FEDI, "ann@example.org")?.registeredAt, 5);
  }
  assert.deepEqual(told, [[backupPath(path), previous]]);
  assert.equal(versionOf(path), SCHEMA_VERSION);
  // The copy is the file as it was: the predecessor's version, the user, private.
  assert.equal(versionOf(backupPath(path)), previous);
  const copy = new DatabaseSync(backupPath(path), { readOnly: true });
  try {
    assert.equal(copy.prepare("SELECT address FROM users").get()?.address, "ann@example.org");
  } finally {
    copy.close();
  }
  if (Deno.build.os !== "windows") {
    assert.equal(Deno.statSync(backupPath(path)).mode! & 0o777, 0o600);
  }
});

Deno.test("one copy is kept: the next migration replaces the previous copy", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  const steps: Migration[] = [
    ...MIGRATIONS,
    "CREATE TABLE later_a (x INTEGER)",
    "CREATE TABLE later_b (x INTEGER)",
  ];
  openDatabase(path).close();
  assert.ok(!exists(backupPath(path)), "a new file needs no copy");
  openDatabase(path).close();
  assert.ok(!exists(backupPath(path)), "an up-to-date file needs no copy");
  openDatabase(path, { migrations: steps.slice(0, SCHEMA_VERSION + 1) }).close();
  assert.equal(versionOf(backupPath(path)), SCHEMA_VERSION);
  openDatabase(path, { migrations: steps }).close();
  assert.equal(versionOf(backupPath(path)), SCHEMA_VERSION + 1);
  const names = [...Deno.readDirSync(dir.path)].map((e) => e.name)
    .filter((n) => n.includes(".backup"));
  assert.deepEqual(names, ["bridge.db.backup"]);
});

Deno.test("a newer schema is refused with both versions named, and no copy is made", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  {
    using store = openStore(path);
    register(store, FEDI, "ann@example.org", 1);
  }
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => openStore(path), (e: unknown) => {
    assert.ok(e instanceof StoreSchemaError);
    assert.match(e.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}\\b`));
    assert.match(e.message, new RegExp(`up to ${SCHEMA_VERSION}\\b`));
    return true;
  });
  assert.ok(!exists(backupPath(path)));
  assert.equal(versionOf(path), SCHEMA_VERSION + 1);
});
