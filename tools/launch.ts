/**
 * Runs or compiles the bridge under the permission set derived from a configuration, so that
 * running from source (`deno task start`) and the compiled binary (`deno task compile`) get the
 * very same flags. The launcher itself only reads files and starts `deno`.
 *
 *   deno task start [bridge options]          run main.ts with the derived permissions
 *   deno task compile [bridge options] [--output PATH] [--target TRIPLE]
 *                                             bake the derived permissions into a binary
 *   deno task flags [bridge options]          print the derived flags
 *   (mode compile-flags)                      print the flags the compile task would bake
 *
 * Deriving the flags needs paths and hosts from the configuration, never the credentials.
 * `--help`, `--version` and `--print-*` need no configuration at all: they run without deriving.
 * `compile --fedi` (or `--xmpp`) builds a one-role binary: that role's permissions only, and the
 * role flag baked into its command line.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { ConfigError } from "../src/config/mod.ts";
import { bridgeFlags } from "../src/permissions.ts";
import { type CliOptions, configFromCli, needsNoConfig, parseCli } from "../main.ts";
import { offlineCompileMessage, runCompile } from "./compile.ts";
import { readGitCommit, stampBuildInfo } from "./build_info.ts";
import { EXIT_CONFIG } from "../src/exit_codes.ts";
import { credentialsDirectory } from "../src/credentials.ts";
import { describeDiscovery, discover } from "../src/discovery.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function compileArgs(
  flags: readonly string[],
  output: string,
  target?: string,
  bakedArgs: readonly string[] = [],
): string[] {
  return [
    "compile",
    ...flags,
    "--include",
    `${ROOT}assets`,
    "--output",
    output,
    ...(target ? ["--target", target] : []),
    `${ROOT}main.ts`,
    ...bakedArgs,
  ];
}

/** The launcher's own options, and everything else: the bridge's command line. */
function splitArgs(rest: string[]): {
  output: string | undefined;
  target: string | undefined;
  bridgeArgs: string[];
} {
  const { values, tokens } = parseArgs({
    args: rest,
    strict: false,
    tokens: true,
    options: { output: { type: "string" }, target: { type: "string" } },
  });
  // Everything but the launcher's own options goes to the bridge.
  const bridgeArgs: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === "option" && (t.name === "output" || t.name === "target")) continue;
    if (t.kind === "option") {
      bridgeArgs.push(t.rawName);
      if (t.value !== undefined) bridgeArgs.push(t.value);
    } else if (t.kind === "positional") bridgeArgs.push(t.value);
  }
  return {
    output: values.output as string | undefined,
    target: values.target as string | undefined,
    bridgeArgs,
  };
}

/** The derived permission flags, and the role flag a one-role binary carries. */
interface Derived {
  readonly flags: string[];
  readonly baked: string[];
}

/** Derives the permission flags from the configuration and what the bridge will connect to. */
async function deriveFlags(cli: CliOptions): Promise<Derived> {
  const { config, envFile } = configFromCli(cli, { credentials: false });
  // A binary built for both roles may be started as either; one built with --fedi or --xmpp
  // carries that role's network only, and the role flag on its command line.
  const roles = cli.roles;
  const baked = roles.length === 1 ? [`--${roles[0]}`] : [];
  const extraRead = cli.importOldDb !== undefined ? [resolve(cli.importOldDb)] : [];
  const netRoles = cli.importOldDb !== undefined ? [] : roles;
  // The SRV targets and the announced streaming host: what the bridge will connect to.
  const found = await discover(config, netRoles);
  for (const line of describeDiscovery(config, netRoles, found)) console.error(line);
  const flags = bridgeFlags({
    config,
    roles: netRoles,
    envFile,
    extraRead,
    xmppTargets: found.xmppTargets,
    nameServers: found.nameServers,
    streamingUrl: found.streamingUrl,
    credentialsDirectory: credentialsDirectory(),
  });
  return { flags, baked };
}

/** The exit code of a configuration or command-line error; anything else is thrown again. */
function exitCodeOf(e: unknown): number {
  if (e instanceof ConfigError) {
    console.error(e.message);
    return EXIT_CONFIG;
  }
  if (e instanceof TypeError) {
    console.error(`${e.message}\nSee --help for the options.`);
    return 2;
  }
  throw e;
}

/** Runs main.ts with no permissions to derive (`--help`, `--version`, `--print-*`). */
async function runUnderived(bridgeArgs: string[]): Promise<number> {
  // Nothing to derive: these read no file and connect nowhere.
  const child = new Deno.Command("deno", {
    args: ["run", "--quiet", "--no-prompt", `${ROOT}main.ts`, ...bridgeArgs],
  }).spawn();
  return (await child.status).code;
}

/** Type-checks main.ts, then compiles it with the derived flags baked in. */
async function compile(
  derived: Derived,
  output: string | undefined,
  target: string | undefined,
): Promise<number> {
  // The heap limits in `flags` are the bridge's, and deno compile would run its own type check
  // under them: the check runs first, on its own, and the compile skips it.
  const check = await new Deno.Command("deno", {
    args: ["check", "--quiet", `${ROOT}main.ts`],
  }).spawn().status;
  if (!check.success) return check.code;
  const args = compileArgs(
    ["--no-check", ...derived.flags],
    output ?? `${ROOT}dist/bin/xmpp-ap-bridge`,
    target,
    derived.baked,
  );
  // The binary names its commit in --version; the source file is put back afterwards.
  const restore = stampBuildInfo(readGitCommit());
  let result;
  try {
    result = await runCompile(args);
  } finally {
    restore();
  }
  if (result.offline) console.error(offlineCompileMessage(target));
  return result.code;
}

/** Runs main.ts under the derived flags, passing the stop signals on. */
async function run(flags: string[], bridgeArgs: string[]): Promise<number> {
  // --no-prompt: a host outside the set is refused (and reported), never offered at a prompt.
  const args = ["run", "--no-prompt", ...flags, `${ROOT}main.ts`, ...bridgeArgs];
  const child = new Deno.Command("deno", { args, stdin: "inherit" }).spawn();
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    Deno.addSignalListener(sig, () => child.kill(sig));
  }
  return (await child.status).code;
}

async function launch(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  const { output, target, bridgeArgs } = splitArgs(rest);
  let derived: Derived;
  try {
    const cli = parseCli(bridgeArgs);
    if (needsNoConfig(cli)) return await runUnderived(bridgeArgs);
    derived = await deriveFlags(cli);
  } catch (e) {
    return exitCodeOf(e);
  }
  if (mode === "flags" || mode === "compile-flags") {
    console.log(derived.flags.join("\n"));
    return 0;
  }
  if (mode === "compile") return await compile(derived, output, target);
  return await run(derived.flags, bridgeArgs);
}

if (import.meta.main) {
  Deno.exit(await launch(Deno.args));
}
