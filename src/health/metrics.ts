/**
 * Optional Prometheus metrics (`metrics-listen`): the health the heartbeat reports
 * (src/health/board.ts), as text on a loopback HTTP port, for a scraper on the same machine.
 *
 * @module
 */
import type { Store } from "../store/mod.ts";
import { networkOf } from "./board.ts";
import { parseHealth } from "./status.ts";

/** The roles the metrics describe: both, whichever process serves them. */
const ROLES = ["fedi", "xmpp"] as const;

/**
 * The metrics of both roles in Prometheus' text format, read from the database: the lease rows
 * the running processes keep (src/lease.ts) and the outbox as it is now. So one endpoint serves
 * both bots, also when they run as two processes. A role counts as running while its heartbeat
 * is younger than `staleMs`.
 */
export function metricsText(store: Store, now: number, staleMs: number): string {
  const rows = ROLES.map((role) => {
    const lease = store.leases.get(role);
    const running = lease !== undefined && now - lease.heartbeatAt < staleMs;
    const live = running && parseHealth(lease).session === "live";
    const { count, oldestAt } = store.leases.pending(networkOf(role));
    const age = oldestAt === null ? 0 : Math.max(0, (now - oldestAt) / 1000);
    return { role, running, live, count, age };
  });
  const lines: string[] = [];
  const gauge = (name: string, help: string, value: (r: (typeof rows)[number]) => number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const r of rows) lines.push(`${name}{role="${r.role}"} ${value(r)}`);
  };
  gauge(
    "xmpp_ap_bridge_running",
    "1 when a process holds the role with a fresh heartbeat, else 0.",
    (r) => r.running ? 1 : 0,
  );
  gauge(
    "xmpp_ap_bridge_session_live",
    "1 when the bot's session is live, else 0.",
    (r) => r.live ? 1 : 0,
  );
  gauge(
    "xmpp_ap_bridge_outbox_pending",
    "Outgoing messages of the bot's network not sent yet.",
    (r) => r.count,
  );
  gauge(
    "xmpp_ap_bridge_outbox_oldest_pending_seconds",
    "Age of the oldest pending outgoing message (0: none).",
    (r) => r.age,
  );
  return lines.join("\n") + "\n";
}

/** A running metrics endpoint; dispose to stop it. */
export interface MetricsServer extends AsyncDisposable {
  /** The port it listens on (useful when 0 was asked for). */
  readonly port: number;
}

/** Serves `render()` at `/metrics` on `hostname:port` (a loopback address). */
export function serveMetrics(
  listen: { hostname: string; port: number },
  render: () => string,
): MetricsServer {
  const server = Deno.serve({
    hostname: listen.hostname,
    port: listen.port,
    onListen: () => {},
  }, (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "GET" || path !== "/metrics") {
      return new Response("Not found: the metrics are at /metrics\n", { status: 404 });
    }
    return new Response(render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
  return {
    port: server.addr.port,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
