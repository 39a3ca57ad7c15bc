/**
 * Every setting of the configuration file, as one table: key, type, default, environment
 * variable and help text. The reader takes its defaults, bounds and variables from here, the
 * list of known keys is this table's keys, the example configuration names exactly these keys
 * in this order, and the table in docs/operators.md is {@link settingsMarkdown}'s output (both
 * checked by src/config/settings_test.ts).
 *
 * @module
 */
import type { Config } from "./types.ts";

/** How a value is written in the file. */
export type SettingType =
  | "domain"
  | "account"
  | "accounts"
  | "secret"
  | "path"
  | "bool"
  | "int"
  | "text"
  | "url"
  | "language"
  | "url-map"
  | "prefixes"
  | "words"
  | "hosts"
  | "log-level";

/** One row of the settings table. */
export interface Setting {
  readonly key: string;
  readonly type: SettingType;
  /** The value used when the key is absent; null: none (or required, see `required`). */
  readonly default: string | number | boolean | null;
  /** Must be set, in the file or in `env`. */
  readonly required?: boolean;
  /** What the problem asks for when a required key is missing. */
  readonly missing?: string;
  /** Environment variable that wins over the file. */
  readonly env?: string;
  /** Lowest accepted whole number (`int` only; 0 when absent). */
  readonly min?: number;
  /** The {@link Config} field a plain value goes to; absent when the reader computes it. */
  readonly field?: keyof Config;
  /** Whether the older Python bridge knew the key. */
  readonly old: boolean;
  /** What the setting does, one line. */
  readonly help: string;
}

/** The environment variables the bridge reads; nothing else of the environment is touched. */
export const ENV_VARS = {
  configFile: "XMPP_BRIDGE_CONFIG_FILE",
  fediHandle: "XMPP_BRIDGE_NAME",
  fediToken: "XMPP_BRIDGE_TOKEN",
  xmppJid: "AP_BRIDGE_JID",
  xmppPassword: "AP_BRIDGE_PASS",
} as const;

const S = (row: Setting): Setting => row;

