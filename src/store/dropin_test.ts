import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { adoptOldBridgeDatabase, isOldBridgeDatabase } from "./dropin.ts";
import { oldBridgePath } from "./backup.ts";
import { LegacyImportError } from "./legacy_import.ts";
import { SCHEMA_VERSION } from "./migrations.ts";
import { openStore } from "./store.ts";
import { tempDir } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

/** The old Python bridge's layout, with a user on each side, a block and a conversation. */
function oldBridgeFile(path: string, badDate = false): void {
  const db = new DatabaseSync(path);
  db.exec(`
    CREATE TABLE users (type INTEGER, req_user TEXT, req_date TIMESTAMP, nb_reg INTEGER,
      lang TEXT, revoke_date TIMESTAMP, app TEXT, acc_id TEXT);
    CREATE TABLE blocks (type INTEGER, blocking TEXT, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE instb (type INTEGER, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE comm (type INTEGER, user TEXT, from_u TEXT, from_date TIMESTAMP,
      id_from TEXT, id_to TEXT);
    INSERT INTO users VALUES
      (0, 'bob@social.example', '2025-03-01 10:00:00', 1, 'fr', NULL, 'Mastodon', '109'),
      (1, 'alice@chat.example', '${badDate ? "yesterday" : "2025-03-02 11:30:00"}', 1, 'en',
       NULL, 'XMPP', NULL);
    INSERT INTO blocks VALUES (1, 'alice@chat.example', 'troll@social.example', '2025-03-03 12:00:00');
    INSERT INTO comm VALUES
      (1, 'alice@chat.example', 'bob@social.example', '2025-03-05 09:15:00', '1111', 'x1');
  `);
  db.close();
}

Deno.test("the old bridge's file at the configured path is copied aside and imported in place", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  oldBridgeFile(path);
  const before = Deno.readFileSync(path);
  assert.ok(isOldBridgeDatabase(path));

  const result = adoptOldBridgeDatabase(path, { timeZone: "UTC" });
  assert.ok(result);
  assert.equal(result.copy, oldBridgePath(path));
  assert.deepEqual(
    [result.users, result.blocks, result.bridgeBlocks, result.conversations],
    [2, 1, 0, 1],
  );
  // The copy is the old file, byte for byte; the configured path is now this bridge's database.
  assert.deepEqual(Deno.readFileSync(result.copy), before);
  assert.ok(!isOldBridgeDatabase(path));
  {
    using store = openStore(path);
    assert.equal(store.users.get(FEDI, "bob@social.example")?.lang, "fr");
    assert.equal(
      store.users.get(XMPP, "alice@chat.example")?.registeredAt,
      Date.UTC(2025, 2, 2, 11, 30),
    );
  }
  const db = new DatabaseSync(path, { readOnly: true });
  assert.equal(db.prepare("PRAGMA user_version").get()?.user_version, SCHEMA_VERSION);
  db.close();

  // A second start finds nothing to do.
  assert.equal(adoptOldBridgeDatabase(path), null);
  assert.deepEqual(Deno.readFileSync(result.copy), before);
});

Deno.test("a failed in-place import puts the old file back as it was", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  oldBridgeFile(path, true);
  const before = Deno.readFileSync(path);
  assert.throws(
    () => adoptOldBridgeDatabase(path, { timeZone: "UTC" }),
    (e: unknown) => e instanceof LegacyImportError && /req_date/.test(e.message),
  );
  assert.deepEqual(Deno.readFileSync(path), before);
  assert.ok(isOldBridgeDatabase(path));
});

Deno.test("a missing, empty or own database is left alone", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bridge.db`;
  assert.equal(adoptOldBridgeDatabase(path), null);
  Deno.writeFileSync(path, new Uint8Array());
  assert.equal(adoptOldBridgeDatabase(path), null);
  openStore(path).close();
  assert.equal(adoptOldBridgeDatabase(path), null);
  assert.equal([...Deno.readDirSync(dir.path)].some((e) => e.name.endsWith(".old-bridge")), false);
});
