/**
 * What the running bridge knows of its own health (issue 14, item 6): each bot session's state
 * and the outbox of each role's network. The lease heartbeat (src/lease.ts) writes
 * {@link HealthBoard.report} into the database, where `--status` of another process reads it
 * (src/health/status.ts), and the optional metrics endpoint serves it (src/health/metrics.ts).
 *
 * @module
 */
import { fediSessionEvents, xmppSessionEvents } from "./session_events.ts";
import type { Store } from "../store/mod.ts";
import { FEDI, XMPP } from "../store/types.ts";

/** A bot session's state: not yet up, live, or lost and reconnecting. */
export type SessionState = "connecting" | "live" | "down";

/** What a heartbeat reports for one role. */
export interface RoleHealth {
  readonly session: SessionState;
  /** When the session entered that state (epoch ms). */
  readonly since: number;
  /** Pending outbox rows of the role's network. */
  readonly pending: number;
  /** When the oldest of them was written (epoch ms), or null when there is none. */
  readonly oldestPendingAt: number | null;
}

/** The network whose outbox a role sends. */
export function networkOf(role: string): number {
  return role === "fedi" ? FEDI : XMPP;
}

/** Something that says when a session comes up and goes down. */
export type SessionWatch = (set: (state: SessionState) => void) => () => void;

/** The sessions of this process and the outbox figures, for the heartbeat. */
export class HealthBoard {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #sessions = new Map<string, { state: SessionState; since: number }>();
  readonly #unwatch: (() => void)[] = [];
  #changed: () => void = () => {};

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Follows the session of `role` through `watch`; it starts as `connecting`. */
  track(role: string, watch: SessionWatch): void {
    this.#sessions.set(role, { state: "connecting", since: this.#now() });
    this.#unwatch.push(watch((state) => this.set(role, state)));
  }

  /** Calls `fn` after each change of a session's state (the heartbeat writes it at once). */
  onChange(fn: () => void): void {
    this.#changed = fn;
  }

  /** Sets the state of a role's session (an unchanged state keeps its `since`). */
  set(role: string, state: SessionState): void {
    const current = this.#sessions.get(role);
    if (current?.state === state) return;
    this.#sessions.set(role, { state, since: this.#now() });
    this.#changed();
  }

  /** The state of a role's session, or undefined when it is not tracked here. */
  session(role: string): SessionState | undefined {
    return this.#sessions.get(role)?.state;
  }

  /** Whether every tracked session is live. */
  allLive(): boolean {
    return [...this.#sessions.values()].every((s) => s.state === "live");
  }

  /** What the heartbeat writes for `role`. */
  report(role: string): RoleHealth {
    const s = this.#sessions.get(role) ?? { state: "connecting" as const, since: this.#now() };
    const { count, oldestAt } = this.#store.leases.pending(networkOf(role));
    return { session: s.state, since: s.since, pending: count, oldestPendingAt: oldestAt };
  }

  /** Stops following the sessions. */
  close(): void {
    for (const u of this.#unwatch.splice(0)) u();
  }
}

/** Follows a Fediverse bot's events (`ready`, `reconnected`, `disconnected`). */
export function fediWatch(bot: EventTarget): SessionWatch {
  return (set) => fediSessionEvents(bot, set);
}

/** Follows an XMPP bot's session events (`online`, `resumed`, `offline`, `stopped`). */
export function xmppWatch(
  bot: { onEvent(listener: (event: string) => void): () => void; readonly ready: boolean },
): SessionWatch {
  return (set) => xmppSessionEvents(bot, set);
}
