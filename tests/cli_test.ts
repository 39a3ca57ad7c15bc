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
  const flags = checkFlags(OLD);
  assert.ok(!flags.some((f) => f.includes("net")));
  const r = await run(flags, ["--check", "-c", OLD]);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  for (
    const part of [
      "Fediverse bot, XMPP bot",
      "example.social",
      "example.im",
      "/path/to/dbfile/bridge.db",
      "/path/to/bridgefiles",
      "default fr, fallback en",
    ]
  ) assert.ok(r.stdout.includes(part), `"${part}" in:\n${r.stdout}`);
  assert.ok(!r.stdout.includes("YourSecret"), "no secret in the summary");
});

Deno.test("--check with one role names only that role", async () => {
  const r = await run(checkFlags(OLD), ["--check", "--xmpp", "-c", OLD]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Roles: XMPP bot\n/);
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
      Deno.readTextFileSync(OLD).replace(/^xmpp_bridge_name:.*$/m, ""),
    );
    const r1 = await run([`--allow-read=${dir}`, "--allow-env"], ["--check", "-c", path]);
    assert.equal(r1.code, 78);
    assert.match(r1.stderr, /xmpp_bridge_name/);
    const envFile = `${dir}/creds.env`;
    Deno.writeTextFileSync(envFile, "XMPP_BRIDGE_NAME=fromenv@example.social\n");
    const r2 = await run(
      [`--allow-read=${dir}`, "--allow-env"],
      ["--check", "-c", path, "--env-file", envFile],
    );
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /bot fromenv@example\.social/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the documented example configuration is valid once the secrets are given", async () => {
  const example = `${ROOT}config/xmpp-bridge-config.yml`;
  const dir = Deno.makeTempDirSync();
  try {
    const envFile = `${dir}/.env`;
    Deno.writeTextFileSync(
      envFile,
      Deno.readTextFileSync(`${ROOT}config/env.example`)
        .replace(/^XMPP_BRIDGE_TOKEN=$/m, "XMPP_BRIDGE_TOKEN=t0ken")
        .replace(/^AP_BRIDGE_PASS=$/m, "AP_BRIDGE_PASS=passw0rd"),
    );
    const flags = [`--allow-read=${example},${dir}`, "--allow-env"];
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
      Deno.readTextFileSync(OLD).replace(/^xmpp_bridge_token:.*$/m, ""),
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