/** The settings, in the order of the example configuration. */
// deno-fmt-ignore
export const SETTINGS: readonly Setting[] = [
  S({ key: "ap_instance", type: "domain", default: null, required: true, old: true, help: "domain of the Fediverse bot's server" }),
  S({ key: "xmpp_instance", type: "domain", default: null, required: true, old: true, help: "domain of the XMPP bot's server" }),
  S({ key: "xmpp_bridge_name", type: "account", default: null, required: true, missing: "the Fediverse bot's account name", env: ENV_VARS.fediHandle, old: true, help: "the Fediverse bot's account, name@server" }),
  S({ key: "xmpp_bridge_token", type: "secret", default: null, required: true, missing: "the Fediverse bot's access token", env: ENV_VARS.fediToken, old: true, help: "the Fediverse bot's access token (Fediverse role only)" }),
  S({ key: "ap_bridge_jid", type: "account", default: null, required: true, missing: "the XMPP bot's address (JID)", env: ENV_VARS.xmppJid, old: true, help: "the XMPP bot's address (JID)" }),
  S({ key: "ap_bridge_pass", type: "secret", default: null, required: true, missing: "the XMPP bot's password", env: ENV_VARS.xmppPassword, old: true, help: "the XMPP bot's password (XMPP role only)" }),
  S({ key: "ap_admin", type: "accounts", default: null, old: true, help: "Fediverse admin accounts" }),
  S({ key: "xmpp_admin", type: "accounts", default: null, old: true, help: "XMPP admin accounts; reports go to the first" }),
  S({ key: "bridge-log-file", type: "path", default: null, field: "logFile", old: true, help: "log file besides standard error" }),
  S({ key: "log-level", type: "log-level", default: "info", old: false, help: "debug, info, warning or error" }),
  S({ key: "bridge-database-file", type: "path", default: null, required: true, missing: "the path of the database file", field: "databaseFile", old: true, help: "the SQLite database" }),
  S({ key: "bridge-files-dir", type: "path", default: null, required: true, missing: "the folder for the state and list files", field: "filesDir", old: true, help: "folder of the state files and domain lists" }),
  S({ key: "translation-dir", type: "path", default: null, field: "translationDir", old: true, help: "folder of translation files that change or add texts" }),
  S({ key: "greenlist-mode", type: "bool", default: false, field: "greenlistMode", old: true, help: "only green-listed domains may register" }),
  S({ key: "max-reg-users", type: "int", default: 100, field: "maxRegUsers", old: true, help: "registered users at most" }),
  S({ key: "min-ap-activity-posts", type: "int", default: 5, old: true, help: "recent posts a Fediverse account needs to register (at most 40)" }),
  S({ key: "max-ap-registrations", type: "int", default: 8, field: "maxApRegistrations", old: true, help: "registrations per Fediverse server" }),
  S({ key: "max-dest-to-send", type: "int", default: 4, old: true, help: "recipients of one message (1 to max-user-rate)" }),
  S({ key: "max-user-rate", type: "int", default: 30, old: true, help: "messages one user may send per hour (0: no limit)" }),
  S({ key: "silent-block", type: "bool", default: true, field: "silentBlock", old: true, help: "a blocked sender is not told" }),
  S({ key: "silent-send", type: "bool", default: true, field: "silentSend", old: true, help: "no confirmation after a message is passed on" }),
  S({ key: "max-minutes-for-reply", type: "int", default: 90, field: "maxMinutesForReply", old: true, help: "how long a reply goes to the last correspondent" }),
  S({ key: "max-char-per-post", type: "int", default: 500, min: 1, field: "maxCharPerPost", old: true, help: "longest Fediverse post" }),
  S({ key: "max-parts", type: "int", default: 5, min: 1, field: "maxParts", old: false, help: "statuses a long XMPP message may become (a thread); longer ones are refused" }),
  S({ key: "media-hosts", type: "hosts", default: null, field: "mediaHosts", old: false, help: "hosts (host or host:port) whose files the bridge downloads and attaches; adds them to --allow-net" }),
  S({ key: "media-max-mb", type: "int", default: 16, min: 1, field: "mediaMaxMb", old: false, help: "largest file in MiB the bridge downloads to attach (the server's own limit may be lower)" }),
  S({ key: "max-commands-per-hour", type: "int", default: 30, field: "maxCommandsPerHour", old: false, help: "commands one account may send per hour (0: no limit)" }),
  S({ key: "max-refusals-per-hour", type: "int", default: 10, field: "maxRefusalsPerHour", old: false, help: "error answers one account gets per hour" }),
  S({ key: "max-registration-attempts-per-day", type: "int", default: 20, field: "maxRegistrationAttemptsPerDay", old: false, help: "attempts to join per account and day" }),
  S({ key: "max-reports-per-day", type: "int", default: 5, field: "maxReportsPerDay", old: false, help: "reports one account may send per day" }),
  S({ key: "max-answers-to-outsiders-per-hour", type: "int", default: 1, field: "maxAnswersToOutsidersPerHour", old: false, help: "answers per hour to a blocked or red-listed account" }),
  S({ key: "negative-lookup-cache-minutes", type: "int", default: 60, field: "negativeLookupCacheMinutes", old: false, help: "how long a failed account look-up is remembered" }),
  S({ key: "max-share-of-server-budget", type: "int", default: 10, old: false, help: "percent of the bot's Mastodon rate limits one account may use (0 to 100)" }),
  S({ key: "max-retention-days-revoked-user", type: "int", default: 30, field: "maxRetentionDaysRevokedUser", old: true, help: "days an unregistered user's data is kept" }),
  S({ key: "comm-max-limit-days", type: "int", default: 30, field: "commMaxLimitDays", old: true, help: "days a conversation record is kept" }),
  S({ key: "bridge-default-language", type: "language", default: "en", field: "defaultLanguage", old: true, help: "language of users who chose none" }),
  S({ key: "bridge-unknown-language", type: "language", default: "en", field: "unknownLanguage", old: true, help: "language for codes without texts" }),
  S({ key: "help-url", type: "url-map", default: null, field: "helpUrl", old: true, help: "help page per language code" }),
  S({ key: "ahelp-url", type: "url-map", default: null, field: "ahelpUrl", old: true, help: "admin help page per language code" }),
  S({ key: "bridge-prefixes", type: "prefixes", default: "@, xmpp:, !, !lang=", old: true, help: "Fediverse account, XMPP account, command and language prefixes" }),
  S({ key: "bridge-command-list", type: "words", default: "the 23 English words", old: true, help: "the command words, in their fixed order" }),
  S({ key: "user-agent", type: "text", default: "xmpp-ap-bridge", field: "userAgent", old: true, help: "User-Agent of requests to Fediverse servers" }),
  S({ key: "ap-api-url", type: "url", default: "https://<ap_instance>", old: false, help: "base address of the Mastodon client API" }),
  S({ key: "ap-streaming-url", type: "url", default: null, old: false, help: "streaming API address, when not the advertised one" }),
  S({ key: "xmpp-host", type: "text", default: "<xmpp_instance>", old: false, help: "host to connect to for XMPP" }),
  S({ key: "xmpp-port", type: "int", default: 5222, min: 1, old: false, help: "port to connect to for XMPP" }),
  S({ key: "xmpp-tls-ca-file", type: "path", default: null, field: "xmppCaFile", old: false, help: "PEM file of a private CA for the XMPP server's certificate" }),
  S({ key: "metrics-listen", type: "text", default: null, old: false, help: "loopback host:port where Prometheus metrics are served" }),
];

/** Every key the file may hold. */
export const KNOWN_KEYS: readonly string[] = SETTINGS.map((s) => s.key);

const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

/** The row of `key`; throws for a key that is not in the table (a programming error). */
export function setting(key: string): Setting {
  const row = BY_KEY.get(key);
  if (!row) throw new Error(`config: "${key}" is not in the settings table`);
  return row;
}

/** The table in docs/operators.md, as Markdown (unpadded; `deno fmt` aligns it). */
export function settingsMarkdown(): string {
  const cell = (v: Setting["default"], row: Setting): string =>
    v === null ? (row.required ? "required" : "none") : `\`${String(v)}\``;
  const lines = [
    "| key | type | default | variable | what it sets |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const row of SETTINGS) {
    const env = row.env ? `\`${row.env}\`` : "";
    lines.push(
      `| \`${row.key}\` | ${row.type} | ${cell(row.default, row)} | ${env} | ${row.help} |`,
    );
  }
  return lines.join("\n");
}
