/**
 * Configuration: one YAML file (the old bridge's keys, plus a few of ours), credentials from the
 * environment or a `.env` file, validated in one pass into a read-only {@link Config}.
 *
 * Every problem is collected and reported together, each naming the file, the key (and its line
 * when known), what was expected and what was found, so an operator fixes a file in one go.
 */
import { canonicalAddress } from "./core/address.ts";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { resolve } from "node:path";
import { Reader } from "./config_reader.ts";
import { parseEnv } from "node:util";
import { COMMANDS } from "./core/parse.ts";

export type Role = "fedi" | "xmpp";
export const ROLES: readonly Role[] = ["fedi", "xmpp"];

export type LogLevel = "debug" | "info" | "warning" | "error";

/** Where the configuration is looked for when neither the flag nor the variable names it. */
export const DEFAULT_CONFIG_PATH = "/usr/local/etc/xmpp-bridge-config.yml";

/** The environment variables the bridge reads; nothing else of the environment is touched. */
export const ENV_VARS = {
  configFile: "XMPP_BRIDGE_CONFIG_FILE",
  fediHandle: "XMPP_BRIDGE_NAME",
  fediToken: "XMPP_BRIDGE_TOKEN",
  xmppJid: "AP_BRIDGE_JID",
  xmppPassword: "AP_BRIDGE_PASS",
} as const;

/** The default command words, in the order that gives each its meaning (SPEC §5). */
export const DEFAULT_COMMAND_WORDS = COMMANDS;

export interface Prefixes {
  /** Fediverse account prefix, `@` by default. */
  readonly fedi: string;
  /** XMPP account prefix, `xmpp:` by default. */
  readonly xmpp: string;
  /** Command prefix, `!` by default. */
  readonly command: string;
  /** Language setting prefix, `!lang=` by default. */
  readonly lang: string;
}

