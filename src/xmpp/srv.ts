/**
 * Where to connect for an XMPP domain, the way XMPP clients find it (RFC 6120 §3.2, XEP-0368):
 * the `_xmpps-client._tcp` SRV records first (direct TLS), then `_xmpp-client._tcp` (STARTTLS),
 * then the domain itself on the configured port. Within each record set the order follows
 * RFC 2782: lowest priority first, and among equal priorities a random pick weighted by
 * `weight`. Used when `xmpp-host` is not set, by the bot before each connection and by
 * `deno task flags`/`compile` and `--check`, so that the permission set names the same hosts.
 *
 * @module
 */
import { isReservedDomain } from "../text/address.ts";

/** One place to connect to. */
export interface XmppTarget {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (XEP-0368) rather than STARTTLS. */
  readonly directTls: boolean;
}

/** One SRV record (Deno's `SrvRecord`). */
export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

/** Looks up the SRV records of a name; resolves to `[]` when there are none. */
export type SrvLookup = (name: string) => Promise<readonly SrvRecord[]>;

/** A DNS server to ask instead of the system's (tests run one on 127.0.0.1). */
export interface NameServer {
  readonly ipAddr: string;
  readonly port: number;
}

/**
 * SRV look-ups with `Deno.resolveDns`: the system's resolver, or `nameServer` when given. The
 * system's resolver is never asked about a reserved name (`chat.example`, `xmpp.test`...): there
 * is no record to find, so the next way is tried at once.
 */
export function denoSrvLookup(nameServer?: NameServer): SrvLookup {
  return async (name) => {
    if (nameServer === undefined && isReservedDomain(name)) return [];
    try {
      return await Deno.resolveDns(name, "SRV", nameServer ? { nameServer } : {});
    } catch (e) {
      // No such name or no SRV record at it: the next way is tried.
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
  };
}

/**
 * Orders SRV records as RFC 2782 asks; `random` returns a number in [0, 1). Lowest priority
 * first; within a priority, each next record is drawn with a chance proportional to its weight
 * among those left (a record of weight 0 only once no weighted one is left, then at random).
 * The RFC's literal draw in [0, sum] inclusive would give the first record one extra share;
 * the draw here is in [0, sum), so the shares are exactly the weights.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    const group = byPriority.get(r.priority) ?? [];
    group.push(r);
    byPriority.set(r.priority, group);
  }
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const left = byPriority.get(priority)!;
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0);
      let index: number;
      if (total === 0) index = Math.min(left.length - 1, Math.floor(random() * left.length));
      else {
        const pick = random() * total;
        let running = 0;
        index = left.findIndex((r) => (running += r.weight) > pick);
        if (index < 0) index = left.length - 1;
      }
      ordered.push(left.splice(index, 1)[0]!);
    }
  }
  return ordered;
}

/** The result of a resolution: the targets in the order to try, and how they were found. */
export interface XmppResolution {
  readonly targets: readonly XmppTarget[];
  /** "srv" when at least one record set named hosts, "domain" for the fallback. */
  readonly source: "srv" | "domain";
}

/** Raised when the domain's records say it offers no XMPP client service (target "."). */
export class NoXmppServiceError extends Error {
  constructor(domain: string) {
    super(
      `the DNS of ${domain} says it offers no XMPP client service (SRV target "."); ` +
        `set xmpp-host and xmpp-port to connect elsewhere`,
    );
    this.name = "NoXmppServiceError";
  }
}

function hostsOf(records: readonly SrvRecord[], random: () => number): SrvRecord[] | null {
  if (records.length === 0) return [];
  const usable = records.filter((r) => r.target !== "." && r.target !== "");
  // A lone "." record: the service is decidedly not available there (RFC 2782).
  if (usable.length === 0) return null;
  return orderSrv(usable, random);
}

/**
 * The places to connect to for `domain`, in order. `fallbackPort` is used for the domain itself
 * when no SRV record names a host. Throws what the look-up throws, other than "not found".
 */
export async function resolveXmpp(
  domain: string,
  fallbackPort: number,
  lookup: SrvLookup,
  random: () => number = Math.random,
): Promise<XmppResolution> {
  const direct = hostsOf(await lookup(`_xmpps-client._tcp.${domain}`), random);
  const starttls = hostsOf(await lookup(`_xmpp-client._tcp.${domain}`), random);
  const target = (r: SrvRecord, directTls: boolean): XmppTarget => ({
    host: r.target.replace(/\.$/, "").toLowerCase(),
    port: r.port,
    directTls,
  });
  const targets = [
    ...(direct ?? []).map((r) => target(r, true)),
    ...(starttls ?? []).map((r) => target(r, false)),
  ];
  if (targets.length > 0) return { targets, source: "srv" };
  if (direct === null && starttls === null) throw new NoXmppServiceError(domain);
  // RFC 6120 §3.2.2: no usable SRV record, so the domain itself.
  return { targets: [{ host: domain, port: fallbackPort, directTls: false }], source: "domain" };
}

/** `xmpp://host:port` or `xmpps://host:port`, as `@xmpp/client` takes it. */
export function targetService(t: XmppTarget): string {
  const h = t.host.includes(":") && !t.host.startsWith("[") ? `[${t.host}]` : t.host;
  return `${t.directTls ? "xmpps" : "xmpp"}://${h}:${t.port}`;
}

/** `host:port` as `--allow-net` names it. */
export function targetNet(t: XmppTarget): string {
  return `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`;
}

/**
 * The name servers of a `resolv.conf` as `--allow-net` names them (`ip:53`): `Deno.resolveDns`
 * needs the permission to reach each of them.
 */
export function nameServersOf(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const ip = m[1]!.replace(/%.*$/, "");
    out.push(ip.includes(":") ? `[${ip}]:53` : `${ip}:53`);
  }
  return out;
}

/** The domain of a bare JID in the form DNS look-ups take (A-labels). */
export function srvDomainOf(jid: string): string {
  const domain = jid.slice(jid.indexOf("@") + 1);
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return domain;
  }
}

/**
 * The service of each connection attempt: the targets of one resolution in turn, resolved
 * again once all were tried, so that changed records are followed without a restart.
 */
export class TargetRotation {
  #queue: XmppTarget[] = [];
  constructor(
    readonly domain: string,
    readonly fallbackPort: number,
    readonly lookup: SrvLookup,
    readonly random: () => number = Math.random,
  ) {}

  /** The next service to try (`xmpp://` or `xmpps://`). */
  async next(): Promise<string> {
    if (this.#queue.length === 0) {
      const { targets } = await resolveXmpp(
        this.domain,
        this.fallbackPort,
        this.lookup,
        this.random,
      );
      this.#queue = [...targets];
    }
    return targetService(this.#queue.shift()!);
  }
}
