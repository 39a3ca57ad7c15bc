/**
 * The command line as an operator meets it: the real entry point in a subprocess, under the
 * permission flags derived from the configuration (and no network permission at all).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/mod.ts";
import { derivePermissions } from "../src/permissions.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OLD = `${ROOT}tests/fixtures/old-config.yml`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(flags: string[], args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", ...flags, `${ROOT}main.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * The old-style configuration with its `/path/to` folders under `dir`, created unless `missing`
 * names them (dbfile, logfile, bridgefiles).
 */
function oldDeployment(dir: string, missing: readonly string[] = []): string {
  for (const sub of ["dbfile", "logfile", "bridgefiles"]) {
    if (!missing.includes(sub)) Deno.mkdirSync(`${dir}/${sub}`, { recursive: true });
  }
  const path = `${dir}/old.yml`;
  Deno.writeTextFileSync(path, Deno.readTextFileSync(OLD).replaceAll("/path/to", dir));
  return path;
}

/** The deployment's flags minus the network: --check must never need it. */
function checkFlags(configPath: string): string[] {
  const config = loadConfig({ path: configPath, env: {}, roles: ["fedi", "xmpp"] });
  return derivePermissions({ config, roles: ["fedi", "xmpp"], envFile: null })
    .filter((f) => !f.startsWith("--allow-net"));
}

Deno.test("--help lists every option", async () => {
  const r = await run([], ["--help"]);
  assert.equal(r.code, 0);
  for (const flag of ["--config", "--fedi", "--xmpp", "--check", "--version", "--help"]) {
    assert.ok(r.stdout.includes(flag), `${flag} in help`);
  }
});

Deno.test("--version prints the version from deno.json", async () => {
  const meta = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const r = await run([], ["--version"]);
  assert.equal(r.code, 0);
  // The first line; tests/release_cli_test.ts checks the others.
  assert.equal(r.stdout.split("\n")[0], `xmpp-ap-bridge ${meta.version}`);
});

