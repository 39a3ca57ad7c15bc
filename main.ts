/**
 * xmpp-ap-bridge: the composition root. Reads the command line, loads the configuration, and
 * starts the selected bot roles. Only this file builds objects; every module is handed what it uses.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import meta from "./deno.json" with { type: "json" };
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
} from "./src/config.ts";
import { logger, redactSecrets, setupLogging, stopLogging } from "./src/log.ts";
import { type Bridge, startBridge } from "./src/app.ts";
import type { I18n } from "./src/i18n.ts";
import { loadTranslations } from "./src/locales.ts";
import {
  DEFAULT_BEAT_MS,
  DEFAULT_MISSED_BEATS,
  EXIT_ROLE_HELD,
  RoleHeldError,
} from "./src/lease.ts";
import { DEFAULT_MAX_OUTBOX_AGE_S, formatStatus, readStatus } from "./src/health/status.ts";
import {
  importOldDatabase,
  LegacyImportError,
  openStore,
  StoreSchemaError,
} from "./src/store/mod.ts";

export const VERSION: string = meta.version;

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
      --check           check the configuration and the translations, print what would run,
                        and exit (0 when all is well, 1 otherwise) without connecting anywhere
      --status          print how the running bridge is doing (each bot's process, session
                        and outbox, read from the database) and exit: 0 when healthy, 1 when a
                        bot is not running or not live or the outbox is behind
      --max-outbox-age SECONDS
                        with --status: the oldest pending outgoing message may be this old
                        (default ${DEFAULT_MAX_OUTBOX_AGE_S})
      --log-level LEVEL debug, info, warning or error (overrides log-level in the file)
      --import-old-db PATH
                        copy the users, blocks and conversation records of the old Python
                        bridge's database file into this bridge's database, then exit
      --time-zone ZONE  with --import-old-db: the time zone the old bridge ran in (such as
                        Europe/Paris; default: this machine's)
      --version         print the version and exit
  -h, --help            print this help and exit
`;

export interface CliOptions {
  readonly configFlag: string | undefined;
  readonly envFile: string | undefined;
  readonly roles: readonly Role[];
  readonly check: boolean;
  readonly status: boolean;
  readonly maxOutboxAgeS: number;
  readonly logLevel: LogLevel | undefined;
  readonly version: boolean;
  readonly help: boolean;
  readonly importOldDb: string | undefined;
  readonly timeZone: string | undefined;
}

/** Parses the command line; throws a `TypeError` naming the bad flag. */
export function parseCli(args: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      "env-file": { type: "string" },
      fedi: { type: "boolean" },
      xmpp: { type: "boolean" },
      check: { type: "boolean" },
      status: { type: "boolean" },
      "max-outbox-age": { type: "string" },
      "log-level": { type: "string" },
      version: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      "import-old-db": { type: "string" },
      "time-zone": { type: "string" },
    },
  });
  if (positionals.length > 0) throw new TypeError(`Unexpected argument '${positionals[0]}'`);
  const level = values["log-level"];
  if (level !== undefined && !["debug", "info", "warning", "error"].includes(level)) {
    throw new TypeError(`--log-level takes debug, info, warning or error, not '${level}'`);
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
    logLevel: level as LogLevel | undefined,
    version: values.version ?? false,
    help: values.help ?? false,
    importOldDb: values["import-old-db"],
    timeZone: values["time-zone"],
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

/** Loads `.env` and the configuration for the given command line. */
export function configFromCli(cli: CliOptions): { config: Config; envFile: string | null } {
  // An import or a status read connects nowhere, so it needs no credentials.
  const roles = cli.importOldDb !== undefined || cli.status ? [] : cli.roles;
  const envPath = resolve(cli.envFile ?? ".env");
  const dotEnv = readDotEnv(envPath, cli.envFile !== undefined);
  const env = bridgeEnv(dotEnv);
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
    `XMPP server: ${config.xmppInstance} (connecting to ${config.xmppHost}:${config.xmppPort}), ` +
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

/** `--import-old-db PATH`: the old bridge's data into this bridge's database, once. */
export function importCommand(
  config: Config,
  oldPath: string,
  timeZone: string | undefined,
  io: Io,
): number {
  const from = resolve(oldPath);
  if (from === resolve(config.databaseFile)) {
    io.err(
      `${from} is also the database this bridge uses (bridge-database-file).\n` +
        `Move the old file aside first, for example:\n  mv ${from} ${from}.old\n` +
        `then import it with --import-old-db ${from}.old`,
    );
    return 1;
  }
  try {
    using store = openStore(config.databaseFile);
    const result = importOldDatabase(store, from, timeZone ? { timeZone } : {});
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
    io.err(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    io.out(USAGE);
    return 0;
  }
  if (cli.version) {
    io.out(`xmpp-ap-bridge ${VERSION}`);
    return 0;
  }
  let config: Config;
  try {
    ({ config } = configFromCli(cli));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
  redactSecrets(config.fediToken, config.xmppPassword);
  if (cli.importOldDb !== undefined) {
    return importCommand(config, cli.importOldDb, cli.timeZone, io);
  }
  if (cli.status) return statusCommand(config, cli, io);
  const i18n = loadTranslations(config);
  if (cli.check) {
    io.out(summary(config, cli.roles, i18n));
    return i18n.problems.some((p) => p.level === "error") ? 1 : 0;
  }
  await setupLogging({ level: config.logLevel, file: config.logFile });
  const log = logger("main");
  for (const note of config.notes) log.warn(note);
  for (const p of i18n.problems) {
    if (p.level === "error") log.error(p.message);
    else log.warn(p.message);
  }
  return await run(config, cli.roles, i18n);
}

/** Runs the roles until SIGINT or SIGTERM; SIGHUP re-reads the lists and state files. */
async function run(config: Config, roles: readonly Role[], i18n: I18n): Promise<number> {
  const log = logger("main");
  let stopping: (() => void) | null = null;
  const stopped = new Promise<void>((resolve) => (stopping = resolve));
  const onStop = () => stopping?.();
  let exitCode = 0;
  Deno.addSignalListener("SIGINT", onStop);
  Deno.addSignalListener("SIGTERM", onStop);
  let bridge: Bridge;
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
          onStop();
        },
      }),
      stopped.then(() => null),
    ]) as Bridge;
  } catch (e) {
    if (e instanceof RoleHeldError) {
      log.error("cannot start: {reason}", { reason: e.message });
      await stopLogging();
      return EXIT_ROLE_HELD;
    }
    log.fatal("cannot start: {error}", { error: e });
    await stopLogging();
    return 1;
  }
  if (bridge === null) return exitCode;
  const onReload = () => bridge.reload();
  Deno.addSignalListener("SIGHUP", onReload);
  await stopped;
  log.info("stopping");
  Deno.removeSignalListener("SIGHUP", onReload);
  await bridge[Symbol.asyncDispose]();
  log.info("stopped");
  await stopLogging();
  return exitCode;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
