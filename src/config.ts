/**
 * Configuration: one YAML file (the old bridge's keys, plus a few of ours), credentials from the
 * environment or a `.env` file, validated in one pass into a read-only {@link Config}.
 *
 * Every problem is collected and reported together, each naming the file, the key (and its line
 * when known), what was expected and what was found, so an operator fixes a file in one go.
 */
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseEnv } from "node:util";
import { COMMANDS } from "./core/parse.ts";

export type Role = "fedi" | "xmpp";
export const ROLES: readonly Role[] = ["fedi", "xmpp"];

export type LogLevel = "debug" | "info" | "warning" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

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

type Raw = Record<string, unknown>;

/** Collects values and problems key by key. */
class Reader {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  readonly baseDir: string;

  constructor(
    readonly file: string,
    readonly data: Raw,
    readonly lineOf: Map<string, number>,
    readonly opts: LoadOptions,
  ) {
    this.baseDir = dirname(file);
  }

  where(key: string): string {
    const line = this.lineOf.get(key);
    return line ? `key "${key}" (line ${line})` : `key "${key}"`;
  }

  bad(key: string, expected: string, found: unknown): void {
    this.problems.push(`${this.where(key)}: expected ${expected}, found ${describe(found)}`);
  }

  missing(key: string, what: string, envName?: string): void {
    const alt = envName ? ` or in the environment variable ${envName}` : "";
    this.problems.push(`key "${key}" is missing: set ${what} in the file${alt}`);
  }

  present(key: string): boolean {
    const v = this.data[key];
    return v !== undefined && v !== null && v !== "";
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback: string | null): string | null;
  string(key: string, fallback: string | null): string | null {
    const v = this.data[key];
    if (v === undefined || v === null || v === "") return fallback;
    if (typeof v === "string") return v.trim();
    if (typeof v === "number") return String(v);
    this.bad(key, "a text value", v);
    return fallback;
  }

