/**
 * The release bundle as an operator unpacks it. `deno task bundle` builds it around a stand-in
 * binary (a shell script): `deno compile` cannot fetch Deno's runtime without Internet, and the
 * layout does not depend on what the binary is. The test then follows docs/operators.md
 * "Install" with the unpacked files only: the example configuration and credentials file filled
 * in, then `--check`. Since the stand-in cannot check anything, `--check` runs main.ts from source
 * under the permission flags the launcher derives from the unpacked configuration, which is what
 * a binary built for that configuration would carry. Last, the same example filled in with the
 * test servers' addresses passes `--check --online` against them.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import meta from "../deno.json" with { type: "json" };
import { BINARY_NAME, bundledFiles, bundleName, sha256 } from "../tools/bundle.ts";
import { SHIPPED_TEXTS } from "../src/cli/print.ts";
import { parseCli } from "../main.ts";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { World } from "./e2e/world.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET = "x86_64-unknown-linux-gnu";
const decoder = new TextDecoder();

async function run(cmd: string, args: string[], cwd = ROOT, path = Deno.env.get("PATH") ?? "") {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    clearEnv: true,
    env: { NO_COLOR: "1", PATH: path, HOME: Deno.env.get("HOME") ?? "" },
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
    // "Configure", step 1: the data folder, which --check wants to exist.
    Deno.mkdirSync(data);
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
    await checkOnlineAgainstTestServers(unpacked, tmp);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});

/**
 * The unpacked example configuration, pointed at the test servers (the Mastodon API test server
 * and a real Prosody) with the values an operator would fill in, passes `--check --online` under
 * the flags the launcher derives from it: both bots sign in, nothing is sent.
 */
async function checkOnlineAgainstTestServers(unpacked: string, tmp: string): Promise<void> {
  await using world = await World.start();
  const example = parseYaml(Deno.readTextFileSync(join(unpacked, "config/xmpp-bridge-config.yml")));
  const filled = { ...example, ...parseYaml(Deno.readTextFileSync(world.configPath)) };
  const config = join(tmp, "online.yml");
  Deno.writeTextFileSync(config, stringifyYaml(filled));
  const flags = await run(Deno.execPath(), [
    "task",
    "--quiet",
    "flags",
    "--config",
    config,
    "--env-file",
    world.envPath,
  ]);
  assert.equal(flags.code, 0, flags.stderr);
  const derived = flags.stdout.trim().split("\n");
  const check = await run(Deno.execPath(), [
    "run",
    "--quiet",
    "--no-prompt",
    ...derived,
    join(ROOT, "main.ts"),
    "--check",
    "--online",
    "--config",
    config,
    "--env-file",
    world.envPath,
  ]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /Fediverse: signed in at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(check.stdout, /XMPP: logged in at \S+ as bridge@xmpp\.test/);
  assert.deepEqual(world.mastodon.statusesOf(world.fediBot), [], "nothing posted");
}

/** The text of a `## ` section of docs/operators.md, up to the next one. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `section ${heading}`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The `sh` code blocks of a text, in order, with the list indentation taken off. */
function shellBlocks(text: string): string[] {
  return [...text.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map((m) =>
    m[2]!.split("\n").map((l) => l.slice(m[1]!.length)).join("\n")
  );
}

Deno.test("docs/operators.md Install, run step by step from the release files alone", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "install-" });
  try {
    // What a release page offers: the bundle and its .sha256 file, made as the workflow makes it.
    const stub = join(tmp, "stand-in");
    Deno.writeTextFileSync(stub, '#!/bin/sh\necho "stand-in binary: $*"\n');
    Deno.chmodSync(stub, 0o755);
    const downloads = join(tmp, "downloads");
    const built = await run(Deno.execPath(), [
      "task",
      "--quiet",
      "bundle",
      "--binary",
      stub,
      "--target",
      TARGET,
      "--out",
      downloads,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const name = bundleName(TARGET);
    Deno.removeSync(join(downloads, name), { recursive: true }); // only the archive is offered
    const sums = await run(
      "sh",
      ["-c", `sha256sum ${name}.tar.gz > ${name}.tar.gz.sha256`],
      downloads,
    );
    assert.equal(sums.code, 0, sums.stderr);

    // The guide as shipped in the bundle (the same text as the repository's).
    const doc = Deno.readTextFileSync(join(ROOT, "docs/operators.md"));
    const install = section(doc, "Install");
    const steps = shellBlocks(install.slice(0, install.indexOf("\n### ")));
    assert.equal(steps.length, 3, "download and check, unpack, install");
    // Root's /usr/local/bin becomes a folder of the test, put first on PATH.
    const bin = join(tmp, "usr-local-bin");
    Deno.mkdirSync(bin);
    const script = steps.join("\n")
      .replaceAll("VERSION", meta.version)
      .replaceAll("/usr/local/bin/", `${bin}/`);
    const r = await run("sh", ["-e", "-c", script], downloads, `${bin}:${Deno.env.get("PATH")}`);
    assert.equal(r.code, 0, `${script}\n${r.stderr}`);
    assert.match(r.stdout, /: OK$/m, "sha256sum --check passed");
    assert.match(r.stdout, /^stand-in binary: --version$/m, "the installed program ran");
    assert.deepEqual(Deno.readFileSync(join(bin, BINARY_NAME)), Deno.readFileSync(stub));

    // The later sections run from the unpacked folder: every file they name is in it, and every
    // command line of the program is one it accepts.
    const unpacked = join(downloads, name);
    // (Install's "From source" part is about the repository, not the bundle.)
    const later = [
      install.slice(0, install.indexOf("\n### From source")),
      ...[
        "Configure",
        "Run it with systemd",
        "Upgrade",
        "Migrate from the old bridge",
      ].map((h) => section(doc, h)),
    ].join("\n");
    const named = new Set(
      [...later.matchAll(/(?<![\w/.-])((?:config|dist|assets|docs)\/[\w.*-]+)/g)]
        .map((m) => m[1]!.replace(/[.,]$/, "")),
    );
    assert.ok(named.size >= 5, [...named].join(" "));
    const files = tree(unpacked);
    for (const path of named) {
      const pattern = new RegExp(`^${path.replaceAll(".", "\\.").replaceAll("*", "[^/]*")}(/|$)`);
      assert.ok(
        files.some((f) => pattern.test(f)),
        `${path}, named in the guide, is in the bundle`,
      );
    }
    for (const block of shellBlocks(later)) {
      for (const line of block.replace(/\\\n\s*/g, " ").split("\n")) {
        const m = line.match(/^\s*xmpp-ap-bridge\s+([^#>|]*)/);
        if (!m) continue;
        const args = m[1]!.trim().split(/\s+/).filter((a) => a !== "");
        assert.doesNotThrow(() => parseCli(args), line);
      }
    }
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
