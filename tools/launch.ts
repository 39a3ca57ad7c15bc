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
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { ConfigError } from "../src/config.ts";
import { EXIT_CONFIG } from "../src/exit_codes.ts";
import { derivePermissions } from "../src/permissions.ts";
import { credentialsDirectory } from "../src/credentials.ts";
import { describeDiscovery, discover } from "../src/discovery.ts";
import { configFromCli, parseCli } from "../main.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function compileArgs(flags: readonly string[], output: string, target?: string): string[] {
  return [
    "compile",
    ...flags,
    "--include",
    `${ROOT}assets`,
    "--output",
    output,
    ...(target ? ["--target", target] : []),
    `${ROOT}main.ts`,
  ];
}

async function launch(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
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
  let flags: string[];
  try {
    const cli = parseCli(bridgeArgs);
    const { config, envFile } = configFromCli(cli);
    // A compiled binary may be started as either role, so it carries both roles' network.
    const compiling = mode === "compile" || mode === "compile-flags";
    const roles = compiling ? (["fedi", "xmpp"] as const) : cli.roles;
    const extraRead = cli.importOldDb !== undefined ? [resolve(cli.importOldDb)] : [];
    const netRoles = cli.importOldDb !== undefined ? [] : roles;
    // The SRV targets and the announced streaming host: what the bridge will connect to.
    const found = await discover(config, netRoles);
    for (const line of describeDiscovery(config, netRoles, found)) console.error(line);
    flags = derivePermissions({
      config,
      roles: netRoles,
      envFile,
      extraRead,
      xmppTargets: found.xmppTargets,
      nameServers: found.nameServers,
      streamingUrl: found.streamingUrl,
      credentialsDirectory: credentialsDirectory(),
    });
  } catch (e) {
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
  if (mode === "flags" || mode === "compile-flags") {
    console.log(flags.join("\n"));
    return 0;
  }
  const args = mode === "compile"
    ? compileArgs(
      flags,
      values.output as string | undefined ?? `${ROOT}dist/bin/xmpp-ap-bridge`,
      values.target as string | undefined,
    )
    // --no-prompt: a host outside the set is refused (and reported), never offered at a prompt.
    : ["run", "--no-prompt", ...flags, `${ROOT}main.ts`, ...bridgeArgs];
  const child = new Deno.Command("deno", { args, stdin: "inherit" }).spawn();
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    Deno.addSignalListener(sig, () => child.kill(sig));
  }
  return (await child.status).code;
}

if (import.meta.main) {
  Deno.exit(await launch(Deno.args));
}
