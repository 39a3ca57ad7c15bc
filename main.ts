/**
 * xmpp-ap-bridge: the process. Reads the command line, loads the configuration, sets up logging,
 * and runs the selected bot roles with src/app.ts until a signal stops them. The objects are
 * built in one place, src/compose.ts; every module is handed what it uses.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import {
  bridgeEnv,
  type Config,
  ConfigError,
  loadConfig,
  type LogLevel,
  readDotEnv,
  resolveConfigPath,
  type Role,
  ROLES,
} from "./src/config/mod.ts";
import {
  LOG_FORMATS,
  type LogFormat,
  logger,
  redactSecrets,
  reopenLogFile,
  setupLogging,
  stopLogging,
} from "./src/log.ts";
import { underJournald } from "./src/log_format.ts";
import { preflight, preflightExitCode, preflightText } from "./src/preflight.ts";
import { START_MESSAGE, startFacts } from "./src/cli/start_line.ts";
import { type Bridge, startBridge } from "./src/app.ts";
import type { I18n } from "./src/i18n/mod.ts";
import { loadTranslations } from "./src/i18n/mod.ts";
import { credentialsDirectory, readCredentials } from "./src/credentials.ts";
import { describeDiscovery, discover } from "./src/discovery.ts";
import { EXIT_CONFIG, EXIT_USAGE, exitCodeFor } from "./src/exit_codes.ts";
import {
  DEFAULT_BEAT_MS,
  DEFAULT_MISSED_BEATS,
  EXIT_ROLE_HELD,
  RoleHeldError,
} from "./src/lease.ts";
import { DEFAULT_MAX_OUTBOX_AGE_S, formatStatus, readStatus } from "./src/health/status.ts";
import {
  adoptOldBridgeDatabase,
  importOldDatabase,
  isOldBridgeDatabase,
  LegacyImportError,
  oldBridgePath,
  openStore,
  StoreSchemaError,
} from "./src/store/mod.ts";
import { errorText } from "./src/text/errors.ts";
import { SHIPPED_TEXTS } from "./src/cli/print.ts";
import { VERSION } from "./src/version.ts";
import { progressReporter } from "./src/cli/progress.ts";
import { versionText } from "./src/version.ts";

export { VERSION };

const USAGE =
  `xmpp-ap-bridge ${VERSION}: lets XMPP and Fediverse users chat through two bot accounts.

Usage: xmpp-ap-bridge [options]

Options:
  -c, --config PATH     configuration file (default: $XMPP_BRIDGE_CONFIG_FILE, then
                        /usr/local/etc/xmpp-bridge-config.yml)
      --env-file PATH   read credentials from this file (default: .env in the current folder,
                        when present)
      --fedi            run the Fediverse bot
      --xmpp            run the XMPP bot (with neither --fedi nor --xmpp, both run)
      --check           check the configuration, the translations and the files and folders a
                        start needs, look up the XMPP server's SRV records and the Fediverse
                        server's streaming address, print what would run, and exit; signs in
                        nowhere, sends nothing (0 when all is well; 78 for a configuration
                        problem, 77 for a path the permission set refuses)
      --online          with --check: also sign both bots in, read the Fediverse instance and
                        the XMPP server's services, print what was found; sends nothing
      --status          print how the running bridge is doing (each bot's process, session
                        and outbox, read from the database) and exit: 0 when healthy, 1 when a
                        bot is not running or not live or the outbox is behind
      --max-outbox-age SECONDS
                        with --status: the oldest pending outgoing message may be this old
                        (default ${DEFAULT_MAX_OUTBOX_AGE_S})
      --log-level LEVEL debug, info, warning or error (overrides log-level in the file)
      --log-format FORMAT
                        text (the default) or json (one JSON object per line)
      --import-old-db PATH
                        copy the users, blocks and conversation records of the old Python
                        bridge's database file into this bridge's database, then exit
      --time-zone ZONE  with --import-old-db: the time zone the old bridge ran in (such as
                        Europe/Paris; default: this machine's)
      --print-config    print the annotated example configuration and exit
      --print-unit ROLE print the systemd unit of a role (fedi or xmpp) and exit
      --print-env       print the example credentials file and exit
      --version         print the version, the commit, the Deno version and the
                        permission set, and exit
  -h, --help            print this help and exit

Exit codes: 0 stopped normally, 2 bad command line, 78 configuration or credential error,
77 a host or file the permission set refuses, 1 anything else.
`;

export interface CliOptions {
  readonly configFlag: string | undefined;
  readonly envFile: string | undefined;
  readonly roles: readonly Role[];
  readonly check: boolean;
  readonly status: boolean;
  readonly maxOutboxAgeS: number;
  /** `--check --online`: the servers too. */
  readonly online: boolean;
  readonly logLevel: LogLevel | undefined;
  readonly logFormat: LogFormat;
  readonly version: boolean;
  readonly help: boolean;
  readonly importOldDb: string | undefined;
  readonly timeZone: string | undefined;
  /** Which shipped text `--print-*` asked for (src/cli/print.ts), if any. */
  readonly print: keyof typeof SHIPPED_TEXTS | undefined;
}

