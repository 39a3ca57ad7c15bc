/**
 * What the permission set depends on beyond the configuration: the XMPP server's SRV targets
 * (when `xmpp-host` is unset), the system's name servers that `Deno.resolveDns` asks, and the
 * Fediverse server's announced streaming host (when `ap-streaming-url` is unset). Looked up by
 * `deno task flags`/`compile`/`start` and by `--check`, which prints it.
 *
 * @module
 */
import type { Config, Role } from "./config/mod.ts";
import { isReservedDomain } from "./text/address.ts";
import { advertisedStreamingUrl, type Fetch } from "./fedi/streaming_host.ts";
import {
  denoSrvLookup,
  nameServersOf,
  resolveXmpp,
  srvDomainOf,
  type SrvLookup,
  targetService,
  type XmppTarget,
} from "./xmpp/srv.ts";

export interface Discovery {
  /** The SRV targets (or the domain fallback); null when not looked up or the look-up failed. */
  readonly xmppTargets: readonly XmppTarget[] | null;
  /** `ip:53` of each name server in /etc/resolv.conf (only when SRV is used). */
  readonly nameServers: readonly string[];
  /** The streaming base URL the server announces; null when none or not read. */
  readonly streamingUrl: string | null;
  /** What could not be looked up, for the operator. */
  readonly problems: readonly string[];
}

export interface DiscoveryDeps {
  readonly lookup?: SrvLookup;
  readonly fetch?: Fetch;
  readonly resolvConf?: () => string;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function discover(
  config: Config,
  roles: readonly Role[],
  deps: DiscoveryDeps = {},
): Promise<Discovery> {
  const problems: string[] = [];
  let xmppTargets: XmppTarget[] | null = null;
  let nameServers: string[] = [];
  let streamingUrl: string | null = null;
  // The system's resolver is never asked about a reserved name (denoSrvLookup): no name server
  // to allow either.
  const reserved = deps.lookup === undefined && isReservedDomain(srvDomainOf(config.xmppJid));
  if (roles.includes("xmpp") && config.xmppSrv && !reserved) {
    try {
      nameServers = nameServersOf(
        (deps.resolvConf ?? (() => Deno.readTextFileSync("/etc/resolv.conf")))(),
      );
    } catch (e) {
      problems.push(`cannot read the name servers in /etc/resolv.conf: ${message(e)}`);
    }
  }
  if (roles.includes("xmpp") && config.xmppSrv) {
    const domain = srvDomainOf(config.xmppJid);
    try {
      const found = await resolveXmpp(domain, config.xmppPort, deps.lookup ?? denoSrvLookup());
      xmppTargets = [...found.targets];
    } catch (e) {
      problems.push(
        `cannot look up the SRV records of ${domain} (${message(e)}); set xmpp-host to skip them`,
      );
    }
  }
  if (roles.includes("fedi") && config.apStreamingUrl === null) {
    try {
      streamingUrl = await advertisedStreamingUrl(config.apApiUrl, config.userAgent, deps.fetch);
    } catch (e) {
      problems.push(
        `cannot read the streaming address from ${config.apApiUrl} (${message(e)}); ` +
          `set ap-streaming-url to name it`,
      );
    }
  }
  return { xmppTargets, nameServers, streamingUrl, problems };
}

/** The lines `--check` and `deno task flags` print about what was looked up. */
export function describeDiscovery(config: Config, roles: readonly Role[], d: Discovery): string[] {
  const lines: string[] = [];
  if (roles.includes("xmpp")) {
    if (!config.xmppSrv) lines.push(`XMPP: xmpp-host is set, no SRV look-up`);
    else if (d.xmppTargets !== null) {
      lines.push(
        `XMPP targets (SRV of ${srvDomainOf(config.xmppJid)}, in order): ` +
          d.xmppTargets.map(targetService).join(", "),
      );
    }
  }
  if (roles.includes("fedi")) {
    if (config.apStreamingUrl !== null) {
      lines.push(`Streaming API: ${config.apStreamingUrl} (ap-streaming-url)`);
    } else {
      lines.push(
        d.streamingUrl !== null
          ? `Streaming API: ${d.streamingUrl} (announced by the server)`
          : `Streaming API: ${config.apApiUrl} (the API's address: none announced or read)`,
      );
    }
  }
  for (const p of d.problems) lines.push(`Note: ${p}`);
  return lines;
}
