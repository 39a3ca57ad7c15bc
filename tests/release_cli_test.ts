/**
 * What an operator with only the binary (or a fresh clone) can ask of it: `--version`, the
 * shipped files through `--print-*`, and the launcher's tasks without configuration or secrets.
 * Everything runs main.ts or tools/launch.ts in a subprocess, as the operator would.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import meta from "../deno.json" with { type: "json" };
import { compileArgs } from "../tools/launch.ts";
import { isRuntimeDownloadFailure } from "../tools/compile.ts";
import { buildInfoSource, readGitCommit } from "../tools/build_info.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const decoder = new TextDecoder();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function deno(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** main.ts with the given permission flags. */
const bridge = (flags: string[], args: string[]) =>
  deno(["run", "--quiet", "--no-prompt", ...flags, `${ROOT}main.ts`, ...args]);

/** A deno.json task, as `deno task NAME ARGS` runs it. */
const task = (name: string, args: string[], env: Record<string, string> = {}) =>
  deno(["task", "--quiet", name, ...args], env);

Deno.test("--version: version, commit, Deno version and the permission set", async () => {
  const narrowed = await bridge([], ["--version"]);
  assert.equal(narrowed.code, 0, narrowed.stderr);
  const lines = narrowed.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `xmpp-ap-bridge ${meta.version}`);
  assert.match(lines[1] ?? "", /^commit: not recorded \(run from source/);
  assert.equal(lines[2]?.startsWith(`deno: ${Deno.version.deno} (`), true, lines[2]);
  assert.match(lines[3] ?? "", /^permissions: narrowed to a configuration/);
  const generic = await bridge(["--allow-read", "--allow-write", "--allow-net"], ["--version"]);
  assert.match(generic.stdout, /^permissions: generic release set/m);
});

Deno.test("a built binary names its commit: the stamp the compile task writes", () => {
  const template = Deno.readTextFileSync(`${ROOT}src/build_info.ts`);
  assert.match(template, /BUILD_COMMIT: string \| null = null;/, "the committed file says none");
  const stamped = buildInfoSource("0123456789abcdef0123456789abcdef01234567", template);
  assert.match(
    stamped,
    /BUILD_COMMIT: string \| null = "0123456789abcdef0123456789abcdef01234567";/,
  );
  // Read from .git's files, as `git rev-parse HEAD` would say (null in a tree without .git).
  const commit = readGitCommit(ROOT);
  if (commit !== null) assert.match(commit, /^[0-9a-f]{40}$/);
});

Deno.test("--print-config, --print-unit, --print-env write the shipped files, with no permission", async () => {
  const cases: [string[], string][] = [
    [["--print-config"], "config/xmpp-bridge-config.yml"],
    [["--print-env"], "config/env.example"],
    [["--print-unit", "fedi"], "dist/xmpp-ap-bridge-fedi.service"],
    [["--print-unit", "xmpp"], "dist/xmpp-ap-bridge-xmpp.service"],
  ];
  for (const [args, file] of cases) {
    const r = await bridge([], args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, Deno.readTextFileSync(`${ROOT}${file}`), `${args.join(" ")} is ${file}`);
  }
  const bad = await bridge([], ["--print-unit", "both"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--print-unit takes fedi or xmpp, not 'both'/);
  const two = await bridge([], ["--print-env", "--print-config"]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /one at a time/);
});

Deno.test("deno task start: --help, --version and --print-* need no configuration", async () => {
  const nowhere = `${ROOT}tests/fixtures/no-such-config.yml`;
  const env = { XMPP_BRIDGE_CONFIG_FILE: nowhere };
  const help = await task("start", ["--help"], env);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: xmpp-ap-bridge \[options\]/m);
  assert.doesNotMatch(help.stderr, /no-such-config/);
  const version = await task("start", ["--version"], env);
  assert.equal(version.code, 0, version.stderr);
  assert.match(
    version.stdout,
    new RegExp(`^xmpp-ap-bridge ${meta.version.replaceAll(".", "\\.")}$`, "m"),
  );
  const unit = await task("start", ["--print-unit", "xmpp"], env);
  assert.equal(unit.code, 0, unit.stderr);
  assert.match(unit.stdout, /^ExecStart=.* --xmpp /m);
  // An actual start still needs the configuration, and says which.
  const run = await task("start", [], env);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /no-such-config/);
});