/** Options that need no configuration: the launcher runs them without deriving permissions. */
export function needsNoConfig(cli: CliOptions): boolean {
  return cli.help || cli.version || cli.print !== undefined;
}

/** `--log-format`'s value; throws a `TypeError` for another. */
function logFormatOf(value: string | undefined): LogFormat {
  const format = value ?? "text";
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new TypeError(`--log-format takes text or json, not '${format}'`);
  }
  return format as LogFormat;
}

/** The command line's options, for `parseArgs`. */
const CLI_OPTIONS = {
  config: { type: "string", short: "c" },
  "env-file": { type: "string" },
  fedi: { type: "boolean" },
  xmpp: { type: "boolean" },
  check: { type: "boolean" },
  status: { type: "boolean" },
  "max-outbox-age": { type: "string" },
  online: { type: "boolean" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  "import-old-db": { type: "string" },
  "time-zone": { type: "string" },
  "print-config": { type: "boolean" },
  "print-unit": { type: "string" },
  "print-env": { type: "boolean" },
} as const;

/** Parses the command line; throws a `TypeError` naming the bad flag. */
export function parseCli(args: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: CLI_OPTIONS,
  });
  if (positionals.length > 0) throw new TypeError(`Unexpected argument '${positionals[0]}'`);
  const level = values["log-level"];
  if (level !== undefined && !["debug", "info", "warning", "error"].includes(level)) {
    throw new TypeError(`--log-level takes debug, info, warning or error, not '${level}'`);
  }
  if (values.online && !values.check) throw new TypeError("--online goes with --check");
  const format = logFormatOf(values["log-format"]);
  const unit = values["print-unit"];
  if (unit !== undefined && !(ROLES as readonly string[]).includes(unit)) {
    throw new TypeError(`--print-unit takes fedi or xmpp, not '${unit}'`);
  }
  const prints = [
    values["print-config"] ? "config" as const : undefined,
    values["print-env"] ? "env" as const : undefined,
    unit !== undefined ? `unit-${unit as Role}` as const : undefined,
  ].filter((p) => p !== undefined);
  if (prints.length > 1) {
    throw new TypeError("--print-config, --print-unit and --print-env go one at a time");
  }
  const roles = ROLES.filter((r) => values[r]);
  const maxAge = values["max-outbox-age"];
  if (maxAge !== undefined && !/^\d+$/.test(maxAge)) {
    throw new TypeError(`--max-outbox-age takes a number of seconds, not '${maxAge}'`);
  }
  if (maxAge !== undefined && !values.status) {
    throw new TypeError("--max-outbox-age goes with --status");
  }
  return {
    configFlag: values.config,
    envFile: values["env-file"],
    roles: roles.length > 0 ? roles : ROLES,
    check: values.check ?? false,
    status: values.status ?? false,
    maxOutboxAgeS: maxAge === undefined ? DEFAULT_MAX_OUTBOX_AGE_S : Number(maxAge),
    online: values.online ?? false,
    logLevel: level as LogLevel | undefined,
    logFormat: format,
    version: values.version ?? false,
    help: values.help ?? false,
    importOldDb: values["import-old-db"],
    timeZone: values["time-zone"],
    print: prints[0],
  };
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const stdio: Io = {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
};

