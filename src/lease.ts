/**
 * One process per bot role (issue 14, item 5). Before a process connects anywhere it takes the
 * lease of each role it runs (a row of `role_leases`, src/store/leases.ts). While another
 * process holds one of them with a fresh heartbeat, it takes none and refuses to start, naming
 * the holder; a lease whose heartbeat stopped for {@link DEFAULT_MISSED_BEATS} beats is taken
 * over. The holder refreshes its heartbeat on a timer (with its health, src/health/board.ts) and
 * gives the lease up on a clean stop. A holder that finds its lease taken over stops itself:
 * two processes of one role would both send.
 *
 * @module
 */
import type { Store } from "./store/mod.ts";
import type { LeaseClaim, LeaseRow } from "./store/leases.ts";

/**
 * The exit status of a process that finds its role held by another (or loses it): 75,
 * EX_TEMPFAIL. Not a configuration error (78): the same command works once the other process is
 * gone, so systemd's `Restart=on-failure` may try again after `RestartSec`.
 */
export const EXIT_ROLE_HELD = 75;

/** How often the holder refreshes its heartbeat, by default (ms). */
export const DEFAULT_BEAT_MS = 10_000;
/** How many beats a holder may miss before its lease counts as abandoned. */
export const DEFAULT_MISSED_BEATS = 3;

/** A repeating timer, injected so that tests drive the heartbeat themselves. */
export interface BeatTimer {
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** The process's own repeating timer (it does not keep the process alive on its own). */
export const systemBeatTimer: BeatTimer = {
  every(ms, fn) {
    const id = setInterval(fn, ms);
    Deno.unrefTimer(id);
    return () => clearInterval(id);
  },
};

/** Thrown when another live process holds a role this process was to run. */
export class RoleHeldError extends Error {
  constructor(
    readonly holders: readonly LeaseRow[],
    readonly now: number,
    /** Roles whose lock another process holds before it has written its row (it is starting). */
    readonly starting: readonly string[] = [],
  ) {
    super(
      [
        ...holders.map((h) =>
          `the ${roleName(h.role)} is already running: ${describeHolder(h, now)}`
        ),
        ...starting.map((r) => `the ${roleName(r)} is being started by another process`),
      ].join("; ") +
        ". Stop that process first (or wait until its heartbeat is older than the takeover " +
        "time); one process per role keeps both from sending the same messages.",
    );
    this.name = "RoleHeldError";
  }
}

/** `Fediverse bot` / `XMPP bot`. */
export function roleName(role: string): string {
  return role === "fedi" ? "Fediverse bot" : role === "xmpp" ? "XMPP bot" : role;
}

/** `pid 123 on host.example, since 2026-12-05T10:00:00Z, last heartbeat 4 s ago`. */
export function describeHolder(h: LeaseRow, now: number): string {
  const since = new Date(h.startedAt).toISOString().replace(/\.\d{3}Z$/, "Z");
  const ago = Math.max(0, Math.round((now - h.heartbeatAt) / 1000));
  return `pid ${h.pid} on ${h.host}, since ${since}, last heartbeat ${ago} s ago`;
}

/**
 * This machine's name when the permissions allow reading it (`--allow-sys=hostname`, which the
 * derived permission set does not grant), else `this machine`: the processes that share one
 * SQLite database in WAL mode always run on one machine, so the pid is what tells them apart.
 * The permission is queried first, so that no prompt appears.
 */
export function hostName(): string {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      return Deno.hostname();
    }
  } catch {
    // Not allowed after all: the fallback below.
  }
  return "this machine";
}

export interface LeaseOptions {
  readonly store: Store;
  readonly roles: readonly string[];
  readonly now: () => number;
  readonly timer?: BeatTimer;
  readonly beatMs?: number;
  readonly missedBeats?: number;
  /** Who is asking (default: this process, a fresh token, this machine). */
  readonly claim?: LeaseClaim;
  /** What the heartbeat reports for a role: JSON-able, written with each beat. */
  readonly health?: (role: string) => unknown;
  /** Told when another process took a lease over: the caller must stop. */
  readonly onLost?: (holder: LeaseRow | undefined) => void;
  /** Told when a heartbeat could not be written (a locked or failing database). */
  readonly onError?: (error: unknown) => void;
  /** Told when a stale lease of a vanished process is taken over. */
  readonly onTakeover?: (previous: LeaseRow) => void;
  /**
   * A lock file per role (see {@link roleLockPath}), or null for none (an in-memory database).
   * The operating system frees a process's lock when it ends, however it ends: a lease whose
   * lock is free belongs to a process that is gone, and is taken over at once, without waiting
   * for its heartbeat to go stale.
   */
  readonly lockPath?: (role: string) => string | null;
}

/** The lock file of a role, beside the database: `bridge.db-fedi.lock`. */
export function roleLockPath(databaseFile: string, role: string): string | null {
  return databaseFile === ":memory:" || databaseFile === "" ? null : `${databaseFile}-${role}.lock`;
}