/** The example configuration with its credentials left empty, as shipped. */
const EXAMPLE = `${ROOT}config/xmpp-bridge-config.yml`;

Deno.test("deno task flags: paths and hosts are enough, no secret needed; --fedi narrows", async () => {
  const both = await task("flags", ["--config", EXAMPLE]);
  assert.equal(both.code, 0, both.stderr);
  const net = (r: Run) => r.stdout.split("\n").find((l) => l.startsWith("--allow-net="));
  assert.equal(net(both), "--allow-net=social.example.org:443,chat.example.org:5222");
  const fedi = await task("flags", ["--config", EXAMPLE, "--fedi"]);
  assert.equal(net(fedi), "--allow-net=social.example.org:443");
  const xmpp = await task("flags", ["--config", EXAMPLE, "--xmpp"]);
  assert.equal(net(xmpp), "--allow-net=chat.example.org:5222");
});

Deno.test("compile --fedi bakes the role into the binary's command line", () => {
  const args = compileArgs(["--allow-net=a:1"], "out", undefined, ["--fedi"]);
  assert.deepEqual(args.slice(-2), [`${ROOT}main.ts`, "--fedi"]);
  assert.ok(args.includes("--allow-net=a:1"));
});

Deno.test("compile without Internet: one message naming DENORT_BIN and where to build", async () => {
  const out = `${Deno.makeTempDirSync({ prefix: "compile-" })}/xmpp-ap-bridge`;
  try {
    // The runtime download goes to a proxy on a closed loopback port: it fails as it does
    // offline, and nothing leaves this machine.
    const proxy = "http://127.0.0.1:9";
    const r = await task("compile", ["--config", EXAMPLE, "--xmpp", "--output", out], {
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
      ALL_PROXY: proxy,
      NO_PROXY: "",
    });
    if (r.code === 0) {
      // A machine that can fetch Deno's runtime builds the binary: a one-role one.
      const v = await new Deno.Command(out, { args: ["--version"], stdout: "piped" }).output();
      assert.match(decoder.decode(v.stdout), /^permissions: narrowed/m);
      return;
    }
    // The launcher first says which hosts it derived the permissions from.
    const message = r.stderr.slice(r.stderr.indexOf("Cannot build"));
    assert.match(message, /^Cannot build the binary: deno compile must fetch Deno's runtime/m);
    assert.match(r.stderr, /DENORT_BIN=/);
    assert.match(r.stderr, /build on a machine with Internet access/);
    assert.match(r.stderr, /release bundle/);
    assert.doesNotMatch(r.stderr, /Stack backtrace|dns error/, "deno's own error is replaced");
    assert.equal(message.trimEnd().split("\n").length, 2, r.stderr);
    // The stamp is put back: the source tree says "from source" again.
    assert.match(Deno.readTextFileSync(`${ROOT}src/build_info.ts`), /= null;/);
  } finally {
    Deno.removeSync(out.slice(0, out.lastIndexOf("/")), { recursive: true });
  }
});

Deno.test("deno compile's failed runtime download is told apart from other failures", () => {
  const offline = "error: Writing deno compile executable to temporary file 'x'\n\nCaused by:\n" +
    "    0: Setting up base binary.\n    1: error sending request for url " +
    "(https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error " +
    "(Connect): dns error: failed to lookup address information\n";
  assert.ok(isRuntimeDownloadFailure(offline));
  assert.ok(!isRuntimeDownloadFailure("error: TS2339 [ERROR]: Property 'x' does not exist"));
});