/**
 * Loads `.env` and the configuration for the given command line. `credentials: false` (the
 * launcher deriving permissions) reads paths and hosts only, and requires no secret.
 */
export function configFromCli(
  cli: CliOptions,
  { credentials = true }: { credentials?: boolean } = {},
): { config: Config; envFile: string | null } {
  // An import or a status read connects nowhere, so it needs no credentials.
  const roles = cli.importOldDb !== undefined || cli.status || !credentials ? [] : cli.roles;
  const envPath = resolve(cli.envFile ?? ".env");
  const dotEnv = readDotEnv(envPath, cli.envFile !== undefined);
  // systemd's credentials (LoadCredential=) count before the .env file, after the environment.
  const env = bridgeEnv({ ...dotEnv, ...readCredentials(credentialsDirectory()) });
  const config = loadConfig({
    path: resolveConfigPath(cli.configFlag, env),
    env,
    roles,
    logLevel: cli.logLevel,
  });
  return { config, envFile: Object.keys(dotEnv).length > 0 ? envPath : null };
}

/** What `--check` prints: enough for an operator to see what would run, no secret in it. */
export function summary(config: Config, roles: readonly Role[], i18n: I18n): string {
  const lines = [
    `Configuration ${config.file} is valid.`,
    `Roles: ${roles.map((r) => r === "fedi" ? "Fediverse bot" : "XMPP bot").join(", ")}`,
    `Fediverse server: ${config.apInstance} (API ${config.apApiUrl}), bot ${config.fediHandle}`,
    `XMPP server: ${config.xmppInstance} (connecting to ` +
    `${config.xmppSrv ? "its SRV targets, else " : ""}${config.xmppHost}:${config.xmppPort}), ` +
    `bot ${config.xmppJid}`,
    `Database: ${config.databaseFile}`,
    `State and list files: ${config.filesDir}`,
    `Log file: ${config.logFile ?? "none (standard error only)"}`,
    `Translation folder: ${config.translationDir ?? "none (built-in texts only)"}`,
    `Languages: ${i18n.languages().join(", ")} (default ${i18n.defaultLanguage}, fallback ` +
    `${i18n.unknownLanguage})`,
  ];
  for (const note of config.notes) lines.push(`Note: ${note}`);
  for (const p of i18n.problems) {
    lines.push(`${p.level === "error" ? "Error" : "Warning"}: ${p.message}`);
  }
  return lines.join("\n");
}

