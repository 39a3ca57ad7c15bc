/**
 * The release bundle as an operator unpacks it. `deno task bundle` builds it around a stand-in
 * binary (a shell script): `deno compile` cannot fetch Deno's runtime without Internet, and the
 * layout does not depend on what the binary is. The test then follows docs/operators.md
 * "Install" with the unpacked files only: the example configuration and credentials file filled
 * in, then `--check`. Since the stand-in cannot check anything, `--check` runs main.ts from source
 * under the permission flags the launcher derives from the unpacked configuration, which is what
 * a binary built for that configuration would carry. (`--check` connects nowhere, so the servers
 * need not run.)
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import meta from "../deno.json" with { type: "json" };
import { BINARY_NAME, bundledFiles, bundleName, sha256 } from "../tools/bundle.ts";
import { SHIPPED_TEXTS } from "../src/cli/print.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET = "x86_64-unknown-linux-gnu";
const decoder = new TextDecoder();

async function run(cmd: string, args: string[], cwd = ROOT) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    clearEnv: true,
    env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string, prefix = ""): string[] {
  return [...Deno.readDirSync(join(dir, prefix))].flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory ? tree(dir, rel) : [rel];
  }).sort();
}

Deno.test("deno task bundle: the tree an operator unpacks, and --check from it", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "bundle-" });
  try {
    const stub = join(tmp, "stand-in");
    Deno.writeTextFileSync(stub, "#!/bin/sh\necho 'stand-in for the compiled bridge'\n");
    Deno.chmodSync(stub, 0o755);
    const built = await run(Deno.execPath(), [
      "task",
      "--quiet",
      "bundle",
      "--binary",
      stub,
      "--target",
      TARGET,
      "--out",
      join(tmp, "out"),
    ]);
    assert.equal(built.code, 0, built.stderr);
    const name = bundleName(TARGET);
    assert.equal(name, `xmpp-ap-bridge-${meta.version}-${TARGET}`);
    const archive = join(tmp, "out", `${name}.tar.gz`);
    // It prints the line sha256sum would print, for SHA256SUMS.
    assert.match(built.stdout, new RegExp(`^${await sha256(archive)}  ${name}\\.tar\\.gz$`, "m"));

    // Unpacked where the operator works: one folder named after the release.
    const home = join(tmp, "operator");
    Deno.mkdirSync(home);
    const untar = await run("tar", ["-xzf", archive], home);
    assert.equal(untar.code, 0, untar.stderr);
    assert.deepEqual([...Deno.readDirSync(home)].map((e) => e.name), [name]);
    const unpacked = join(home, name);
    const files = tree(unpacked);
    for (
      const required of [
        BINARY_NAME,
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "config/xmpp-bridge-config.yml",
        "config/env.example",
        "dist/xmpp-ap-bridge-fedi.service",
        "dist/xmpp-ap-bridge-xmpp.service",
        "dist/README.md",
        "docs/operators.md",
        "assets/fedi-bot-avatar.png",
        "assets/fedi-bot-banner.png",
        "assets/xmpp-bot-avatar.png",
        "assets/xmpp-bot-banner.png",
        ...[...Deno.readDirSync(join(ROOT, "docs/user-guide"))].map((e) =>
          `docs/user-guide/${e.name}`
        ),
      ]
    ) assert.ok(files.includes(required), `${required} in the bundle`);
    // Nothing else: no source, no tests, no locales (the texts are built in).
    assert.deepEqual(files, [BINARY_NAME, ...bundledFiles()].sort());
    assert.ok(!files.some((f) => f.endsWith(".ts") || f.startsWith("tests/")));
    // The binary is the one given, executable; the other files are the repository's.
    assert.deepEqual(Deno.readFileSync(join(unpacked, BINARY_NAME)), Deno.readFileSync(stub));
    assert.equal(Deno.statSync(join(unpacked, BINARY_NAME)).mode! & 0o777, 0o755);
    for (const f of bundledFiles()) {
      assert.deepEqual(Deno.readFileSync(join(unpacked, f)), Deno.readFileSync(join(ROOT, f)), f);
    }
    // What the binary prints with --print-* is what the bundle holds.
    for (const { file, text } of Object.values(SHIPPED_TEXTS)) {
      assert.equal(Deno.readTextFileSync(join(unpacked, file)), text, file);
    }

    // Install, "Configure": copy the example configuration and credentials file, fill them in.
    const etc = join(tmp, "etc");
    const data = join(tmp, "var-lib");
    Deno.mkdirSync(etc);
    const config = join(etc, "xmpp-bridge-config.yml");
    const envFile = join(etc, "env");
    Deno.writeTextFileSync(
      config,
      Deno.readTextFileSync(join(unpacked, "config/xmpp-bridge-config.yml"))
        .replaceAll("/var/lib/xmpp-ap-bridge", data),
    );
    Deno.writeTextFileSync(
      envFile,
      Deno.readTextFileSync(join(unpacked, "config/env.example"))
        .replace(/^XMPP_BRIDGE_TOKEN=$/m, "XMPP_BRIDGE_TOKEN=t0ken")
        .replace(/^AP_BRIDGE_PASS=$/m, "AP_BRIDGE_PASS=passw0rd"),
    );
    const flags = await run(Deno.execPath(), [
      "task",
      "--quiet",
      "flags",
      "--config",
      config,
      "--env-file",
      envFile,
    ]);
    assert.equal(flags.code, 0, flags.stderr);
    const derived = flags.stdout.trim().split("\n").filter((f) => !f.startsWith("--allow-net"));
    const check = await run(Deno.execPath(), [
      "run",
      "--quiet",
      "--no-prompt",
      ...derived,
      join(ROOT, "main.ts"),
      "--check",
      "--config",
      config,
      "--env-file",
      envFile,
    ]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(
      check.stdout,
      new RegExp(`Configuration ${config.replaceAll(".", "\\.")} is valid`),
    );
    assert.match(check.stdout, new RegExp(`Database: ${data}/`));
    assert.doesNotMatch(check.stdout, /t0ken|passw0rd/);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
