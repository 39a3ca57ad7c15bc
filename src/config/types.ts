/**
 * The shapes of the configuration: the checked {@link Config}, its error, and what loading takes.
 *
 * @module
 */
import { COMMANDS } from "../words.ts";

/** The default command words, in the order that gives each its meaning (SPEC §5). */
export const DEFAULT_COMMAND_WORDS = COMMANDS;

export type Role = "fedi" | "xmpp";
export const ROLES: readonly Role[] = ["fedi", "xmpp"];

export type LogLevel = "debug" | "info" | "warning" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

/** Where the configuration is looked for when neither the flag nor the variable names it. */
export const DEFAULT_CONFIG_PATH = "/usr/local/etc/xmpp-bridge-config.yml";

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
  /** Statuses one XMPP message may become (a thread); a longer text is refused. */
  readonly maxParts: number;
  /** Hosts (`name` or `name:port`, lower case) whose file URLs are downloaded and attached. */
  readonly mediaHosts: readonly string[];
  /** The largest file (MiB) downloaded to attach. */
  readonly mediaMaxMb: number;
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
  /**
   * `xmpp-host` is not set: the host comes from the SRV records of the bot's domain (srv.ts),
   * and `xmppHost`/`xmppPort` are the fallback when there is none.
   */
  readonly xmppSrv: boolean;
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
