/**
 * Migration as an operator does it: the old bridge's database file, imported through the command
 * line under the permissions derived from the configuration.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/mod.ts";
import { derivePermissions } from "../src/permissions.ts";
import { openStore } from "../src/store/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** An old-layout file as the Python bridge wrote it (text timestamps in local time). */
function buildOldDatabase(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(`
    CREATE TABLE users (type INTEGER, req_user TEXT, req_date TIMESTAMP, nb_reg INTEGER,
      lang TEXT, revoke_date TIMESTAMP, app TEXT, acc_id TEXT);
    CREATE TABLE blocks (type INTEGER, blocking TEXT, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE instb (type INTEGER, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE comm (type INTEGER, user TEXT, from_u TEXT, from_date TIMESTAMP,
      id_from TEXT, id_to TEXT);
    INSERT INTO users VALUES
      (0, 'bob@social.example', '2025-03-01 10:00:00.123456', 2, 'fr', NULL, 'Mastodon', '109'),
      (1, 'alice@chat.example', '2025-03-02 11:30:00.000001', 1, 'en', NULL, 'XMPP', NULL),
      (1, 'gone@chat.example', '2025-01-02 11:30:00', 1, 'de', '2025-02-01 09:00:00', 'XMPP', NULL);
    INSERT INTO blocks VALUES (1, 'alice@chat.example', 'troll@social.example', '2025-03-03 12:00:00');
    INSERT INTO instb VALUES (0, 'spam@social.example', '2025-03-04 08:00:00');
    INSERT INTO comm VALUES
      (1, 'alice@chat.example', 'bob@social.example', '2025-03-05 09:15:00.5', '1111', 'x1'),
      (0, 'bob@social.example', 'alice@chat.example', '2025-03-05 09:16:00', 'x2', '2222');
  `);
  db.close();
}

Deno.test("--import-old-db imports the old bridge's data and reports what it took", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "import-cli-" });
  try {
    const config = `${dir}/config.yml`;
    Deno.writeTextFileSync(
      config,
      Deno.readTextFileSync(`${ROOT}tests/fixtures/old-config.yml`)
        .replace(/^bridge-database-file:.*$/m, `bridge-database-file: ${dir}/data/bridge.db`)
        .replace(/^bridge-files-dir:.*$/m, `bridge-files-dir: ${dir}/files`)
        .replace(/^bridge-log-file:.*$/m, "bridge-log-file: ''")
        .replace(/^translation-dir:.*$/m, "translation-dir: ''")
        // An import connects nowhere: no credential is needed.
        .replace(/^(xmpp_bridge_token|ap_bridge_pass):.*$/gm, ""),
    );
    Deno.mkdirSync(`${dir}/data`);
    const old = `${dir}/old/bridge.db`;
    Deno.mkdirSync(`${dir}/old`);
    buildOldDatabase(old);

    const loaded = loadConfig({ path: config, env: {}, roles: [] });
    const flags = derivePermissions({ config: loaded, roles: [], envFile: null, extraRead: [old] });
    assert.ok(!flags.some((f) => f.startsWith("--allow-net")), "an import connects nowhere");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        ...flags,
        `${ROOT}main.ts`,
        "-c",
        config,
        "--import-old-db",
        old,
        "--time-zone",
        "UTC",
      ],
      clearEnv: true,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(stdout, /users: 3\n/);
    assert.match(stdout, /personal blocks: 1\n/);
    assert.match(stdout, /bridge-wide blocks: 1\n/);
    assert.match(stdout, /conversation records: 2\n/);
    // Standard error is not a terminal here: no progress display, one summary line.
    assert.match(
      new TextDecoder().decode(out.stderr),
      /^import done: 7 rows read from 4 old tables in \d+\.\d s\n$/,
    );

    using store = openStore(`${dir}/data/bridge.db`);
    const bob = store.users.get(0, "bob@social.example");
    assert.equal(bob?.registrations, 2);
    assert.equal(bob?.lang, "fr");
    assert.equal(bob?.accountId, "109");
    assert.equal(bob?.registeredAt, Date.UTC(2025, 2, 1, 10, 0, 0, 123));
    assert.notEqual(store.users.get(1, "gone@chat.example")?.revokedAt, null);
    assert.ok(store.blocks.isBlocked(1, "alice@chat.example", "troll@social.example"));
    assert.ok(store.bridgeBlocks.has(0, "spam@social.example"));
    assert.equal(store.conversations.findByPostedId(0, "2222")[0]?.sender, "alice@chat.example");

    // A second import is refused: nothing is doubled.
    const again = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        ...flags,
        `${ROOT}main.ts`,
        "-c",
        config,
        "--import-old-db",
        old,
      ],
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(again.code, 1);
    assert.match(new TextDecoder().decode(again.stderr), /Nothing was imported/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--import-old-db refuses the bridge's own database path with a way out", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "import-cli-" });
  try {
    const config = `${dir}/config.yml`;
    Deno.writeTextFileSync(
      config,
      Deno.readTextFileSync(`${ROOT}tests/fixtures/old-config.yml`)
        .replace(/^bridge-database-file:.*$/m, `bridge-database-file: ${dir}/bridge.db`),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--allow-read=${dir}`,
        "--allow-env",
        `${ROOT}main.ts`,
        "-c",
        config,
        "--import-old-db",
        `${dir}/bridge.db`,
      ],
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.match(new TextDecoder().decode(out.stderr), /Move the old file aside first/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
