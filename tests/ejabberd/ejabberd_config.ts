/**
 * The ejabberd configuration (YAML) of a test server: one virtual host, client connections on
 * 127.0.0.1 with STARTTLS required, SCRAM only, stream management with resumption, offline
 * storage, no federation and no HTTP.
 *
 * @module
 */

export interface EjabberdConfigOptions {
  readonly domain: string;
  readonly host: string;
  readonly port: number;
  /** The server certificate and its key (ejabberd reads both from `certfiles`). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly logLevel: "debug" | "info" | "warning";
  /** How long an interrupted stream-management session may be resumed (s). */
  readonly resumeTimeoutSeconds: number;
}

/** A YAML string (double-quoted, escaped). */
function quoted(value: string): string {
  return JSON.stringify(value);
}

export function renderEjabberdConfig(o: EjabberdConfigOptions): string {
  if (!/^[a-z0-9.-]+$/.test(o.domain)) throw new Error(`not a test domain: ${o.domain}`);
  if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) {
    throw new Error(`not a port: ${o.port}`);
  }
  if (!Number.isInteger(o.resumeTimeoutSeconds) || o.resumeTimeoutSeconds <= 0) {
    throw new Error(
      `resume timeout must be a positive number of seconds: ${o.resumeTimeoutSeconds}`,
    );
  }
  return `# Generated for one test run; see tests/ejabberd/README.md.
hosts:
  - ${quoted(o.domain)}
loglevel: ${o.logLevel}
hide_sensitive_log_data: true
certfiles:
  - ${quoted(o.certFile)}
  - ${quoted(o.keyFile)}
listen:
  - port: ${o.port}
    ip: ${quoted(o.host)}
    module: ejabberd_c2s
    starttls_required: true
    max_stanza_size: 262144
auth_method: internal
auth_password_format: scram
auth_scram_hash: sha
disable_sasl_mechanisms:
  - "PLAIN"
  - "X-OAUTH2"
s2s_access: none
modules:
  mod_caps: {}
  mod_carboncopy: {}
  mod_disco: {}
  mod_offline: {}
  mod_ping: {}
  mod_roster: {}
  mod_stream_mgmt:
    resume_timeout: ${o.resumeTimeoutSeconds}
`;
}