Deno.test("an unknown flag prints the usage and exits 2", async () => {
  const r = await run([], ["--frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /frobnicate/);
  assert.match(r.stderr, /Usage:/);
});

Deno.test("--check on an old-style configuration succeeds without network permission", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = oldDeployment(dir);
    const flags = checkFlags(path);
    assert.ok(!flags.some((f) => f.includes("net")));
    const r = await run(flags, ["--check", "-c", path]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    for (
      const part of [
        "Fediverse bot, XMPP bot",
        "example.social",
        "example.im",
        `${dir}/dbfile/bridge.db`,
        `${dir}/bridgefiles`,
        "default fr, fallback en",
      ]
    ) assert.ok(r.stdout.includes(part), `"${part}" in:\n${r.stdout}`);
    assert.ok(!r.stdout.includes("YourSecret"), "no secret in the summary");
    assert.deepEqual([...Deno.readDirSync(`${dir}/dbfile`)], [], "the probes leave nothing");
    assert.deepEqual([...Deno.readDirSync(`${dir}/bridgefiles`)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--check with one role names only that role", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = oldDeployment(dir);
    const r = await run(checkFlags(path), ["--check", "--xmpp", "-c", path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Roles: XMPP bot\n/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--check names the key and the fix of each folder or file a start would fail on", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // No database folder, no log folder, bridge-files-dir a file, a CA file that is not there.
    const path = oldDeployment(dir, ["dbfile", "logfile", "bridgefiles"]);
    Deno.writeTextFileSync(`${dir}/bridgefiles`, "not a folder");
    Deno.writeTextFileSync(
      path,
      Deno.readTextFileSync(path).replace(
        /^bridge-files-dir:.*$/m,
        `$&\nxmpp-tls-ca-file: ${dir}/ca.pem`,
      ),
    );
    const r = await run(checkFlags(path), ["--check", "-c", path]);
    assert.equal(r.code, 78, r.stderr);
    const expected: [string, RegExp][] = [
      ["bridge-database-file", new RegExp(`${dir}/dbfile does not exist. Fix: create it`)],
      ["bridge-log-file", new RegExp(`${dir}/logfile does not exist. Fix: create it`)],
      ["bridge-files-dir", new RegExp(`${dir}/bridgefiles is not a folder`)],
      ["xmpp-tls-ca-file", new RegExp(`${dir}/ca.pem does not exist`)],
    ];
    for (const [key, detail] of expected) {
      const line = r.stderr.split("\n").find((l) => l.includes(`key "${key}"`));
      assert.ok(line, `${key} named in:\n${r.stderr}`);
      assert.match(line, detail);
    }
    assert.doesNotMatch(r.stderr, / {4}at /, "no stack trace");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--check: an unreadable list file is named; a start refuses with the same line", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = oldDeployment(dir);
    // A folder where the red list should be: reading it fails whoever runs the test.
    Deno.mkdirSync(`${dir}/bridgefiles/xmpp-bridge-red.txt`);
    const r = await run(checkFlags(path), ["--check", "-c", path]);
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, /key "bridge-files-dir": cannot read .*xmpp-bridge-red\.txt/);
    Deno.removeSync(`${dir}/bridgefiles/xmpp-bridge-red.txt`);
    Deno.removeSync(`${dir}/logfile`, { recursive: true });
    const start = await run(checkFlags(path), ["-c", path]);
    assert.equal(start.code, 78, start.stderr);
    assert.match(start.stderr, /cannot start: key "bridge-log-file": .*logfile does not exist/);
    assert.doesNotMatch(start.stderr, / {4}at /, "no stack trace");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--check: a folder outside the permission set exits 77 naming the key", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = oldDeployment(dir);
    // Reading everything, writing nothing.
    const r = await run([`--allow-read=${dir}`, "--allow-env"], ["--check", "-c", path]);
    assert.equal(r.code, 77, r.stderr);
    assert.match(r.stderr, /key "bridge-database-file": the permission set .* does not allow/);
    assert.match(r.stderr, /deno task flags/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--check on broken configurations exits 78 naming the key and the file", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const old = Deno.readTextFileSync(OLD);
    const cases: [string, string, RegExp[]][] = [
      ["no-instance.yml", old.replace(/^ap_instance:.*$/m, ""), [/"ap_instance" is missing/]],
      [
        "four.yml",
        old.replace(/^max-dest-to-send:.*$/m, 'max-dest-to-send: "four"'),
        [/"max-dest-to-send" \(line \d+\)/, /whole number/, /"four"/],
      ],
      ["broken.yml", old.replace(/^xmpp_admin:$/m, "xmpp_admin: [oops"), [/line \d+/, /YAML/]],
    ];
    for (const [name, text, patterns] of cases) {
      const path = `${dir}/${name}`;
      Deno.writeTextFileSync(path, text);
      const r = await run([`--allow-read=${dir}`, "--allow-env"], ["--check", "-c", path]);
      assert.equal(r.code, 78, `${name}: ${r.stderr}`);
      assert.ok(r.stderr.includes(path), `${name}: the file is named in ${r.stderr}`);
      for (const p of patterns) assert.match(r.stderr, p, name);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the environment overrides the file's credentials in a real run", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/c.yml`;
    Deno.writeTextFileSync(
      path,
      Deno.readTextFileSync(oldDeployment(dir)).replace(/^xmpp_bridge_name:.*$/m, ""),
    );
    const allow = [`--allow-read=${dir}`, `--allow-write=${dir}`, "--allow-env"];
    const r1 = await run(allow, ["--check", "-c", path]);
    assert.equal(r1.code, 78);
    assert.match(r1.stderr, /xmpp_bridge_name/);
    const envFile = `${dir}/creds.env`;
    Deno.writeTextFileSync(envFile, "XMPP_BRIDGE_NAME=fromenv@example.social\n");
    const r2 = await run(allow, ["--check", "-c", path, "--env-file", envFile]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /bot fromenv@example\.social/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the documented example configuration is valid once the secrets are given", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // Its folders, under a temporary one.
    const example = `${dir}/xmpp-bridge-config.yml`;
    Deno.writeTextFileSync(
      example,
      Deno.readTextFileSync(`${ROOT}config/xmpp-bridge-config.yml`)
        .replaceAll("/var/lib/xmpp-ap-bridge", `${dir}/data`),
    );
    Deno.mkdirSync(`${dir}/data`);
    const envFile = `${dir}/.env`;
    Deno.writeTextFileSync(
      envFile,
      Deno.readTextFileSync(`${ROOT}config/env.example`)
        .replace(/^XMPP_BRIDGE_TOKEN=$/m, "XMPP_BRIDGE_TOKEN=t0ken")
        .replace(/^AP_BRIDGE_PASS=$/m, "AP_BRIDGE_PASS=passw0rd"),
    );
    const flags = [`--allow-read=${dir}`, `--allow-write=${dir}`, "--allow-env"];
    const r = await run(flags, ["--check", "-c", example, "--env-file", envFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /social\.example\.org/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a unit's secret comes from $CREDENTIALS_DIRECTORY under the derived permissions", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/c.yml`;
    // The old config holds both secrets; the credential folder must win over nothing but the
    // environment, so take the token out of the file and give it only as a credential.
    Deno.writeTextFileSync(
      path,
      Deno.readTextFileSync(OLD).replace(/^xmpp_bridge_token:.*$/m, "")
        // The files a start needs, where --check can find them.
        .replace(/^bridge-database-file:.*$/m, `bridge-database-file: ${dir}/bridge.db`)
        .replace(/^bridge-files-dir:.*$/m, `bridge-files-dir: ${dir}/files`)
        .replace(/^bridge-log-file:.*$/m, "bridge-log-file: ''")
        .replace(/^translation-dir:.*$/m, "translation-dir: ''"),
    );
    const creds = `${dir}/creds`;
    Deno.mkdirSync(creds);
    Deno.writeTextFileSync(`${creds}/xmpp-bridge-token`, "from-credential\n");
    const config = loadConfig({ path, env: { XMPP_BRIDGE_TOKEN: "x" }, roles: ["fedi"] });
    const flags = derivePermissions({
      config,
      roles: ["fedi"],
      envFile: null,
      credentialsDirectory: creds,
    }).filter((f) => !f.startsWith("--allow-net"));
    const check = (env: Record<string, string>) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--quiet",
          "--no-prompt",
          ...flags,
          `${ROOT}main.ts`,
          "--fedi",
          "--check",
          "-c",
          path,
        ],
        cwd: dir,
        env: { NO_COLOR: "1", ...env },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const without = await check({});
    assert.equal(without.code, 78, "no token anywhere");
    assert.match(new TextDecoder().decode(without.stderr), /xmpp_bridge_token/);
    const withCreds = await check({ CREDENTIALS_DIRECTORY: creds });
    assert.equal(withCreds.code, 0, new TextDecoder().decode(withCreds.stderr));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
