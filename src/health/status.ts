/**
 * `xmpp-ap-bridge --status`: what the running processes last reported (their lease rows and
 * heartbeats) and the outbox as it is now, read from the database by another process. The
 * answer is healthy when every asked role is held by a process whose heartbeat is fresh and
 * whose session is live, and no pending outbox row of its network is older than the limit.
 *
 * @module
 */
import { describeHolder, roleName } from "../lease.ts";
import type { Store } from "../store/mod.ts";
import type { LeaseRow } from "../store/leases.ts";
import { networkOf, type RoleHealth } from "./board.ts";

/** The default limit for the oldest pending outbox row (seconds): 15 minutes. */
export const DEFAULT_MAX_OUTBOX_AGE_S = 900;

export interface StatusOptions {
  readonly roles: readonly string[];
  readonly now: number;
  /** A heartbeat older than this is a process that is gone or hangs (ms). */
  readonly staleMs: number;
  /** The oldest pending row may be this old (seconds). */
  readonly maxOutboxAgeS: number;
}

/** One role's verdict. */
export interface RoleStatus {
  readonly role: string;
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/** Reads the health of `roles`; `ok` only when every role is fine. */
export function readStatus(
  store: Store,
  opts: StatusOptions,
): { ok: boolean; roles: RoleStatus[] } {
  const roles = opts.roles.map((role) => roleStatus(store, role, opts));
  return { ok: roles.every((r) => r.ok), roles };
}

/** The health a lease row holds; empty when it holds none or no JSON. */
export function parseHealth(row: LeaseRow): Partial<RoleHealth> {
  try {
    const value = JSON.parse(row.health);
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

function roleStatus(store: Store, role: string, opts: StatusOptions): RoleStatus {
  const problems: string[] = [];
  const lines: string[] = [];
  const lease = store.leases.get(role);
  if (lease === undefined) {
    lines.push("not running (no process holds this role)");
    problems.push("not running");
  } else {
    lines.push(`running: ${describeHolder(lease, opts.now)}`);
    if (opts.now - lease.heartbeatAt >= opts.staleMs) {
      problems.push("heartbeat stopped");
    }
    const health = parseHealth(lease);
    const session = health.session ?? "connecting";
    const since = typeof health.since === "number"
      ? ` for ${Math.max(0, Math.round((opts.now - health.since) / 1000))} s`
      : "";
    lines.push(`session: ${session}${since}`);
    if (session !== "live") problems.push(`session ${session}`);
  }
  const { count, oldestAt } = store.leases.pending(networkOf(role));
  const ageS = oldestAt === null ? null : Math.max(0, Math.round((opts.now - oldestAt) / 1000));
  lines.push(
    `outbox: ${count} pending` + (ageS === null ? "" : `, oldest ${ageS} s old`) +
      ` (limit ${opts.maxOutboxAgeS} s)`,
  );
  if (ageS !== null && ageS > opts.maxOutboxAgeS) {
    problems.push(`oldest pending row ${ageS} s old`);
  }
  if (problems.length > 0) lines.push(`PROBLEM: ${problems.join(", ")}`);
  return { role, ok: problems.length === 0, lines };
}

/** The text `--status` prints. */
export function formatStatus(result: { ok: boolean; roles: RoleStatus[] }): string {
  const out: string[] = [];
  for (const r of result.roles) {
    out.push(`${roleName(r.role)}: ${r.ok ? "OK" : "NOT OK"}`);
    for (const line of r.lines) out.push(`  ${line}`);
  }
  out.push(result.ok ? "Status: healthy" : "Status: unhealthy");
  return out.join("\n");
}
