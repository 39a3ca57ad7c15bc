import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, schemaVersion } from "./db.ts";
import { canonicaliseStoredDomains } from "./idn_migration.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
import { openStore } from "./store.ts";
import { tempDir } from "../../tests/support/store.ts";
import { FEDI, XMPP } from "./types.ts";

Deno.test("addresses stored with a Unicode domain are found by their A-label form after the upgrade", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/old.db`;
  // A database of the step before, with rows as the old code wrote them.
  const old = new DatabaseSync(path);
  const before = MIGRATIONS.indexOf(canonicaliseStoredDomains);
  assert.ok(before > 0);
  migrate(old, path, MIGRATIONS.slice(0, before));
  old.exec(`
    INSERT INTO users (type, address, registered_at, app) VALUES
      (1, 'jörg@bücher.example', 1000, 'XMPP'),
      (0, 'carol@social.test', 1000, 'Mastodon'),
      (1, 'dup@bücher.example', 1000, 'XMPP'),
      (1, 'dup@xn--bcher-kva.example', 2000, 'XMPP');
    INSERT INTO blocks (type, blocker, blocked, at) VALUES
      (0, 'carol@social.test', 'jörg@bücher.example', 1),
      (1, 'jörg@bücher.example', 'troll@bücher.example', 2);
    INSERT INTO bridge_blocks (type, address, at) VALUES (0, 'spam@bücher.example', 3);
    INSERT INTO conversations (type, recipient, sender, at) VALUES
      (1, 'jörg@bücher.example', 'carol@social.test', 4);
  `);
  old.close();

  using store = openStore(path);
  const a = "jörg@xn--bcher-kva.example";
  assert.equal(store.users.get(XMPP, a)?.registeredAt, 1000);
  assert.equal(store.users.listActiveByDomain("xn--bcher-kva.example").length, 2);
  assert.equal(store.users.get(XMPP, "dup@bücher.example")?.registeredAt, 2000, "canonical kept");
  assert.ok(store.blocks.isBlocked(FEDI, "carol@social.test", a));
  assert.ok(store.blocks.isBlocked(XMPP, a, "troll@xn--bcher-kva.example"));
  assert.equal(store.conversations.lastReceivedBy(XMPP, a)?.sender, "carol@social.test");
  const raw = new DatabaseSync(path, { readOnly: true });
  try {
    assert.equal(schemaVersion(raw), SCHEMA_VERSION);
    const left = raw.prepare(
      `SELECT COUNT(*) AS n FROM users WHERE address LIKE '%bücher%'`,
    ).get()!;
    assert.equal(Number(left.n), 0, "no Unicode spelling left");
    const spam = raw.prepare("SELECT address FROM bridge_blocks").get()!;
    assert.equal(spam.address, "spam@xn--bcher-kva.example");
  } finally {
    raw.close();
  }
});
