/**
 * Upgrades as an operator meets them, through main.ts in a subprocess under the permissions
 * derived from the configuration (no network: the bots only retry their connections, which is
 * all these tests need): the old bridge's database at the configured path (drop-in migration),
 * a database of the predecessor schema, and one from a newer release.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/mod.ts";
import { derivePermissions } from "../src/permissions.ts";
import { MIGRATIONS, openDatabase, SCHEMA_VERSION } from "../src/store/mod.ts";
import { backupPath, oldBridgePath, openStore, XMPP } from "../src/store/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A port nothing listens on (the discard port, never served here). */
const CLOSED_PORT = 9;

/** A deployment in a temporary folder: the old-style configuration with its paths there. */
function deployment(dir: string): { config: string; database: string; flags: string[] } {
  const config = `${dir}/config.yml`;
  const database = `${dir}/data/bridge.db`;
  Deno.mkdirSync(`${dir}/data`);
  Deno.writeTextFileSync(
    config,
    Deno.readTextFileSync(`${ROOT}tests/fixtures/old-config.yml`)
      // Both servers on closed loopback ports: the bridge runs and retries, and nothing it
      // tries leaves this machine.
      .replace(
        /^---\n/m,
        `---\nap-api-url: http://127.0.0.1:${CLOSED_PORT}\n` +
          `ap-streaming-url: ws://127.0.0.1:${CLOSED_PORT}\n` +
          `xmpp-host: 127.0.0.1\nxmpp-port: ${CLOSED_PORT}\n`,
      )
      .replace(/^bridge-database-file:.*$/m, `bridge-database-file: ${database}`)
      .replace(/^bridge-files-dir:.*$/m, `bridge-files-dir: ${dir}/files`)
      .replace(/^bridge-log-file:.*$/m, "bridge-log-file: ''")
      .replace(/^translation-dir:.*$/m, "translation-dir: ''"),
  );
  const loaded = loadConfig({ path: config, env: {}, roles: ["fedi", "xmpp"] });
  const flags = derivePermissions({ config: loaded, roles: ["fedi", "xmpp"], envFile: null });
  assert.deepEqual(
    flags.filter((f) => f.startsWith("--allow-net")),
    [`--allow-net=127.0.0.1:${CLOSED_PORT}`],
  );
  return { config, database, flags };
}

/**
 * Starts the bridge and reads its standard error until `until` matches (then stops it with
 * SIGTERM) or it exits by itself. Returns the exit code and everything it wrote.
 */
async function start(
  d: { config: string; flags: string[] },
  until: RegExp,
): Promise<{ code: number; stderr: string; matched: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...d.flags,
      `${ROOT}main.ts`,
      "-c",
      d.config,
      "--log-level",
      "info",
      "--time-zone",
      "UTC",
    ],
    clearEnv: true,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  let matched = false;
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    stderr += decoder.decode(chunk, { stream: true });
    if (!matched && until.test(stderr)) {
      matched = true;
      child.kill("SIGTERM");
    }
  }
  const { code } = await child.status;
  return { code, stderr, matched };
}

function oldBridgeFile(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(`
    CREATE TABLE users (type INTEGER, req_user TEXT, req_date TIMESTAMP, nb_reg INTEGER,
      lang TEXT, revoke_date TIMESTAMP, app TEXT, acc_id TEXT);
    CREATE TABLE blocks (type INTEGER, blocking TEXT, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE instb (type INTEGER, blocked TEXT, block_date TIMESTAMP);
    CREATE TABLE comm (type INTEGER, user TEXT, from_u TEXT, from_date TIMESTAMP,
      id_from TEXT, id_to TEXT);
    INSERT INTO users VALUES
      (1, 'alice@chat.example', '2025-03-02 11:30:00', 1, 'en', NULL, 'XMPP', NULL);
    INSERT INTO instb VALUES (0, 'spam@social.example', '2025-03-04 08:00:00');
  `);
  db.close();
}

function userVersion(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number(db.prepare("PRAGMA user_version").get()?.user_version);
  } finally {
    db.close();
  }
}

Deno.test("drop-in: the first start imports the old bridge's file in place, then runs", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "upgrade-" });
  try {
    const d = deployment(dir);
    oldBridgeFile(d.database);
    const before = Deno.readFileSync(d.database);
    const check = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        ...d.flags,
        `${ROOT}main.ts`,
        "--check",
        "-c",
        d.config,
      ],
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
    assert.match(new TextDecoder().decode(check.stdout), /old bridge's database: the first start/);

    const r = await start(d, /imported the old bridge's database in place[^\n]*\n/);
    assert.ok(r.matched, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 users, 0 personal blocks, 1 bridge-wide blocks/);
    assert.ok(r.stderr.includes(oldBridgePath(d.database)), "names where the old file is kept");
    assert.deepEqual(Deno.readFileSync(oldBridgePath(d.database)), before);
    assert.equal(userVersion(d.database), SCHEMA_VERSION);
    using store = openStore(d.database);
    assert.ok(store.users.get(XMPP, "alice@chat.example"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("drop-in: both roles starting at once import the old file once", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "upgrade-" });
  try {
    const d = deployment(dir);
    oldBridgeFile(d.database);
    const script = `
      import { adoptOldBridgeDatabase } from "${ROOT}src/store/mod.ts";
      const r = adoptOldBridgeDatabase(Deno.args[0], { timeZone: "UTC" });
      console.log(r === null ? "none" : String(r.users));
    `;
    const runs = await Promise.all([0, 1].map(() =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", "--no-prompt", script, d.database],
        stdout: "piped",
        stderr: "piped",
      }).output()
    ));
    const outs = runs.map((o) => new TextDecoder().decode(o.stdout).trim()).sort();
    assert.deepEqual(
      outs,
      ["1", "none"],
      runs.map((o) => new TextDecoder().decode(o.stderr)).join(),
    );
    using store = openStore(d.database);
    assert.ok(store.users.get(XMPP, "alice@chat.example"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("upgrade: a database of the predecessor schema is copied and migrated on start", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "upgrade-" });
  try {
    const d = deployment(dir);
    // What the previous release left behind: every step but the last one, and a user.
    openDatabase(d.database, { migrations: MIGRATIONS.slice(0, SCHEMA_VERSION - 1) }).close();
    const db = new DatabaseSync(d.database);
    db.prepare(
      "INSERT INTO users (type, address, registered_at, app) VALUES (1, 'ann@chat.example', 7, 'X')",
    ).run();
    db.close();
    const r = await start(d, /before migrating[^\n]*\n/);
    assert.ok(r.matched, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(backupPath(d.database)), r.stderr);
    assert.equal(userVersion(backupPath(d.database)), SCHEMA_VERSION - 1);
    assert.equal(userVersion(d.database), SCHEMA_VERSION);
    using store = openStore(d.database);
    assert.equal(store.users.get(XMPP, "ann@chat.example")?.registeredAt, 7);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("upgrade: a database of a newer release is refused on start, its version named", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "upgrade-" });
  try {
    const d = deployment(dir);
    openStore(d.database).close();
    const db = new DatabaseSync(d.database);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const r = await start(d, /$^/);
    assert.ok(!r.matched);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`schema version ${SCHEMA_VERSION + 1}\\b`));
    assert.match(r.stderr, new RegExp(`only knows versions up to ${SCHEMA_VERSION}\\b`));
    assert.equal(userVersion(d.database), SCHEMA_VERSION + 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