/** Locks the role's lock file, if it has one; "taken" when another live process holds it. */
function lockRole(path: string | null): Deno.FsFile | null | "taken" {
  if (path === null) return null;
  const file = Deno.openSync(path, { create: true, write: true, mode: 0o600 });
  try {
    if (file.tryLockSync(true)) return file;
  } catch (e) {
    file.close();
    throw e;
  }
  file.close();
  return "taken";
}

/** The leases this process holds; dispose to give them up. */
export class RoleLease implements Disposable {
  readonly #o: LeaseOptions;
  readonly claim: LeaseClaim;
  /** A heartbeat older than this is a process that is gone or hangs (ms). */
  readonly staleMs: number;
  #stopTimer: (() => void) | null = null;
  #lost = false;
  #locks: Deno.FsFile[] = [];

  private constructor(opts: LeaseOptions, claim: LeaseClaim) {
    this.#o = opts;
    this.claim = claim;
    this.staleMs = (opts.beatMs ?? DEFAULT_BEAT_MS) * (opts.missedBeats ?? DEFAULT_MISSED_BEATS);
  }

  /**
   * Takes the leases of `opts.roles`, all or none, and starts the heartbeat. Throws a
   * {@link RoleHeldError} naming the live holders.
   */
  static acquire(opts: LeaseOptions): RoleLease {
    const claim = opts.claim ?? {
      owner: crypto.randomUUID(),
      pid: Deno.pid,
      host: hostName(),
    };
    const { store, now } = opts;
    const staleMs = (opts.beatMs ?? DEFAULT_BEAT_MS) * (opts.missedBeats ?? DEFAULT_MISSED_BEATS);
    // The lock files first: a free lock means whoever held the role is gone.
    const locks: Deno.FsFile[] = [];
    const lockFree = new Map<string, boolean>();
    const unlockAll = () => {
      for (const f of locks.splice(0)) f.close();
    };
    try {
      for (const role of opts.roles) {
        const lock = lockRole(opts.lockPath?.(role) ?? null);
        if (lock === "taken") lockFree.set(role, false);
        else if (lock !== null) {
          locks.push(lock);
          lockFree.set(role, true);
        }
      }
    } catch (e) {
      unlockAll();
      throw e;
    }
    const taken: LeaseRow[] = [];
    try {
      store.transaction(() => {
        const at = now();
        const held: LeaseRow[] = [];
        const starting: string[] = [];
        for (const role of opts.roles) {
          const row = store.leases.get(role);
          // Its lock is held, its row not written yet: another process is starting this role.
          if (row === undefined && lockFree.get(role) === false) starting.push(role);
          if (row === undefined || row.owner === claim.owner) continue;
          const gone = lockFree.get(role) === true || at - row.heartbeatAt >= staleMs;
          if (gone) taken.push(row);
          else held.push(row);
        }
        if (held.length > 0 || starting.length > 0) throw new RoleHeldError(held, at, starting);
        for (const role of opts.roles) store.leases.put(role, claim, at);
      });
    } catch (e) {
      unlockAll();
      throw e;
    }
    for (const row of taken) opts.onTakeover?.(row);
    const lease = new RoleLease(opts, claim);
    lease.#locks = locks;
    lease.#stopTimer = (opts.timer ?? systemBeatTimer).every(
      opts.beatMs ?? DEFAULT_BEAT_MS,
      () => lease.beat(),
    );
    return lease;
  }

  /** Whether another process took a lease over. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Refreshes the heartbeat of every role now; false once a lease was lost. */
  beat(): boolean {
    if (this.#lost) return false;
    const { store, now, roles } = this.#o;
    try {
      const at = now();
      const missing = store.transaction(() =>
        roles.filter((role) =>
          !store.leases.beat(
            role,
            this.claim.owner,
            at,
            JSON.stringify(this.#o.health?.(role) ?? {}),
          )
        )
      );
      if (missing.length > 0) {
        this.#lost = true;
        this.#stop();
        this.#o.onLost?.(store.leases.get(missing[0]!));
        return false;
      }
      return true;
    } catch (e) {
      this.#o.onError?.(e);
      return true;
    }
  }

  #stop(): void {
    this.#stopTimer?.();
    this.#stopTimer = null;
  }

  /** Stops the heartbeat and gives up the leases still held. */
  [Symbol.dispose](): void {
    this.#stop();
    const { store, roles } = this.#o;
    try {
      if (store.isOpen) {
        store.transaction(() => {
          for (const role of roles) store.leases.release(role, this.claim.owner);
        });
      }
    } catch (e) {
      this.#o.onError?.(e);
    } finally {
      // Closing the file frees its lock (the lock files stay, empty, for the next start).
      for (const f of this.#locks.splice(0)) f.close();
    }
  }
}