/** `--status`: the health the running processes wrote into the database. */
export function statusCommand(config: Config, cli: CliOptions, io: Io): number {
  try {
    Deno.statSync(config.databaseFile);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    io.out(
      `No database at ${config.databaseFile}: the bridge has never run with this configuration.`,
    );
    return 1;
  }
  try {
    using store = openStore(config.databaseFile);
    const result = readStatus(store, {
      roles: cli.roles,
      now: Date.now(),
      staleMs: DEFAULT_BEAT_MS * DEFAULT_MISSED_BEATS,
      maxOutboxAgeS: cli.maxOutboxAgeS,
    });
    io.out(formatStatus(result));
    return result.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof StoreSchemaError) {
      io.err(`Cannot read the status: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const encoder = new TextEncoder();

/** Writes raw text (no line end added) to standard error. */
function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
}

/** `--import-old-db PATH`: the old bridge's data into this bridge's database, once. */
export function importCommand(
  config: Config,
  oldPath: string,
  timeZone: string | undefined,
  io: Io,
  progress = progressReporter(writeStderr, Deno.stderr.isTerminal()),
): number {
  const from = resolve(oldPath);
  if (from === resolve(config.databaseFile)) {
    io.err(
      `${from} is also the database this bridge uses (bridge-database-file).\n` +
        `Move the old file aside first, for example:\n  mv ${from} ${from}.old\n` +
        `then import it with --import-old-db ${from}.old\n` +
        `or simply start the bridge: a first start imports the old file in place and keeps it ` +
        `as ${oldBridgePath(from)}`,
    );
    return 1;
  }
  try {
    using store = openStore(config.databaseFile);
    let result;
    try {
      result = importOldDatabase(store, from, {
        ...(timeZone ? { timeZone } : {}),
        onProgress: progress.onProgress,
      });
    } catch (e) {
      progress.finish(false);
      throw e;
    }
    progress.finish(true);
    io.out(
      `Imported from ${from} into ${config.databaseFile}:\n` +
        `  users: ${result.users}\n  personal blocks: ${result.blocks}\n` +
        `  bridge-wide blocks: ${result.bridgeBlocks}\n` +
        `  conversation records: ${result.conversations}\n` +
        `  rows skipped: ${result.skipped.length}`,
    );
    for (const row of result.skipped) {
      io.out(`  skipped ${row.table} row ${row.rowid}: ${row.reason}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof LegacyImportError || e instanceof StoreSchemaError) {
      io.err(`Nothing was imported: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

export async function main(args: readonly string[], io: Io = stdio): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCli(args);
  } catch (e) {
    io.err(`${errorText(e)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (cli.help) {
    io.out(USAGE);
    return 0;
  }
  if (cli.version) {
    io.out(versionText());
    return 0;
  }
  if (cli.print !== undefined) {
    io.out(SHIPPED_TEXTS[cli.print].text.replace(/\n$/, ""));
    return 0;
  }
  let config: Config;
  try {
    ({ config } = configFromCli(cli));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return EXIT_CONFIG;
    }
    throw e;
  }
  redactSecrets(config.fediToken, config.xmppPassword);
  if (cli.importOldDb !== undefined) {
    return importCommand(config, cli.importOldDb, cli.timeZone, io);
  }
  if (cli.status) return statusCommand(config, cli, io);
  const i18n = loadTranslations(config);
  if (cli.check) return await checkCommand(config, cli, i18n, io);
  // What a start needs from the file system, before the log file is opened in its folder.
  const fileProblems = preflight(config, cli.roles);
  if (fileProblems.length > 0) {
    for (const p of fileProblems) io.err(`cannot start: ${preflightText(p)}`);
    return preflightExitCode(fileProblems);
  }
  await startLogging(config, cli);
  const log = logger("main");
  for (const note of config.notes) log.warn(note);
  for (const p of i18n.problems) {
    if (p.level === "error") log.error(p.message);
    else log.warn(p.message);
  }
  // Listening for SIGINT/SIGTERM from here on: a stop asked for during the drop-in import is
  // honoured once the import (one transaction) is through, never by dying in the middle.
  const stop = stopSignal();
  if (!adoptOldDatabase(config, cli.timeZone)) {
    stop.dispose();
    await stopLogging();
    return EXIT_CONFIG;
  }
  return await run(config, cli.roles, i18n, stop);
}

/**
 * A stop: resolves on SIGINT or SIGTERM (until disposed), or when `stop()` is called. SIGHUP is
 * listened to from the same moment (its default action would end the process) and calls what
 * `onReload` set.
 */
interface StopSignal {
  readonly stopped: Promise<void>;
  stop(): void;
  onReload(handler: () => void): void;
  dispose(): void;
}

function stopSignal(): StopSignal {
  let stopping: (() => void) | null = null;
  const stopped = new Promise<void>((resolve) => (stopping = resolve));
  const onStop = () => stopping?.();
  let reload: () => void = () => {};
  const onHup = () => reload();
  Deno.addSignalListener("SIGINT", onStop);
  Deno.addSignalListener("SIGTERM", onStop);
  Deno.addSignalListener("SIGHUP", onHup);
  return {
    stopped,
    stop: onStop,
    onReload: (handler) => {
      reload = handler;
    },
    dispose: () => {
      Deno.removeSignalListener("SIGINT", onStop);
      Deno.removeSignalListener("SIGTERM", onStop);
      Deno.removeSignalListener("SIGHUP", onHup);
    },
  };
}

/** `--check` (and `--check --online`): prints what would run and what is wrong; the exit code. */
async function checkCommand(config: Config, cli: CliOptions, i18n: I18n, io: Io): Promise<number> {
  const oldBridge = isOldBridgeDatabase(config.databaseFile)
    ? `\nNote: ${config.databaseFile} is the old bridge's database: the first start copies ` +
      "it beside itself (.old-bridge) and imports it in place."
    : "";
  io.out(summary(config, cli.roles, i18n) + oldBridge);
  const fileProblems = preflight(config, cli.roles);
  for (const p of fileProblems) io.err(`Error: ${preflightText(p)}`);
  if (fileProblems.length > 0) return preflightExitCode(fileProblems);
  // What the permission set was derived from: the same look-ups as `deno task flags`.
  const found = await discover(config, cli.roles);
  for (const line of describeDiscovery(config, cli.roles, found)) io.out(line);
  if (i18n.problems.some((p) => p.level === "error")) return EXIT_CONFIG;
  if (!cli.online) return 0;
  // Loaded only here: the network libraries stay out of every other command (compose.ts does the
  // same for the roles).
  const { onlineCheck } = await import("./src/cli/online.ts");
  return await onlineCheck(config, cli.roles, io.out);
}

/** Logging as the command line and the environment ask, then the start line. */
async function startLogging(config: Config, cli: CliOptions): Promise<void> {
  await setupLogging({
    level: config.logLevel,
    file: config.logFile,
    format: cli.logFormat,
    journal: underJournald(envReader),
  });
  logger("main").info(START_MESSAGE, startFacts(config, cli.roles, VERSION));
}

/**
 * Drop-in migration: when the configured database is the old bridge's, imports it in place
 * (src/store/dropin.ts) before anything opens it. False when that failed (logged).
 */
function adoptOldDatabase(config: Config, timeZone: string | undefined): boolean {
  const log = logger("main");
  try {
    const r = adoptOldBridgeDatabase(config.databaseFile, timeZone ? { timeZone } : {});
    if (r === null) return true;
    log.info(
      "imported the old bridge's database in place: {users} users, {blocks} personal blocks, " +
        "{bridgeBlocks} bridge-wide blocks, {conversations} conversation records, {skipped} " +
        "rows skipped; the old file is kept as {copy}",
      { ...r, skipped: r.skipped.length },
    );
    for (const row of r.skipped) {
      log.warn("skipped {table} row {rowid}: {reason}", { ...row });
    }
    return true;
  } catch (e) {
    if (e instanceof LegacyImportError || e instanceof StoreSchemaError) {
      log.fatal("the old bridge's database could not be imported, it is left as it was: {error}", {
        error: e.message,
      });
      return false;
    }
    throw e;
  }
}

/** Reads a variable the permission set may not grant (then it counts as unset). */
function envReader(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Runs the roles until SIGINT or SIGTERM; SIGHUP reopens the log file (logrotate) and re-reads
 * the lists and state files.
 */
async function run(
  config: Config,
  roles: readonly Role[],
  i18n: I18n,
  stop: StopSignal,
): Promise<number> {
  const log = logger("main");
  const { stopped } = stop;
  let exitCode = 0;
  let bridge: Bridge | null = null;
  stop.onReload(() => {
    reopenLogFile();
    bridge?.reload();
  });
  try {
    bridge = await Promise.race([
      startBridge({
        config,
        roles,
        i18n,
        version: VERSION,
        onLeaseLost: (holder) => {
          log.error("another process took this role over ({holder}); stopping", {
            holder: holder === undefined ? "none" : `pid ${holder.pid} on ${holder.host}`,
          });
          exitCode = EXIT_ROLE_HELD;
          stop.stop();
        },
      }),
      stopped.then(() => null),
    ]);
  } catch (e) {
    if (e instanceof RoleHeldError) {
      log.error("cannot start: {reason}", { reason: e.message });
      await stopLogging();
      return EXIT_ROLE_HELD;
    }
    log.fatal("cannot start: {error}", { error: e });
    await stopLogging();
    return exitCodeFor(e);
  }
  if (bridge === null) {
    stop.dispose();
    await stopLogging();
    return exitCode;
  }
  await stopped;
  log.info("stopping");
  await bridge[Symbol.asyncDispose]();
  stop.dispose();
  log.info("stopped");
  await stopLogging();
  return exitCode;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