  required(key: string, what: string, envName?: string): string {
    const fromEnv = envName ? this.opts.env[envName] : undefined;
    if (fromEnv) return fromEnv.trim();
    const v = this.string(key, null);
    if (v === null) {
      this.missing(key, what, envName);
      return "";
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.data[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === "boolean") return v;
    this.bad(key, "true or false", v);
    return fallback;
  }

  int(key: string, fallback: number, min = 0): number {
    const v = this.data[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number" && Number.isInteger(v) && v >= min) return v;
    this.bad(key, `a whole number of at least ${min}`, v);
    return fallback;
  }

  path(key: string, fallback: string | null): string | null {
    const v = this.string(key, fallback);
    if (v === null) return null;
    return isAbsolute(v) ? v : resolve(this.baseDir, v);
  }

  requiredPath(key: string, what: string): string {
    const v = this.path(key, null);
    if (v === null) this.missing(key, what);
    return v ?? "";
  }

  domain(key: string): string {
    const v = this.required(key, "the domain name of the server, such as example.org");
    if (v && !isDomain(v)) this.bad(key, "a domain name such as example.org", v);
    return v.toLowerCase();
  }

  stringList(key: string): string[] {
    const v = this.data[key];
    if (v === undefined || v === null || v === "") return [];
    if (typeof v === "string") return [v.trim()];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
      return v.map((x: string) => x.trim()).filter((x) => x !== "");
    }
    this.bad(key, "a list of text values", v);
    return [];
  }

  urlMap(key: string): Record<string, string> {
    const v = this.data[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      this.bad(key, "a map of language code to web address", v);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [lang, url] of Object.entries(v as Raw)) {
      if (!LANG_RE.test(lang)) {
        this.bad(key, `language codes such as "en" as map keys`, lang);
      } else if (typeof url !== "string" || !isHttpUrl(url)) {
        this.bad(`${key}.${lang}`, "an http(s) web address", url);
      } else {
        out[lang.toLowerCase()] = url;
      }
    }
    return out;
  }

  language(key: string, fallback: string): string {
    const v = this.string(key, fallback);
    if (!LANG_RE.test(v)) {
      this.bad(key, `a language code such as "en"`, v);
      return fallback;
    }
    return v.toLowerCase();
  }

  build(): Config {
    const known = new Set(KNOWN_KEYS);
    for (const key of Object.keys(this.data)) {
      if (known.has(key)) continue;
      const near = closest(key, KNOWN_KEYS);
      this.problems.push(
        `${this.where(key)} is not a setting of this bridge` +
          (near ? ` (did you mean "${near}"?)` : " (remove it)"),
      );
    }
    const roles = this.opts.roles;
    const apInstance = this.domain("ap_instance");
    const xmppInstance = this.domain("xmpp_instance");

    const fediHandle = fediAddress(
      this.required("xmpp_bridge_name", "the Fediverse bot's account name", ENV_VARS.fediHandle),
      apInstance,
    );
    const fediToken = roles.includes("fedi")
      ? this.required(
        "xmpp_bridge_token",
        "the Fediverse bot's access token",
        ENV_VARS.fediToken,
      )
      : "";
    const xmppJid = bareJid(
      this.required("ap_bridge_jid", "the XMPP bot's address (JID)", ENV_VARS.xmppJid),
    );
    if (xmppJid && !isAddress(xmppJid)) {
      this.bad("ap_bridge_jid", "a JID such as bridge@example.org", xmppJid);
    }
    const xmppPassword = roles.includes("xmpp")
      ? this.required("ap_bridge_pass", "the XMPP bot's password", ENV_VARS.xmppPassword)
      : "";

    const apAdmins = this.stringList("ap_admin").map((a) => fediAddress(a, apInstance));
    const xmppAdmins = this.stringList("xmpp_admin").map(bareJid);
    for (const [key, list] of [["ap_admin", apAdmins], ["xmpp_admin", xmppAdmins]] as const) {
      for (const a of list) if (!isAddress(a)) this.bad(key, "accounts like name@example.org", a);
    }
    if (xmppAdmins.length === 0) {
      this.missing("xmpp_admin", "at least one XMPP admin account (user reports go to the first)");
    }

    const prefixes = this.prefixes();
    const commandWords = this.commandWords();
    const maxUserRate = this.int("max-user-rate", 30);
    let maxDestToSend = this.int("max-dest-to-send", 4);
    if (maxDestToSend < 1) {
      this.notes.push(`"max-dest-to-send" cannot be 0: using 1`);
      maxDestToSend = 1;
    }
    if (maxUserRate > 0 && maxDestToSend > maxUserRate) {
      this.notes.push(
        `"max-dest-to-send" (${maxDestToSend}) is above "max-user-rate": using ${maxUserRate}`,
      );
      maxDestToSend = maxUserRate;
    }
    let minApActivityPosts = this.int("min-ap-activity-posts", 5);
    if (minApActivityPosts > 40) {
      this.notes.push(`"min-ap-activity-posts" is at most 40 (only 40 posts are looked at)`);
      minApActivityPosts = 40;
    }
    const logLevelText = this.string("log-level", "info").toLowerCase();
    let logLevel: LogLevel = "info";
    if ((LOG_LEVELS as readonly string[]).includes(logLevelText)) {
      logLevel = logLevelText as LogLevel;
    } else this.bad("log-level", `one of ${LOG_LEVELS.join(", ")}`, logLevelText);

    const apApiUrl = this.string("ap-api-url", `https://${apInstance}`).replace(/\/+$/, "");
    if (apInstance && !isHttpUrl(apApiUrl)) this.bad("ap-api-url", "an http(s) address", apApiUrl);
    const apStreamingUrl = this.string("ap-streaming-url", null);
    if (apStreamingUrl !== null && !/^(wss?|https?):\/\/[^/]/.test(apStreamingUrl)) {
      this.bad("ap-streaming-url", "a ws(s):// or http(s):// address", apStreamingUrl);
    }
    const xmppHost = this.string("xmpp-host", xmppInstance);
    const xmppPort = this.int("xmpp-port", 5222, 1);
    if (xmppPort > 65535) this.bad("xmpp-port", "a port number up to 65535", xmppPort);

    const config: Config = {
      file: this.file,
      apInstance,
      xmppInstance,
      apAdmins,
      xmppAdmins,
      xmppJid,
      xmppPassword,
      fediHandle,
      fediToken,
      logFile: this.path("bridge-log-file", null),
      logLevel: this.opts.logLevel ?? logLevel,
      databaseFile: this.requiredPath("bridge-database-file", "the path of the database file"),
      filesDir: this.requiredPath("bridge-files-dir", "the folder for the state and list files"),
      translationDir: this.path("translation-dir", null),
      greenlistMode: this.bool("greenlist-mode", false),
      maxRegUsers: this.int("max-reg-users", 100),
      minApActivityPosts,
      maxApRegistrations: this.int("max-ap-registrations", 8),
      maxDestToSend,
      maxUserRate,
      silentBlock: this.bool("silent-block", true),
      silentSend: this.bool("silent-send", true),
      maxMinutesForReply: this.int("max-minutes-for-reply", 90),
      maxRetentionDaysRevokedUser: this.int("max-retention-days-revoked-user", 30),
      commMaxLimitDays: this.int("comm-max-limit-days", 30),
      defaultLanguage: this.language("bridge-default-language", "en"),
      unknownLanguage: this.language("bridge-unknown-language", "en"),
      prefixes,
      commandWords,
      userAgent: this.string("user-agent", "xmpp-ap-bridge"),
      maxCharPerPost: this.int("max-char-per-post", 500, 1),
      helpUrl: this.urlMap("help-url"),
      ahelpUrl: this.urlMap("ahelp-url"),
      apApiUrl,
      apStreamingUrl,
      xmppHost,
      xmppPort,
      xmppCaFile: this.path("xmpp-tls-ca-file", null),
      notes: this.notes,
    };
    if (this.problems.length > 0) throw new ConfigError(this.file, this.problems);
    return deepFreeze(config);
  }

  prefixes(): Prefixes {
    const key = "bridge-prefixes";
    const list = this.present(key) ? this.stringList(key) : ["@", "xmpp:", "!", "!lang="];
    const [fedi, xmpp, command, lang] = list;
    if (
      list.length !== 4 || !fedi || !xmpp || !command || !lang || new Set(list).size !== 4 ||
      list.some((p) => /\s/.test(p))
    ) {
      this.bad(
        key,
        "4 different prefixes without spaces, in this order: Fediverse account, XMPP account, " +
          "command, language",
        this.data[key],
      );
      return { fedi: "@", xmpp: "xmpp:", command: "!", lang: "!lang=" };
    }
    return { fedi, xmpp, command, lang };
  }

  commandWords(): string[] {
    const key = "bridge-command-list";
    if (!this.present(key)) return [...DEFAULT_COMMAND_WORDS];
    const list = this.stringList(key).map((w) => w.toLowerCase());
    const n = DEFAULT_COMMAND_WORDS.length;
    if (list.length !== n || new Set(list).size !== n || list.some((w) => /\s/.test(w))) {
      this.bad(
        key,
        `${n} different words without spaces, in the order ${DEFAULT_COMMAND_WORDS.join(", ")}`,
        this.data[key],
      );
      return [...DEFAULT_COMMAND_WORDS];
    }
    return list;
  }
}

/** Every key the file may hold: the old bridge's, then ours. */
export const KNOWN_KEYS: readonly string[] = [
  "ap_instance",
  "xmpp_instance",
  "ap_admin",
  "xmpp_admin",
  "ap_bridge_jid",
  "ap_bridge_pass",
  "xmpp_bridge_name",
  "xmpp_bridge_token",
  "bridge-log-file",
  "bridge-database-file",
  "bridge-files-dir",
  "translation-dir",
  "greenlist-mode",
  "max-reg-users",
  "min-ap-activity-posts",
  "max-ap-registrations",
  "max-dest-to-send",
  "max-user-rate",
  "silent-block",
  "silent-send",
  "max-minutes-for-reply",
  "max-retention-days-revoked-user",
  "comm-max-limit-days",
  "bridge-default-language",
  "bridge-unknown-language",
  "bridge-prefixes",
  "bridge-command-list",
  "user-agent",
  "max-char-per-post",
  "help-url",
  "ahelp-url",
  // Ours:
  "log-level",
  "ap-api-url",
  "ap-streaming-url",
  "xmpp-host",
  "xmpp-port",
  "xmpp-tls-ca-file",
];

const LANG_RE = /^[a-z]{2,3}([-_][a-z0-9]{2,8})?$/i;

function isDomain(s: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$/i.test(s);
}

function isAddress(s: string): boolean {
  const at = s.indexOf("@");
  return at > 0 && at === s.lastIndexOf("@") && isDomain(s.slice(at + 1));
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** `@Name@Host` or `name` -> `name@host` (local accounts get the bot server's domain). */
export function fediAddress(s: string, apInstance: string): string {
  const a = s.trim().replace(/^@/, "").toLowerCase();
  if (a === "") return "";
  return a.includes("@") ? a : `${a}@${apInstance}`;
}

/** `xmpp:Name@Host/resource` -> `name@host`. */
export function bareJid(s: string): string {
  return s.trim().replace(/^xmpp:/i, "").replace(/\/.*$/, "").toLowerCase();
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (typeof v === "string") return `the text "${v}"`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  return "a map";
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The known key closest to a misspelt one, when it is close enough to be a likely typo. */
function closest(key: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
