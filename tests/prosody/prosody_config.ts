/**
 * Renders the Lua configuration file of a test Prosody (0.12).
 *
 * The server listens for client connections on one loopback port only, has no
 * server-to-server, HTTP or admin socket, requires STARTTLS and authenticates
 * with SCRAM against hashed passwords (PLAIN is disabled so that clients are made to use SCRAM).
 *
 * @module
 */

/** Everything the configuration needs; all paths absolute. */
export interface ProsodyConfigOptions {
  /** The one VirtualHost, e.g. `xmpp.test`. */
  readonly domain: string;
  /** Loopback address to listen on. */
  readonly host: string;
  /** Client-to-server (STARTTLS) port. */
  readonly port: number;
  /** Client-to-server port with TLS from the first byte (XEP-0368), if any. */
  readonly directTlsPort?: number;
  /** Directory of Prosody's data (accounts, rosters, offline messages). */
  readonly dataDir: string;
  /** Where mod_posix writes the process id. */
  readonly pidFile: string;
  /** Log file (the same lines also go to stdout for the harness). */
  readonly logFile: string;
  /** Directory holding the certificate files (Prosody indexes it). */
  readonly certDir: string;
  /** Server certificate and key (PEM). */
  readonly certFile: string;
  readonly keyFile: string;
  /** Minimum log level; `debug` shows stream traffic metadata, never needed by default. */
  readonly logLevel: "debug" | "info" | "warn";
  /** Seconds an interrupted XEP-0198 session waits for resumption (Prosody default 600). */
  readonly smacksHibernationSeconds: number;
  /**
   * PBKDF2 iterations of new accounts' SCRAM hashes (Prosody default 10000). The client side
   * of `@xmpp/client` computes them with one WebCrypto call each, which makes logins slow.
   */
  readonly scramIterations: number;
}

/** Modules loaded on top of Prosody's automatic ones (presence, message, iq, offline, c2s, posix). */
export const PROSODY_MODULES: readonly string[] = [
  "roster",
  "saslauth",
  "tls",
  "disco",
  "ping",
  "smacks",
  "carbons",
  // In Prosody 0.12's default configuration: the bot's avatar (XEP-0084 on PEP, vCards).
  "pep",
  "vcard_legacy",
];

/** Automatic modules we do not want: no federation in tests. */
const DISABLED_MODULES: readonly string[] = ["s2s", "s2s_auth_certs", "dialback"];

/** Quote `value` as a Lua string literal; refuse control characters instead of escaping them. */
export function luaString(value: string): string {
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new Error(
      `refusing a control character in a Prosody config value: ${JSON.stringify(value)}`,
    );
  }
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function luaList(values: readonly string[]): string {
  return `{ ${values.map(luaString).join(", ")} }`;
}

/** The configuration file text. */
export function renderProsodyConfig(o: ProsodyConfigOptions): string {
  if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) {
    throw new Error(`invalid port for Prosody: ${o.port}`);
  }
  if (!Number.isInteger(o.scramIterations) || o.scramIterations < 1) {
    throw new Error(`invalid SCRAM iteration count: ${o.scramIterations}`);
  }
  if (!Number.isInteger(o.smacksHibernationSeconds) || o.smacksHibernationSeconds < 0) {
    throw new Error(`invalid smacks hibernation time: ${o.smacksHibernationSeconds}`);
  }
  const level = luaString(o.logLevel);
  return `-- Written by tests/prosody/harness.ts for one test server; deleted when it stops.
pidfile = ${luaString(o.pidFile)}
data_path = ${luaString(o.dataDir)}
log = {
  { levels = { min = ${level} }, to = "console" };
  { levels = { min = ${level} }, to = "file", filename = ${luaString(o.logFile)} };
}

interfaces = ${luaList([o.host])}
c2s_interfaces = ${luaList([o.host])}
c2s_ports = { ${o.port} }
c2s_direct_tls_ports = { ${o.directTlsPort ?? ""} }
legacy_ssl_ports = { }
s2s_ports = { }

modules_enabled = ${luaList(PROSODY_MODULES)}
modules_disabled = ${luaList(DISABLED_MODULES)}

authentication = "internal_hashed"
default_iteration_count = ${o.scramIterations}
storage = "internal"
allow_registration = false
c2s_require_encryption = true
disable_sasl_mechanisms = { "PLAIN", "DIGEST-MD5" }
smacks_hibernation_time = ${o.smacksHibernationSeconds}

certificates = ${luaString(o.certDir)}

VirtualHost ${luaString(o.domain)}
  ssl = { certificate = ${luaString(o.certFile)}, key = ${luaString(o.keyFile)} }
`;
}
