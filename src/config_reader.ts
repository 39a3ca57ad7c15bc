/**
 * Reads and checks the configuration file key by key for {@link loadConfig}: every problem is
 * collected with the key, its line, what was expected and what was found.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import {
  bareJid,
  type Config,
  ConfigError,
  DEFAULT_COMMAND_WORDS,
  ENV_VARS,
  fediAddress,
  type LoadOptions,
  type LogLevel,
  type Prefixes,
} from "./config.ts";

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

export type Raw = Record<string, unknown>;

/** Collects values and problems key by key. */
export class Reader {
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
    const maxShareOfServerBudget = this.int("max-share-of-server-budget", 10);
    if (maxShareOfServerBudget > 100) {
      this.bad(
        "max-share-of-server-budget",
        "a percentage from 0 to 100 (0: no limit)",
        maxShareOfServerBudget,
      );
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
    const metricsListen = this.string("metrics-listen", null);
    if (metricsListen !== null && loopbackListen(metricsListen) === null) {
      this.bad(
        "metrics-listen",
        "a loopback address and port, such as 127.0.0.1:9464 or [::1]:9464",
        metricsListen,
      );
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
      maxCommandsPerHour: this.int("max-commands-per-hour", 30),
      maxRefusalsPerHour: this.int("max-refusals-per-hour", 10),
      maxRegistrationAttemptsPerDay: this.int("max-registration-attempts-per-day", 20),
      maxReportsPerDay: this.int("max-reports-per-day", 5),
      maxAnswersToOutsidersPerHour: this.int("max-answers-to-outsiders-per-hour", 1),
      maxShareOfServerBudget: Math.min(100, maxShareOfServerBudget),
      negativeLookupCacheMinutes: this.int("negative-lookup-cache-minutes", 60),
      helpUrl: this.urlMap("help-url"),
      ahelpUrl: this.urlMap("ahelp-url"),
      apApiUrl,
      apStreamingUrl,
      xmppHost,
      xmppPort,
      xmppCaFile: this.path("xmpp-tls-ca-file", null),
      metricsListen,
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
  "metrics-listen",
  "max-commands-per-hour",
  "max-refusals-per-hour",
  "max-registration-attempts-per-day",
  "max-reports-per-day",
  "max-answers-to-outsiders-per-hour",
  "max-share-of-server-budget",
  "negative-lookup-cache-minutes",
];

/**
 * `host:port` of a loopback listener (`127.x.x.x`, `localhost`, `[::1]`), or null. The metrics
 * are meant for a scraper on the same machine: nothing else may reach them.
 */
export function loopbackListen(text: string): { hostname: string; port: number } | null {
  const m = /^(?:\[(::1)\]|(localhost|127(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text.trim());
  if (m === null) return null;
  const hostname = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  if (hostname.startsWith("127.") && hostname.split(".").some((n) => Number(n) > 255)) return null;
  return { hostname, port };
}

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

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (typeof v === "string") return `the text "${v}"`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  return "a map";
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
