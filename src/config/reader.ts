/**
 * Reads and checks the configuration file key by key for `loadConfig`: every problem is
 * collected with the key, its line, what was expected and what was found. Defaults, bounds and
 * environment variables come from the settings table (settings.ts); the plain settings (those
 * with a `field`) are read by their type alone, the others by the code below.
 */
import { FieldReader } from "./fields.ts";
import { KNOWN_KEYS, type Setting, setting, SETTINGS } from "./settings.ts";
import {
  type Config,
  ConfigError,
  DEFAULT_COMMAND_WORDS,
  LOG_LEVELS,
  type LogLevel,
  type Prefixes,
} from "./types.ts";
import {
  bareJid,
  closest,
  deepFreeze,
  fediAddress,
  isAddress,
  isHttpUrl,
  loopbackListen,
} from "./values.ts";

/** Checks the whole file into a {@link Config}; see the module comment. */
export class Reader extends FieldReader {
  /** The row's default as the reader uses it. */
  default<T extends string | number | boolean | null>(key: string): T {
    return setting(key).default as T;
  }

  /** The value of the key from the file or its environment variable (required keys only). */
  credential(key: string): string {
    const row = setting(key);
    return this.required(key, row.missing ?? key, row.env);
  }

  /** A plain setting (one with a `field`), read by its type with the table's default. */
  plain(row: Setting): unknown {
    const key = row.key;
    switch (row.type) {
      case "path":
        return row.required
          ? this.requiredPath(key, row.missing ?? key)
          : this.path(key, row.default as string | null);
      case "bool":
        return this.bool(key, row.default as boolean);
      case "int":
        return this.int(key, row.default as number, row.min ?? 0);
      case "language":
        return this.language(key, row.default as string);
      case "url-map":
        return this.urlMap(key);
      case "hosts":
        return this.hosts(key);
      default:
        return this.string(key, row.default as string | null);
    }
  }

  build(): Config {
    this.unknownKeys();
    const accounts = this.accounts();
    const prefixes = this.prefixes();
    const commandWords = this.commandWords();
    const limits = this.limits();
    const logLevel = this.logLevel();
    const servers = this.servers(accounts.apInstance, accounts.xmppInstance);
    const plain: Record<string, unknown> = {};
    for (const row of SETTINGS) if (row.field) plain[row.field] = this.plain(row);
    const config = {
      file: this.file,
      ...accounts,
      ...plain,
      ...limits,
      ...servers,
      logLevel: this.opts.logLevel ?? logLevel,
      prefixes,
      commandWords,
      notes: this.notes,
      // The plain fields come from the table: settings_test checks that none is left undefined.
    } as unknown as Config;
    if (this.problems.length > 0) throw new ConfigError(this.file, this.problems);
    return deepFreeze(config);
  }

  unknownKeys(): void {
    const known = new Set(KNOWN_KEYS);
    for (const key of Object.keys(this.data)) {
      if (known.has(key)) continue;
      const near = closest(key, KNOWN_KEYS);
      // Noted, not refused: an old file may hold keys this bridge has no use for.
      this.notes.push(
        `${this.where(key)} is not a setting of this bridge and is ignored` +
          (near ? ` (did you mean "${near}"?)` : " (remove it)"),
      );
    }
  }