export interface Config {
  /** Absolute path of the file this configuration was read from. */
  readonly file: string;
  readonly apInstance: string;
  readonly xmppInstance: string;
  /** Fediverse admins, lower-cased `name@host`. */
  readonly apAdmins: readonly string[];
  /** XMPP admins, lower-cased bare JIDs. */
  readonly xmppAdmins: readonly string[];
  /** The XMPP bot's bare JID (`ap_bridge_jid`). */
  readonly xmppJid: string;
  /** The XMPP bot's password; empty when this process does not run the XMPP role. */
  readonly xmppPassword: string;
  /** The Fediverse bot's handle, `name@host` (`xmpp_bridge_name`). */
  readonly fediHandle: string;
  /** The Fediverse bot's access token; empty when this process does not run the Fediverse role. */
  readonly fediToken: string;
  readonly logFile: string | null;
  readonly logLevel: LogLevel;
  readonly databaseFile: string;
  readonly filesDir: string;
  readonly translationDir: string | null;
  readonly greenlistMode: boolean;
  readonly maxRegUsers: number;
  readonly minApActivityPosts: number;
  readonly maxApRegistrations: number;
  readonly maxDestToSend: number;
  readonly maxUserRate: number;
  readonly silentBlock: boolean;
  readonly silentSend: boolean;
  readonly maxMinutesForReply: number;
  readonly maxRetentionDaysRevokedUser: number;
  readonly commMaxLimitDays: number;
  readonly defaultLanguage: string;
  readonly unknownLanguage: string;
  readonly prefixes: Prefixes;
  /** The 23 command words, position = meaning (see {@link DEFAULT_COMMAND_WORDS}). */
  readonly commandWords: readonly string[];
  readonly userAgent: string;
  readonly maxCharPerPost: number;
  /** Flood control (0: no limit): commands one account may send per hour. */
  readonly maxCommandsPerHour: number;
  /** Error answers one account gets per hour; beyond, one "slow down" and then silence. */
  readonly maxRefusalsPerHour: number;
  /** Attempts to join (follow, subscribe, command, message) per account and day. */
  readonly maxRegistrationAttemptsPerDay: number;
  /** Reports one account may send to the admins per day. */
  readonly maxReportsPerDay: number;
  /** Answers per hour to accounts that are not registered, blocked or of a red-listed domain. */
  readonly maxAnswersToOutsidersPerHour: number;
  /** Percent of the bot's Mastodon rate limits one account may use (0: no limit). */
  readonly maxShareOfServerBudget: number;
  /** How long a failed account lookup (unknown, bot, inactive...) is remembered (minutes). */
  readonly negativeLookupCacheMinutes: number;
  readonly helpUrl: Readonly<Record<string, string>>;
  readonly ahelpUrl: Readonly<Record<string, string>>;
  /** Base URL of the Mastodon client API (`ap-api-url`, default `https://<ap_instance>`). */
  readonly apApiUrl: string;
  /** Streaming API base URL override (`ap-streaming-url`); null = what the server advertises. */
  readonly apStreamingUrl: string | null;
  /** Host and port to connect to for XMPP (`xmpp-host`, `xmpp-port`). */
  readonly xmppHost: string;
  readonly xmppPort: number;
  /** PEM file of a private CA that signed the XMPP server's certificate (`xmpp-tls-ca-file`). */
  readonly xmppCaFile: string | null;
  /** Where to serve Prometheus metrics (`metrics-listen`, a loopback `host:port`); null = off. */
  readonly metricsListen: string | null;
  /** Things worth a warning that did not stop loading (values clamped, and so on). */
  readonly notes: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: readonly string[]) {
    super(
      `The configuration in ${file} has ${problems.length} problem(s):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The configured words that are also the contents of the state files (SPEC §6). */
export function stateWords(config: Config): {
  start: string;
  stop: string;
  open: string;
  close: string;
} {
  const word = (name: (typeof COMMANDS)[number]) => config.commandWords[COMMANDS.indexOf(name)]!;
  return { start: word("start"), stop: word("stop"), open: word("open"), close: word("close") };
}

/** Picks the configuration file: the flag, then `XMPP_BRIDGE_CONFIG_FILE`, then the default. */
export function resolveConfigPath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const chosen = flag || env[ENV_VARS.configFile] || DEFAULT_CONFIG_PATH;
  return resolve(chosen);
}

/**
 * Reads a `.env` file into a record. A missing file is fine unless `required` (it was named on
 * the command line); anything else unreadable is an error naming the file.
 */
export function readDotEnv(path: string, required: boolean): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    // The default `.env` is optional: absent, or outside what this process may read, is fine.
    const absent = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable;
    if (absent && !required) return {};
    throw new ConfigError(path, [`cannot read the environment file: ${errorText(e)}`]);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(text))) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The variables the bridge uses, from the real environment first, then the `.env` values.
 * Only the names in {@link ENV_VARS} are read, so `--allow-env` can name exactly those.
 */
export function bridgeEnv(
  dotEnv: Readonly<Record<string, string>>,
  getEnv: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.values(ENV_VARS)) {
    const value = getEnv(name) || dotEnv[name];
    if (value) out[name] = value;
  }
  return out;
}

export interface LoadOptions {
  /** Absolute path of the YAML file. */
  readonly path: string;
  /** Variables from {@link bridgeEnv}. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Roles this process will run: their credentials must be present. */
  readonly roles: readonly Role[];
  /** Log level from the command line, which wins over the file. */
  readonly logLevel?: LogLevel | undefined;
  /** For tests: read the file text. */
  readonly readFile?: (path: string) => string;
}

export function loadConfig(opts: LoadOptions): Config {
  const file = opts.path;
  let text: string;
  try {
    text = (opts.readFile ?? Deno.readTextFileSync)(file);
  } catch (e) {
    const hint = e instanceof Deno.errors.NotFound
      ? ` (give its path with --config or ${ENV_VARS.configFile})`
      : "";
    throw new ConfigError(file, [`cannot read the configuration file: ${errorText(e)}${hint}`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((err) => {
        const pos = lines.linePos(err.pos[0]);
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : "";
        return `${where}this is not valid YAML (${err.message.split("\n")[0]})`;
      }),
    );
  }
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    throw new ConfigError(file, ["the file must be a map of `key: value` lines at its top level"]);
  }
  const data: Record<string, unknown> = {};
  const lineOf = new Map<string, number>();
  for (const pair of root?.items ?? []) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    data[key] = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    const range = isScalar(pair.key) ? pair.key.range : undefined;
    if (range) lineOf.set(key, lines.linePos(range[0]).line);
  }
  return new Reader(file, data, lineOf, opts).build();
}

/** `@Name@Host` or `name` -> `name@host` (local accounts get the bot server's domain). */
export function fediAddress(s: string, apInstance: string): string {
  const a = s.trim().replace(/^@/, "").toLowerCase();
  if (a === "") return "";
  return canonicalAddress(a.includes("@") ? a : `${a}@${apInstance}`);
}

/** `xmpp:Name@Host/resource` -> `name@host`. */
export function bareJid(s: string): string {
  return canonicalAddress(s.trim().replace(/^xmpp:/i, "").replace(/\/.*$/, ""));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
