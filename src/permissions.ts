/**
 * Derives the Deno permission flags a deployment needs from its configuration: network only to
 * the two bot servers, files only where the configuration points, and only the bridge's own
 * environment variables. The start task, the compile task and the end-to-end tests all use this
 * one function, so the set that ships is the set that is tested.
 */
import { dirname } from "node:path";
import { type Config, ENV_VARS, type Role } from "./config/mod.ts";
import { backupFiles } from "./store/mod.ts";
import { targetNet, type XmppTarget } from "./xmpp/srv.ts";
import { credentialDirs, CREDENTIALS_ENV } from "./credentials.ts";

/**
 * Variables that libraries in the binary read on their own: the yaml parser checks two debug
 * switches while parsing. Granting these names is harmless; refusing them makes Deno throw.
 */
export const LIBRARY_ENV_VARS: readonly string[] = ["LOG_TOKENS", "LOG_STREAM"];

/** Variables of the service manager the bridge reads: journald's marker on standard error. */
export const SERVICE_ENV_VARS: readonly string[] = ["JOURNAL_STREAM"];

export interface PermissionInput {
  readonly config: Config;
  readonly roles: readonly Role[];
  /** The `.env` file this deployment reads, if any. */
  readonly envFile: string | null;
  /** Further files to read (the old database of `--import-old-db`). */
  readonly extraRead?: readonly string[];
  /** The XMPP SRV targets found for this deployment (discovery.ts), when `xmpp-host` is unset. */
  readonly xmppTargets?: readonly XmppTarget[] | null;
  /** The name servers `Deno.resolveDns` asks (`ip:53`), when `xmpp-host` is unset. */
  readonly nameServers?: readonly string[];
  /** The streaming base URL the server announces, when `ap-streaming-url` is unset. */
  readonly streamingUrl?: string | null;
  /** The `$CREDENTIALS_DIRECTORY` of this run, if known (systemd's `LoadCredential=`). */
  readonly credentialsDirectory?: string | null;
}

/** `host:port` of a URL, with the scheme's default port made explicit. */
export function hostPort(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" || u.protocol === "wss:" ? "443" : "80");
  return `${u.hostname}:${port}`;
}

/** The database file and the files SQLite keeps beside it. */
export function databaseFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`, ...backupFiles(path)];
}

/**
 * V8's heap limits for the bridge (MiB), in the start and compile tasks alike. The young
 * generation is V8's largest fixed cost in a small process: by default each of its semi-spaces
 * may grow to 16 MiB, though the bridge's short-lived objects (one event, one row) need far less.
 * Measured on the 2-core test machine under load (bench `--only=rss`, both roles, 10,000 users,
 * bursts of 100 both ways): peak RSS 131 MB with V8's defaults, 106-114 MB with 1 MiB semi-spaces
 * and 102-105 MB with 2 MiB; the bridge's heap in use once all its code is loaded is 11 MiB. The
 * old generation's limit is a guard well above that, not a squeeze: near it V8 collects harder,
 * past it the process stops with an out-of-memory error (and the service manager restarts it)
 * instead of taking the machine's memory.
 */
export const V8_HEAP = { semiSpaceMb: 2, oldSpaceMb: 96 } as const;

/** The `--v8-flags` option that sets {@link V8_HEAP}. */
export function v8Flags(): string {
  return `--v8-flags=--max-semi-space-size=${V8_HEAP.semiSpaceMb},` +
    `--max-old-space-size=${V8_HEAP.oldSpaceMb}`;
}

/**
 * Everything the start and compile tasks run the bridge with: the permissions of
 * {@link derivePermissions}, then the heap limits ({@link v8Flags}).
 */
export function bridgeFlags(input: PermissionInput): string[] {
  return [...derivePermissions(input), v8Flags()];
}

export function derivePermissions(input: PermissionInput): string[] {
  const { config, roles } = input;
  const net = new Set<string>();
  if (roles.includes("fedi")) {
    net.add(hostPort(config.apApiUrl));
    const streaming = config.apStreamingUrl ?? input.streamingUrl ?? null;
    if (streaming) net.add(hostPort(streaming));
    // The Fediverse role downloads the files it attaches (`media-hosts`: a name alone is any port).
    for (const host of config.mediaHosts) net.add(host);
  }
  if (roles.includes("xmpp")) {
    // Without SRV records (or xmpp-host set), the domain itself on xmpp-port.
    net.add(`${config.xmppHost}:${config.xmppPort}`);
    if (config.xmppSrv) {
      for (const ns of input.nameServers ?? []) net.add(ns);
      for (const t of input.xmppTargets ?? []) net.add(targetNet(t));
    }
  }
  // The optional metrics endpoint listens there (a loopback address, checked by the reader).
  if (config.metricsListen && roles.length > 0) net.add(config.metricsListen);

  const dbDir = dirname(config.databaseFile);
  const read = new Set<string>([config.file, config.filesDir, dbDir]);
  if (input.envFile) read.add(input.envFile);
  for (const path of input.extraRead ?? []) read.add(path);
  if (config.translationDir) read.add(config.translationDir);
  if (config.xmppCaFile) read.add(config.xmppCaFile);
  for (const dir of credentialDirs(roles, input.credentialsDirectory ?? null)) read.add(dir);
  // Writes: the state and list files (saved through a temporary file in their folder, so the
  // folder), the database and the files SQLite keeps beside it, the log. Not the database's
  // folder: Deno checks the path the database is opened with, and SQLite's own -wal, -shm and
  // -journal files are named here all the same, so a later Deno checking them finds them.
  const write = new Set<string>([config.filesDir, ...databaseFiles(config.databaseFile)]);
  // The lock file of each role run (src/lease.ts: one process per role).
  for (const role of roles) write.add(`${config.databaseFile}-${role}.lock`);
  if (config.logFile) {
    read.add(config.logFile);
    write.add(config.logFile);
  }
  const flags = [
    `--allow-read=${[...read].join(",")}`,
    `--allow-write=${[...write].join(",")}`,
    `--allow-env=${
      [...Object.values(ENV_VARS), CREDENTIALS_ENV, ...LIBRARY_ENV_VARS, ...SERVICE_ENV_VARS].join(
        ",",
      )
    }`,
  ];
  if (net.size > 0) flags.push(`--allow-net=${[...net].join(",")}`);
  return flags;
}
