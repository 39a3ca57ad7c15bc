/**
 * What ships beside the code: the release workflow, the systemd units, the bots' images and the
 * documentation. Each check compares a shipped file with the code it must agree with (the command
 * line parser, the environment variables, the compile flags, the shipped languages), so that a
 * change on one side without the other fails here.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join, normalize } from "node:path";
import process from "node:process";
import { parse as yamlParse } from "yaml";
import { DEFAULT_COMMAND_WORDS, DEFAULT_CONFIG_PATH, ENV_VARS, ROLES } from "../src/config/mod.ts";
import { LIBRARY_ENV_VARS, SERVICE_ENV_VARS } from "../src/permissions.ts";
import { CREDENTIAL_FILES, CREDENTIALS_ENV, UNIT_CREDENTIAL_DIRS } from "../src/credentials.ts";
import { parseCli } from "../main.ts";
import { compileArgs } from "../tools/launch.ts";
import { RELEASE_PERMISSIONS } from "../tools/bundle.ts";
import { SCHEMA_VERSION } from "../src/store/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string): string => Deno.readTextFileSync(join(ROOT, path));

/**
 * The project's YAML parser. The library looks at two debug variables (LOG_TOKENS, LOG_STREAM)
 * while parsing; when this test runs with file reading only, it sees an empty environment for
 * the length of the (synchronous) parse instead of failing on the missing permission.
 */
function parse(text: string): unknown {
  const granted = LIBRARY_ENV_VARS.every((variable) =>
    Deno.permissions.querySync({ name: "env", variable }).state === "granted"
  );
  if (granted) return yamlParse(text);
  const descriptor = Object.getOwnPropertyDescriptor(process, "env");
  assert.ok(descriptor);
  Object.defineProperty(process, "env", { ...descriptor, value: {} });
  try {
    return yamlParse(text);
  } finally {
    Object.defineProperty(process, "env", descriptor);
  }
}

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];
const BINARY = "/usr/local/bin/xmpp-ap-bridge";
const DATA_DIR = "/var/lib/xmpp-ap-bridge";

