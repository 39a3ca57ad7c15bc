/**
 * `--check --online`: what only the servers can tell, checked the way a start would meet it.
 * Each role's bot signs in (the Fediverse token and instance; a full XMPP login with the TLS
 * settings and CA file), what was found is printed, and nothing is sent. The exit code follows
 * the process's scheme: 78 a refused credential or certificate, 77 a host the permission set
 * refuses, 1 a server that cannot be reached now.
 *
 * @module
 */
import type { Config, Role } from "../config/mod.ts";
import { probeFedi } from "../fedi/probe.ts";
import { FediStartupError } from "../fedi/server_info.ts";
import { hostPort } from "../permissions.ts";
import { errorText } from "../text/errors.ts";
import { serviceUrl } from "../xmpp/bot.ts";
import { describeError, isPermanentConnectError } from "../xmpp/errors.ts";
import { probeXmpp } from "../xmpp/probe.ts";
import { EXIT_CONFIG, EXIT_NOPERM } from "../exit_codes.ts";

/** A server that cannot be reached now (a retry may work). */
const EXIT_UNREACHABLE = 1;

/** What one role's check found: lines to print, and the exit code (0: all well). */
interface Outcome {
  readonly lines: string[];
  readonly code: number;
}

type Query = (host: string) => Deno.PermissionState;

const netQuery: Query = (host) => Deno.permissions.querySync({ name: "net", host }).state;

function failed(code: number, line: string): Outcome {
  return { lines: [`Error: ${line}`], code };
}

async function checkFedi(config: Config, query: Query): Promise<Outcome> {
  try {
    const found = await probeFedi(config);
    const host = hostPort(found.streamingUrl.replace(/^ws/i, "http"));
    if (query(host) !== "granted") {
      return {
        lines: [
          ...found.lines,
          `Error: key "ap-streaming-url": the permission set does not allow the streaming host ` +
          `${host}. Fix: derive the flags again (deno task flags, or compile again)`,
        ],
        code: EXIT_NOPERM,
      };
    }
    return { lines: found.lines, code: 0 };
  } catch (e) {
    if (e instanceof FediStartupError) return failed(EXIT_CONFIG, e.message);
    if (
      e instanceof Deno.errors.NotCapable || (e as Error).cause instanceof Deno.errors.NotCapable
    ) {
      return failed(
        EXIT_NOPERM,
        `key "ap-api-url": the permission set does not allow ${config.apApiUrl}: ${errorText(e)}`,
      );
    }
    return failed(
      EXIT_UNREACHABLE,
      `the Fediverse server at ${config.apApiUrl} cannot be reached: ${errorText(e)}`,
    );
  }
}

async function checkXmpp(config: Config): Promise<Outcome> {
  const service = serviceUrl(config.xmppHost, config.xmppPort);
  try {
    return { lines: await probeXmpp({ ...xmppLogin(config), service }), code: 0 };
  } catch (e) {
    const cause = describeError(e);
    if (e instanceof Deno.errors.NotCapable || /NotCapable|--allow-net/.test(cause)) {
      return failed(
        EXIT_NOPERM,
        `key "xmpp-host": the permission set does not allow ${service}: ${cause}`,
      );
    }
    if (isPermanentConnectError(e)) {
      return failed(
        EXIT_CONFIG,
        `the XMPP server at ${service} refused the login of ${config.xmppJid}: ${cause}. Fix: ` +
          `check ap_bridge_jid and ap_bridge_pass (AP_BRIDGE_PASS), or xmpp-tls-ca-file for a ` +
          `certificate that is not trusted`,
      );
    }
    return failed(EXIT_UNREACHABLE, `the XMPP server at ${service} cannot be reached: ${cause}`);
  }
}

function xmppLogin(config: Config) {
  return { jid: config.xmppJid, password: config.xmppPassword, caFile: config.xmppCaFile };
}

/** Runs the online checks of `roles`, printing as it goes; returns the exit code. */
export async function onlineCheck(
  config: Config,
  roles: readonly Role[],
  out: (line: string) => void,
  query: Query = netQuery,
): Promise<number> {
  const outcomes: Outcome[] = [];
  if (roles.includes("fedi")) outcomes.push(await checkFedi(config, query));
  if (roles.includes("xmpp")) outcomes.push(await checkXmpp(config));
  for (const o of outcomes) for (const line of o.lines) out(line);
  const codes = outcomes.map((o) => o.code);
  if (codes.includes(EXIT_NOPERM)) return EXIT_NOPERM;
  if (codes.includes(EXIT_CONFIG)) return EXIT_CONFIG;
  return codes.find((c) => c !== 0) ?? 0;
}
