/**
 * Builds the release bundle of one target: a folder `xmpp-ap-bridge-<version>-<target>/` holding
 * the binary and everything the operator's guide uses beside it (the systemd units, the example
 * configuration and credentials file, the bots' images, the guides, README, CHANGELOG, LICENSE),
 * packed as `xmpp-ap-bridge-<version>-<target>.tar.gz`.
 *
 *   deno task bundle [--target TRIPLE] [--binary PATH] [--out DIR]
 *
 * With `--binary`, that file is the bundle's binary (the release workflow compiles first; the
 * tests pass a stand-in). Without it, the binary is compiled here with the generic release
 * permissions (RELEASE_PERMISSIONS), which needs Deno's runtime for the target (Internet, or
 * DENORT_BIN). `--target` defaults to this machine's, `--out` to dist/release/.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { basename, dirname, join, relative } from "node:path";
import meta from "../deno.json" with { type: "json" };
import { ENV_VARS } from "../src/config/mod.ts";
import { CREDENTIALS_ENV } from "../src/credentials.ts";
import { LIBRARY_ENV_VARS, SERVICE_ENV_VARS } from "../src/permissions.ts";
import { compileArgs } from "./launch.ts";
import { offlineCompileMessage, runCompile } from "./compile.ts";
import { readGitCommit, stampBuildInfo } from "./build_info.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The permissions of the downloadable binaries: reading, writing and the network in general (a
 * release cannot know an operator's paths and servers), only the bridge's own variables, nothing
 * else. The release workflow's RELEASE_PERMISSIONS must say the same (tests/dist_test.ts).
 */
export const RELEASE_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  `--allow-env=${
    [...Object.values(ENV_VARS), CREDENTIALS_ENV, ...LIBRARY_ENV_VARS, ...SERVICE_ENV_VARS].join(
      ",",
    )
  }`,
  "--no-prompt",
];

/** The name of the binary inside the bundle. */
export const BINARY_NAME = "xmpp-ap-bridge";

/** Files and folders of the repository copied into the bundle, at the same relative path. */
export const BUNDLED_PATHS: readonly string[] = [
  "README.md",
  "CHANGELOG.md",
  "LICENSE",
  "config/xmpp-bridge-config.yml",
  "config/env.example",
  "dist/README.md",
  "dist/xmpp-ap-bridge-fedi.service",
  "dist/xmpp-ap-bridge-xmpp.service",
  "dist/seccomp_check.py",
  "assets",
  "docs/operators.md",
  "docs/architecture.md",
  "docs/interop.md",
  "docs/user-guide",
];

/** `xmpp-ap-bridge-<version>-<target>`: the folder inside the archive and the archive's name. */
export function bundleName(target: string, version: string = meta.version): string {
  return `xmpp-ap-bridge-${version}-${target}`;
}

/** Every file under `path` (a file itself, or a folder walked in name order), relative to ROOT. */
function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!Deno.statSync(full).isDirectory) return [path];
  return [...Deno.readDirSync(full)]
    .sort((a, b) => a.name < b.name ? -1 : 1)
    .flatMap((e) => filesUnder(join(path, e.name)));
}

/** The repository files that go into the bundle, relative paths in order. */
export function bundledFiles(): string[] {
  return BUNDLED_PATHS.flatMap(filesUnder);
}

/**
 * Lays the bundle out in `outDir/<name>/` around `binary` and packs it next to it; returns the
 * archive's path. An earlier folder or archive of that name is replaced.
 */
export async function buildBundle(
  opts: { binary: string; target: string; outDir: string; version?: string },
): Promise<string> {
  const name = bundleName(opts.target, opts.version);
  const tree = join(opts.outDir, name);
  await Deno.remove(tree, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  for (const file of bundledFiles()) {
    const to = join(tree, file);
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(join(ROOT, file), to);
    await Deno.chmod(to, file.endsWith(".py") ? 0o755 : 0o644);
  }
  await Deno.copyFile(opts.binary, join(tree, BINARY_NAME));
  await Deno.chmod(join(tree, BINARY_NAME), 0o755);
  const archive = join(opts.outDir, `${name}.tar.gz`);
  // Owner and times fixed, names sorted: the same inputs give the same archive.
  const tar = await new Deno.Command("tar", {
    args: [
      "--sort=name",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--mtime=@0",
      "--use-compress-program=gzip -n",
      "-cf",
      archive,
      "-C",
      opts.outDir,
      name,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!tar.success) throw new Error(`tar failed packing ${tree}`);
  return archive;
}

/** The SHA-256 of a file, in hex, as sha256sum prints it. */
export async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      target: { type: "string" },
      binary: { type: "string" },
      out: { type: "string" },
    },
  });
  const target = values.target ?? Deno.build.target;
  const outDir = values.out ?? join(ROOT, "dist/release");
  await Deno.mkdir(outDir, { recursive: true });
  let binary = values.binary;
  if (binary === undefined) {
    binary = join(outDir, `${BINARY_NAME}-${target}`);
    const restore = stampBuildInfo(readGitCommit());
    let result;
    try {
      result = await runCompile([
        "compile",
        "--frozen-lockfile",
        ...compileArgs(RELEASE_PERMISSIONS, binary, target).slice(1),
      ]);
    } finally {
      restore();
    }
    if (result.offline) console.error(offlineCompileMessage(target));
    if (result.code !== 0) return result.code;
  }
  const archive = await buildBundle({ binary, target, outDir });
  console.log(`${await sha256(archive)}  ${basename(archive)}`);
  console.log(`(tree in ${relative(Deno.cwd(), archive.slice(0, -".tar.gz".length)) || "."})`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
