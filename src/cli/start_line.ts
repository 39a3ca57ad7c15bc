/**
 * The first line a start logs: the version, the roles, the servers it will talk to and what the
 * permission set allows of them, so that an operator reading the journal sees at once what runs
 * and under which set. No secret is in it.
 *
 * @module
 */
import type { Config, Role } from "../config/mod.ts";
import { derivePermissions } from "../permissions.ts";
import { permissionSet } from "../version.ts";

type Query = (descriptor: Deno.PermissionDescriptor) => Deno.PermissionState;

const realQuery: Query = (d) => Deno.permissions.querySync(d).state;

/** The servers the roles talk to, as `host:port`: those the derived permission set names. */
export function servers(config: Config, roles: readonly Role[]): string[] {
  const net = derivePermissions({ config, roles, envFile: null })
    .find((f) => f.startsWith("--allow-net="));
  return net ? net.slice("--allow-net=".length).split(",") : [];
}

/** The properties of the start line (see {@link START_MESSAGE}). */
export function startFacts(
  config: Config,
  roles: readonly Role[],
  version: string,
  query: Query = realQuery,
): Record<string, string> {
  const hosts = servers(config, roles);
  const refused = hosts.filter((h) => query({ name: "net", host: h }) !== "granted");
  const set = permissionSet((name) => query({ name }));
  const files = [config.databaseFile, config.filesDir, ...(config.logFile ? [config.logFile] : [])];
  const unwritable = files.filter((p) => query({ name: "write", path: p }) !== "granted");
  const parts = [set === "generic" ? "generic (any file, any server)" : "narrowed"];
  parts.push(refused.length === 0 ? "all servers allowed" : `not allowed: ${refused.join(", ")}`);
  if (unwritable.length > 0) parts.push(`not writable: ${unwritable.join(", ")}`);
  return {
    version,
    roles: roles.join(", "),
    fediServer: roles.includes("fedi") ? config.apApiUrl : "-",
    xmppServer: roles.includes("xmpp")
      ? `${config.xmppInstance} via ${config.xmppHost}:${config.xmppPort}`
      : "-",
    permissions: parts.join("; "),
  };
}

/** The template of the start line, for `logger.info(START_MESSAGE, startFacts(...))`. */
export const START_MESSAGE = "xmpp-ap-bridge {version} starting: roles {roles}; Fediverse " +
  "{fediServer}; XMPP {xmppServer}; permissions {permissions}";