  /** The servers, the bots' accounts and credentials (a role's secret only when it runs), the admins. */
  accounts(): Pick<
    Config,
    | "apInstance"
    | "xmppInstance"
    | "fediHandle"
    | "fediToken"
    | "xmppJid"
    | "xmppPassword"
    | "apAdmins"
    | "xmppAdmins"
  > {
    const roles = this.opts.roles;
    const apInstance = this.domain("ap_instance");
    const xmppInstance = this.domain("xmpp_instance");
    const fediHandle = fediAddress(
      this.credential("xmpp_bridge_name"),
      apInstance,
    );
    const fediToken = roles.includes("fedi") ? this.credential("xmpp_bridge_token") : "";
    const xmppJid = bareJid(this.credential("ap_bridge_jid"));
    if (xmppJid && !isAddress(xmppJid)) {
      this.bad("ap_bridge_jid", "a JID such as bridge@example.org", xmppJid);
    }
    const xmppPassword = roles.includes("xmpp") ? this.credential("ap_bridge_pass") : "";
    const apAdmins = this.stringList("ap_admin").map((a) => fediAddress(a, apInstance));
    const xmppAdmins = this.stringList("xmpp_admin").map(bareJid);
    for (const [key, list] of [["ap_admin", apAdmins], ["xmpp_admin", xmppAdmins]] as const) {
      for (const a of list) if (!isAddress(a)) this.bad(key, "accounts like name@example.org", a);
    }
    if (xmppAdmins.length === 0) {
      // Optional, as in the old bridge: without it `!report` answers that nobody receives reports.
      this.notes.push(`"xmpp_admin" is not set: user reports (!report) reach nobody`);
    }
    return {
      apInstance,
      xmppInstance,
      fediHandle,
      fediToken,
      xmppJid,
      xmppPassword,
      apAdmins,
      xmppAdmins,
    };
  }

  /** The numbers that are clamped or bounded by another setting (each clamp is noted). */
  limits(): Pick<
    Config,
    "maxUserRate" | "maxDestToSend" | "minApActivityPosts" | "maxShareOfServerBudget"
  > {
    const maxUserRate = this.int("max-user-rate", this.default("max-user-rate"));
    let maxDestToSend = this.int("max-dest-to-send", this.default("max-dest-to-send"));
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
    let minApActivityPosts = this.int(
      "min-ap-activity-posts",
      this.default("min-ap-activity-posts"),
    );
    if (minApActivityPosts > 40) {
      this.notes.push(`"min-ap-activity-posts" is at most 40 (only 40 posts are looked at)`);
      minApActivityPosts = 40;
    }
    const share = this.int(
      "max-share-of-server-budget",
      this.default("max-share-of-server-budget"),
    );
    if (share > 100) {
      this.bad("max-share-of-server-budget", "a percentage from 0 to 100 (0: no limit)", share);
    }
    return {
      maxUserRate,
      maxDestToSend,
      minApActivityPosts,
      maxShareOfServerBudget: Math.min(100, share),
    };
  }

  logLevel(): LogLevel {
    const text = this.string("log-level", this.default<string>("log-level")).toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(text)) return text as LogLevel;
    this.bad("log-level", `one of ${LOG_LEVELS.join(", ")}`, text);
    return "info";
  }

  /** Where to connect: the API and streaming addresses, the XMPP host and port. */
  servers(
    apInstance: string,
    xmppInstance: string,
  ): Pick<
    Config,
    "apApiUrl" | "apStreamingUrl" | "xmppHost" | "xmppPort" | "xmppSrv" | "metricsListen"
  > {
    const apApiUrl = this.string("ap-api-url", `https://${apInstance}`).replace(/\/+$/, "");
    if (apInstance && !isHttpUrl(apApiUrl)) this.bad("ap-api-url", "an http(s) address", apApiUrl);
    const apStreamingUrl = this.string("ap-streaming-url", null);
    if (apStreamingUrl !== null && !/^(wss?|https?):\/\/[^/]/.test(apStreamingUrl)) {
      this.bad("ap-streaming-url", "a ws(s):// or http(s):// address", apStreamingUrl);
    }
    const xmppHost = this.string("xmpp-host", xmppInstance);
    const xmppPort = this.int("xmpp-port", this.default("xmpp-port"), setting("xmpp-port").min);
    if (xmppPort > 65535) this.bad("xmpp-port", "a port number up to 65535", xmppPort);
    // No xmpp-host: the SRV records of the bot's domain name the host (src/xmpp/srv.ts).
    const xmppSrv = !this.present("xmpp-host");
    const metricsListen = this.string("metrics-listen", null);
    if (metricsListen !== null && loopbackListen(metricsListen) === null) {
      this.bad(
        "metrics-listen",
        "a loopback address and port, such as 127.0.0.1:9464 or [::1]:9464",
        metricsListen,
      );
    }
    return { apApiUrl, apStreamingUrl, xmppHost, xmppPort, xmppSrv, metricsListen };
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