// --- release workflow ---------------------------------------------------------------------------

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; name?: string };
type Job = { steps: Step[]; needs?: string | string[]; permissions?: Record<string, string> };
interface Workflow {
  on: { push: { tags: string[] } };
  env: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(): { text: string; wf: Workflow } {
  const text = read(".github/workflows/release.yml");
  return { text, wf: parse(text) as Workflow };
}

function allSteps(wf: Workflow): Step[] {
  return Object.values(wf.jobs).flatMap((j) => j.steps);
}

/** The Deno version the test runner installs, the one everything is tested with. */
function testedDenoVersion(): string {
  const m = read("tests/run.sh").match(/^DENO_VERSION=(\S+)$/m);
  assert.ok(m?.[1], "tests/run.sh sets DENO_VERSION");
  return m[1];
}

Deno.test("release: runs on a pushed v* tag and may write only the release", () => {
  const { wf } = workflow();
  assert.deepEqual(wf.on.push.tags, ["v*"]);
  assert.equal(wf.permissions?.contents, "read");
  const writers = Object.entries(wf.jobs).filter(([, j]) => j.permissions?.contents === "write");
  assert.deepEqual(writers.map(([name]) => name), ["release"]);
  assert.equal(wf.jobs.release?.needs, "test");
});

Deno.test("release: Deno comes from setup-deno, pinned to the tested version", () => {
  const { wf } = workflow();
  const setups = allSteps(wf).filter((s) => s.uses?.startsWith("denoland/setup-deno@"));
  assert.equal(setups.length, Object.keys(wf.jobs).length, "one setup-deno per job");
  for (const s of setups) {
    assert.match(s.uses ?? "", /@v\d+$/);
    assert.equal(s.with?.["deno-version"], testedDenoVersion());
  }
  for (const s of allSteps(wf)) if (s.uses) assert.match(s.uses, /@v\d+$/, s.uses);
});

Deno.test("release: the generic permissions grant the bridge's variables and never -A", () => {
  const { text, wf } = workflow();
  const flags = (wf.env.RELEASE_PERMISSIONS ?? "").split(/\s+/).filter((f) => f !== "");
  const env = flags.filter((f) => f.startsWith("--allow-env="));
  assert.equal(env.length, 1);
  const names = new Set(env[0]!.slice("--allow-env=".length).split(","));
  assert.deepEqual(
    names,
    new Set([
      ...Object.values(ENV_VARS),
      CREDENTIALS_ENV,
      ...LIBRARY_ENV_VARS,
      ...SERVICE_ENV_VARS,
    ]),
  );
  const rest = flags.filter((f) => !f.startsWith("--allow-env="));
  assert.deepEqual(rest.sort(), ["--allow-net", "--allow-read", "--allow-write", "--no-prompt"]);
  assert.doesNotMatch(text, /(^|\s)-A(\s|$)|--allow-all|--allow-run|--allow-ffi|--allow-sys/m);
});

Deno.test("release: compiles every target with the launcher's includes, checksums, publishes", () => {
  const { wf } = workflow();
  assert.deepEqual((wf.env.TARGETS ?? "").split(/\s+/).filter((t) => t !== ""), TARGETS);
  const runs = (wf.jobs.release?.steps ?? []).map((s) => s.run ?? "").join("\n");
  assert.match(runs, /for target in \$\{TARGETS\}/);
  assert.match(runs, /deno compile \$\{RELEASE_PERMISSIONS\} --frozen-lockfile/);
  assert.match(runs, /--target "\$\{target\}"/);
  assert.match(runs, / main\.ts$/m);
  // Whatever `deno task compile` embeds, the release embeds too.
  const args = compileArgs([], "out");
  const includes = args.flatMap((a, i) => (args[i - 1] === "--include" ? [a] : []));
  assert.ok(includes.length > 0);
  for (const inc of includes) {
    const rel = normalize(inc).slice(normalize(ROOT).length).replace(/\/$/, "");
    assert.ok(runs.includes(`--include ${rel}`), `--include ${rel}`);
  }
});

Deno.test("release: one bundle per target, checksums and provenance of the bundles, published", () => {
  const { wf } = workflow();
  const steps = wf.jobs.release?.steps ?? [];
  const runs = steps.map((s) => s.run ?? "").join("\n");
  // The same generic permissions as tools/bundle.ts compiles with.
  assert.deepEqual(
    (wf.env.RELEASE_PERMISSIONS ?? "").split(/\s+/).filter((f) => f !== ""),
    [...RELEASE_PERMISSIONS],
  );
  assert.match(runs, /tools\/build_info\.ts --commit "\$\{GITHUB_SHA\}"/);
  assert.ok(
    runs.indexOf("tools/build_info.ts") < runs.indexOf("deno compile"),
    "the commit is stamped before compiling",
  );
  assert.match(
    runs,
    /for target in \$\{TARGETS\}; do\n\s*deno task bundle --binary "out\/xmpp-ap-bridge-\$\{target\}" --target "\$\{target\}" --out bundles/,
  );
  // The smoke test unpacks the Linux bundle and runs what the operator's guide runs.
  assert.match(
    runs,
    /tar -C smoke -xzf "bundles\/xmpp-ap-bridge-\$\{version\}-x86_64-unknown-linux-gnu\.tar\.gz"/,
  );
  assert.match(runs, /\.\/xmpp-ap-bridge --check --config config\/xmpp-bridge-config\.yml/);
  assert.match(runs, /--print-config \| cmp - config\/xmpp-bridge-config\.yml/);
  assert.match(runs, /sha256sum xmpp-ap-bridge-\*\.tar\.gz > SHA256SUMS/);
  assert.match(runs, /sha256sum "\$\{f\}" > "\$\{f\}\.sha256"/);
  assert.match(runs, /sha256sum --check SHA256SUMS/);
  const attest = steps.findIndex((s) => s.uses?.startsWith("actions/attest-build-provenance@"));
  assert.ok(attest >= 0, "a provenance attestation");
  assert.equal(steps[attest]?.with?.["subject-path"], "bundles/xmpp-ap-bridge-*.tar.gz");
  assert.equal(wf.jobs.release?.permissions?.["id-token"], "write");
  assert.equal(wf.jobs.release?.permissions?.attestations, "write");
  const publish = steps.findIndex((s) => /gh release create/.test(s.run ?? ""));
  assert.ok(publish > attest, "published after the attestation");
  assert.match(
    steps[publish]?.run ?? "",
    /gh release create "\$\{GITHUB_REF_NAME\}"[^\n]*--notes-file notes\.md[^\n]*\\\n[^\n]*bundles\/\*\.tar\.gz bundles\/\*\.sha256 bundles\/SHA256SUMS/,
  );
});

// --- systemd units ------------------------------------------------------------------------------

type Unit = Map<string, string[]>;

/** `Section.Key` -> values in order; comments and blank lines skipped. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = line.match(/^\[(\w+)\]$/);
    if (head) {
      section = head[1]!;
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(eq > 0, `not a setting: ${line}`);
    const key = `${section}.${line.slice(0, eq)}`;
    unit.set(key, [...(unit.get(key) ?? []), line.slice(eq + 1)]);
  }
  return unit;
}

function one(unit: Unit, key: string): string | undefined {
  const values = unit.get(key);
  assert.ok(values === undefined || values.length === 1, `${key} set once`);
  return values?.[0];
}

const unitOf = (role: string): Unit => parseUnit(read(`dist/xmpp-ap-bridge-${role}.service`));

Deno.test("units: each runs the binary as one role, with a command line main.ts accepts", () => {
  for (const role of ROLES) {
    const exec = one(unitOf(role), "Service.ExecStart") ?? "";
    const [binary, ...args] = exec.split(/\s+/);
    assert.equal(binary, BINARY);
    const cli = parseCli(args);
    assert.deepEqual(cli.roles, [role]);
    assert.equal(cli.configFlag, DEFAULT_CONFIG_PATH);
  }
});

Deno.test("units: a shared system user, credentials, restarts and reload", () => {
  for (const role of ROLES) {
    const u = unitOf(role);
    assert.equal(one(u, "Service.User"), "xmpp-ap-bridge");
    assert.equal(one(u, "Service.Group"), "xmpp-ap-bridge");
    assert.equal(u.get("Service.DynamicUser"), undefined);
    assert.equal(one(u, "Service.Restart"), "on-failure");
    // 78 (configuration, credentials) and 77 (permission refused): restarting cannot help.
    assert.deepEqual(one(u, "Service.RestartPreventExitStatus")?.split(/\s+/).sort(), ["77", "78"]);
    assert.match(one(u, "Service.RestartSec") ?? "", /^[1-9]\d*s?$/);
    assert.equal(one(u, "Service.ExecReload"), "/bin/kill -HUP $MAINPID");
    assert.equal(one(u, "Unit.After"), "network-online.target");
    assert.equal(one(u, "Unit.Wants"), "network-online.target");
    assert.equal(one(u, "Install.WantedBy"), "multi-user.target");
  }
});

Deno.test("units: each bot gets its own secret only, as a systemd credential", () => {
  const secretOf = { fedi: ENV_VARS.fediToken, xmpp: ENV_VARS.xmppPassword } as const;
  const seen = new Set<string>();
  for (const role of ROLES) {
    const u = unitOf(role);
    // No environment file: one shared file would hand each bot the other's secret.
    assert.equal(u.get("Service.EnvironmentFile"), undefined);
    assert.equal(u.get("Service.Environment"), undefined);
    const creds = u.get("Service.LoadCredential") ?? [];
    assert.equal(creds.length, 1, `${role}: one credential`);
    const [name, source] = creds[0]!.split(":");
    assert.equal(CREDENTIAL_FILES[name!], secretOf[role], `${role} reads its own secret`);
    assert.ok(source?.startsWith("/etc/xmpp-ap-bridge/"), source);
    assert.ok(!seen.has(source!), "the units read different files");
    seen.add(source!);
    // The folder systemd hands the credential in is the one the permissions name.
    assert.equal(UNIT_CREDENTIAL_DIRS[role], `/run/credentials/xmpp-ap-bridge-${role}.service`);
  }
});

Deno.test("units: the state directory holds the example configuration's data", () => {
  const config = parse(read("config/xmpp-bridge-config.yml")) as Record<string, string>;
  for (const key of ["bridge-database-file", "bridge-files-dir"]) {
    assert.ok(config[key]?.startsWith(`${DATA_DIR}/`), `${key} under ${DATA_DIR}`);
  }
  for (const role of ROLES) {
    const u = unitOf(role);
    assert.equal(one(u, "Service.StateDirectory"), DATA_DIR.split("/").pop());
    assert.equal(one(u, "Service.ProtectSystem"), "strict");
    assert.deepEqual(u.get("Service.ReadWritePaths"), [`-${DATA_DIR}`]);
    assert.equal(one(u, "Service.UMask"), "0077");
  }
});

Deno.test("units: the sandbox settings", () => {
  const yes = [
    "NoNewPrivileges",
    "PrivateTmp",
    "PrivateDevices",
    "ProtectHome",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectKernelLogs",
    "ProtectControlGroups",
    "ProtectClock",
    "ProtectHostname",
    "RestrictNamespaces",
    "RestrictRealtime",
    "RestrictSUIDSGID",
    "LockPersonality",
  ];
  for (const role of ROLES) {
    const u = unitOf(role);
    for (const key of yes) assert.equal(one(u, `Service.${key}`), "yes", key);
    // V8's JIT needs memory that is writable and executable.
    assert.equal(u.get("Service.MemoryDenyWriteExecute"), undefined);
    assert.deepEqual(
      one(u, "Service.RestrictAddressFamilies")?.split(/\s+/).sort(),
      ["AF_INET", "AF_INET6", "AF_UNIX"],
    );
    const filter = u.get("Service.SystemCallFilter") ?? [];
    assert.equal(filter[0], "@system-service");
    assert.ok(filter.includes("@pkey"), "V8 may use memory protection keys");
    assert.equal(one(u, "Service.SystemCallArchitectures"), "native");
    assert.equal(one(u, "Service.CapabilityBoundingSet"), "");
    assert.equal(one(u, "Service.AmbientCapabilities"), "");
  }
});

Deno.test("units: the two differ only in their role and their credential", () => {
  const [fedi, xmpp] = ROLES.map(unitOf);
  const keys = new Set([...fedi!.keys(), ...xmpp!.keys()]);
  const own = ["Service.ExecStart", "Unit.Description", "Service.LoadCredential", "Install.Alias"];
  for (const key of keys) {
    if (own.includes(key)) continue;
    assert.deepEqual(fedi!.get(key), xmpp!.get(key), key);
  }
});

Deno.test("units: the old bridge's unit names still work (Alias=)", () => {
  // The old bridge's README enabled ap-bridge (the Fediverse side) and xmpp-bridge.
  assert.deepEqual(unitOf("fedi").get("Install.Alias"), ["ap-bridge.service"]);
  assert.deepEqual(unitOf("xmpp").get("Install.Alias"), ["xmpp-bridge.service"]);
});

// --- changelog ----------------------------------------------------------------------------------

Deno.test("changelog: Keep a Changelog, this version released, every schema step noted", () => {
  const text = read("CHANGELOG.md");
  const version = (JSON.parse(read("deno.json")) as { version: string }).version;
  const releases = [...text.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$/gm)];
  assert.equal(releases[0]?.[1], "Unreleased");
  assert.ok(
    releases.some((r) => r[1] === version && r[2] !== undefined),
    `a dated section for ${version}, the version in deno.json (the release workflow's notes)`,
  );
  const steps = new Set<number>();
  for (const [i, r] of releases.entries()) {
    const body = text.slice(r.index!, releases[i + 1]?.index ?? text.length);
    for (const heading of ["### Database", "### Configuration", "### Rolling back"]) {
      assert.ok(body.includes(`\n${heading}\n`), `${r[1]}: ${heading}`);
    }
    const database = body.slice(body.indexOf("### Database")).split(/\n### /)[0]!;
    for (const m of database.matchAll(/^- (\d+): /gm)) steps.add(Number(m[1]));
  }
  assert.deepEqual(
    [...steps].sort((a, b) => a - b),
    Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    "each schema step in the Database notes of the release that brings it",
  );
});

// --- images -------------------------------------------------------------------------------------

function pngSize(path: string): [number, number] {
  const bytes = Deno.readFileSync(join(ROOT, path));
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], signature, `${path} is a PNG`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(new TextDecoder().decode(bytes.subarray(12, 16)), "IHDR");
  return [view.getUint32(16), view.getUint32(20)];
}

Deno.test("assets: an avatar and a banner per bot, SVG source and PNG of the right size", () => {
  const sizes = { avatar: [400, 400], banner: [1500, 500] } as const;
  for (const bot of ["fedi", "xmpp"]) {
    for (const [kind, [w, h]] of Object.entries(sizes)) {
      const base = `assets/${bot}-bot-${kind}`;
      assert.deepEqual(pngSize(`${base}.png`), [w, h], base);
      const svg = read(`${base}.svg`);
      assert.match(svg, new RegExp(`<svg [^>]*width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"`));
      assert.match(svg, /<title>[^<]+<\/title>/);
    }
  }
});

// --- documentation ------------------------------------------------------------------------------

const shippedLanguages = (): string[] =>
  [...Deno.readDirSync(join(ROOT, "locales"))]
    .map((e) => e.name)
    .filter((n) => n.endsWith(".json"))
    .map((n) => n.slice(0, -".json".length))
    .sort();

Deno.test("user guides: one per shipped language, naming every user command and address form", () => {
  const languages = shippedLanguages();
  const guides = [...Deno.readDirSync(join(ROOT, "docs/user-guide"))].map((e) => e.name).sort();
  assert.deepEqual(guides, languages.map((l) => `${l}.md`));
  const userCommands = DEFAULT_COMMAND_WORDS.slice(0, 7);
  assert.deepEqual(
    [...userCommands].sort(),
    ["block", "help", "listblock", "register", "report", "unblock", "unregister"],
  );
  for (const lang of languages) {
    const text = read(`docs/user-guide/${lang}.md`);
    for (const word of userCommands) assert.ok(text.includes(`\`!${word}`), `${lang}: !${word}`);
    assert.ok(text.includes(`\`!lang=${lang}\``), `${lang}: !lang=${lang}`);
    assert.ok(text.includes(languages.slice(0, -1).join(", ")), `${lang}: the language list`);
    assert.match(text, /xmpp:[a-z]+@[a-z.]+/, `${lang}: an XMPP address`);
    assert.match(text, /@[a-z]+@[a-z.]+/, `${lang}: a Fediverse address`);
    assert.match(text, /OMEMO/, `${lang}: the encryption note`);
    // Issue 16: corrections, retractions, reactions (the star), receipts, encrypted messages.
    assert.match(text, /⭐[\s\S]*OpenPGP/, `${lang}: the native chat section`);
  }
});

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").trim().replace(/\s/g, "-");
}

Deno.test("docs: relative links and anchors lead somewhere", () => {
  const docs = [
    "docs/operators.md",
    "dist/README.md",
    "assets/README.md",
    ...shippedLanguages().map((l) => `docs/user-guide/${l}.md`),
  ];
  for (const doc of docs) {
    const text = read(doc);
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split("#");
      const file = path ? join(dirname(doc), path) : doc;
      const stat = Deno.statSync(join(ROOT, file));
      if (anchor !== undefined) {
        assert.ok(stat.isFile, `${doc}: ${target}`);
        const headings = [...read(file).matchAll(/^#+ (.+)$/gm)].map((h) => slug(h[1]!));
        assert.ok(headings.includes(anchor), `${doc}: no heading for #${anchor} in ${file}`);
      }
    }
  }
});

/** Whether a program can be started here. */
function available(program: string): boolean {
  try {
    new Deno.Command(program, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "units: systemd-analyze verify finds nothing to say (credentials, exit statuses included)",
  ignore: !available("systemd-analyze"),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "units-" });
    try {
      for (const role of ROLES) {
        const name = `xmpp-ap-bridge-${role}.service`;
        // The binary is not installed here: point ExecStart at one that exists, change nothing else.
        await Deno.writeTextFile(
          `${dir}/${name}`,
          read(`dist/${name}`).replace(BINARY, Deno.execPath()),
        );
        const out = await new Deno.Command("systemd-analyze", {
          args: ["verify", `${dir}/${name}`],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, text);
        assert.equal(text.trim(), "", `${name}: ${text}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
