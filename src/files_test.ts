/**
 * Hostile input (issue 12, item 10): the bridge's own files are private whatever the umask, and
 * what is deleted from the database does not linger in its free pages.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { preparePrivateFile } from "./files.ts";
import { openDatabase, openStore } from "./store/mod.ts";

const PROBE = fileURLToPath(new URL("./files_probe.ts", import.meta.url));

/** Runs the probe in a shell with this umask; returns the modes it printed. */
async function modesUnder(umask: string, dir: string): Promise<Record<string, string>> {
  Deno.mkdirSync(`${dir}/data`);
  Deno.mkdirSync(`${dir}/log`);
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      `umask ${umask} && exec "$0" run --quiet --allow-read --allow-write --allow-env "$1" "$2"`,
      Deno.execPath(),
      PROBE,
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test({
  name: "the database and log are created 0600 under umask 022",
  ignore: Deno.build.os === "windows",
  async fn() {
    for (const umask of ["022", "000"]) {
      const dir = Deno.makeTempDirSync({ prefix: "files-test-" });
      try {
        assert.deepEqual(await modesUnder(umask, dir), {
          database: "600",
          wal: "600",
          shm: "600",
          log: "600",
          // The folder the bridge creates is private; a parent created on the way too.
          filesDir: "700",
          filesParent: "700",
        }, `umask ${umask}`);
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    }
  },
});

Deno.test({
  name: "an existing database others can read is kept as it is, with a warning naming it",
  ignore: Deno.build.os === "windows",
  fn() {
    const dir = Deno.makeTempDirSync({ prefix: "files-test-" });
    try {
      const path = `${dir}/bridge.db`;
      Deno.writeFileSync(path, new Uint8Array());
      Deno.chmodSync(path, 0o644);
      const warnings: string[] = [];
      openStore(path, { onWarning: (w) => warnings.push(w) }).close();
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0]!.includes(path) && warnings[0]!.includes("644"), warnings[0]);
      assert.equal((Deno.statSync(path).mode ?? 0) & 0o777, 0o644, "not changed behind its back");
      // A private one gets no warning.
      Deno.chmodSync(path, 0o600);
      assert.equal(preparePrivateFile(path), null);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("secure_delete is on", () => {
  const dir = Deno.makeTempDirSync({ prefix: "files-test-" });
  try {
    const db = openDatabase(`${dir}/bridge.db`);
    try {
      assert.equal(Number(db.prepare("PRAGMA secure_delete").get()?.secure_delete), 1);
      // A deleted text does not stay in the file's free pages.
      const secret = "a-very-recognisable-message-text-0123456789";
      db.prepare("INSERT INTO meta (key, value) VALUES ('x', ?)").run(secret.repeat(50));
      db.exec("DELETE FROM meta WHERE key = 'x'");
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
    const bytes = new TextDecoder("latin1").decode(Deno.readFileSync(`${dir}/bridge.db`));
    assert.ok(!bytes.includes("a-very-recognisable-message-text"), "the text is gone");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
