import assert from "node:assert/strict";
import { type BeatTimer, describeHolder, RoleHeldError, RoleLease } from "./lease.ts";
import { openStore, type Store } from "./store/mod.ts";
import type { LeaseRow } from "./store/leases.ts";

const BEAT = 10_000;

/** A timer the test fires by hand. */
class ManualTimer implements BeatTimer {
  readonly fns = new Set<() => void>();
  every(_ms: number, fn: () => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  fire(): void {
    for (const fn of [...this.fns]) fn();
  }
}

/** Two connections on one file: what two processes see. */
function twoStores(): { a: Store; b: Store; dir: string } & Disposable {
  const dir = Deno.makeTempDirSync({ prefix: "lease_test_" });
  const a = openStore(`${dir}/bridge.db`);
  const b = openStore(`${dir}/bridge.db`);
  return {
    a,
    b,
    dir,
    [Symbol.dispose]() {
      a.close();
      b.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

const FIRST = { owner: "first", pid: 111, host: "alpha" };
const SECOND = { owner: "second", pid: 222, host: "beta" };

Deno.test("lease: a second process of a role is refused, naming the holder", () => {
  using s = twoStores();
  const clock = { now: Date.UTC(2026, 11, 5, 10) };
  const now = () => clock.now;
  using _first = RoleLease.acquire({
    store: s.a,
    roles: ["fedi"],
    now,
    claim: FIRST,
    timer: new ManualTimer(),
  });
  clock.now += 5_000;
  const refused = assert.throws(
    () =>
      RoleLease.acquire({
        store: s.b,
        roles: ["fedi", "xmpp"],
        now,
        claim: SECOND,
        timer: new ManualTimer(),
      }),
    (e: unknown) => {
      assert.ok(e instanceof RoleHeldError);
      assert.match(e.message, /Fediverse bot is already running: pid 111 on alpha/);
      assert.match(e.message, /since 2026-12-05T10:00:00Z, last heartbeat 5 s ago/);
      assert.deepEqual(e.holders.map((h) => h.owner), ["first"]);
      return true;
    },
  );
  void refused;
  // All or none: the free XMPP role was not taken either.
  assert.equal(s.a.leases.get("xmpp"), undefined);
  assert.equal(s.a.leases.get("fedi")?.owner, "first");
});

Deno.test("lease: the heartbeat keeps a lease, with the health the holder reports", () => {
  using s = twoStores();
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const timer = new ManualTimer();
  let n = 0;
  using _first = RoleLease.acquire({
    store: s.a,
    roles: ["fedi", "xmpp"],
    now,
    claim: FIRST,
    timer,
    beatMs: BEAT,
    health: (role) => ({ role, n: ++n }),
  });
  // Many beats' worth of time, each beat on time: never stale.
  for (let i = 0; i < 10; i++) {
    clock.now += BEAT;
    timer.fire();
  }
  assert.throws(
    () => RoleLease.acquire({ store: s.b, roles: ["xmpp"], now, claim: SECOND, beatMs: BEAT }),
    RoleHeldError,
  );
  const row = s.b.leases.get("xmpp")!;
  assert.equal(row.heartbeatAt, clock.now);
  assert.equal(row.startedAt, 1_000_000);
  assert.deepEqual(JSON.parse(row.health), { role: "xmpp", n: 20 });
});

Deno.test("lease: a lease whose heartbeat stopped is taken over; the old holder stops", () => {
  using s = twoStores();
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const oldTimer = new ManualTimer();
  const lost: (LeaseRow | undefined)[] = [];
  const old = RoleLease.acquire({
    store: s.a,
    roles: ["fedi"],
    now,
    claim: FIRST,
    timer: oldTimer,
    beatMs: BEAT,
    missedBeats: 3,
    onLost: (holder) => lost.push(holder),
  });
  // Two missed beats: still held.
  clock.now += 2 * BEAT + 9_999;
  assert.throws(
    () => RoleLease.acquire({ store: s.b, roles: ["fedi"], now, claim: SECOND, beatMs: BEAT }),
    RoleHeldError,
  );
  // Three: taken over, and the takeover is told.
  clock.now += 1;
  const taken: LeaseRow[] = [];
  using second = RoleLease.acquire({
    store: s.b,
    roles: ["fedi"],
    now,
    claim: SECOND,
    timer: new ManualTimer(),
    beatMs: BEAT,
    onTakeover: (row) => taken.push(row),
  });
  assert.deepEqual(taken.map((r) => [r.owner, r.pid]), [["first", 111]]);
  assert.equal(s.a.leases.get("fedi")?.owner, "second");
  // The old holder wakes up: its beat finds the lease gone, it is told once and stops beating.
  assert.equal(old.beat(), false);
  assert.equal(old.lost, true);
  assert.deepEqual(lost.map((h) => h?.owner), ["second"]);
  assert.equal(oldTimer.fns.size, 0);
  // Its disposal does not release the new holder's lease.
  old[Symbol.dispose]();
  assert.equal(s.b.leases.get("fedi")?.owner, "second");
  assert.equal(second.lost, false);
});

Deno.test("lease: a clean stop gives the roles up at once", () => {
  using s = twoStores();
  const now = () => 5_000_000;
  const timer = new ManualTimer();
  const first = RoleLease.acquire({
    store: s.a,
    roles: ["fedi", "xmpp"],
    now,
    claim: FIRST,
    timer,
  });
  first[Symbol.dispose]();
  assert.equal(timer.fns.size, 0);
  assert.deepEqual(s.b.leases.list(), []);
  using _second = RoleLease.acquire({
    store: s.b,
    roles: ["fedi", "xmpp"],
    now,
    claim: SECOND,
    timer: new ManualTimer(),
  });
  assert.deepEqual(s.a.leases.list().map((r) => r.owner), ["second", "second"]);
});

Deno.test("lease: the holder is described by pid, host, start and heartbeat age", () => {
  const row: LeaseRow = {
    role: "xmpp",
    owner: "x",
    pid: 42,
    host: "box",
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    heartbeatAt: 1_000,
    health: "{}",
  };
  assert.equal(
    describeHolder(row, 8_400),
    "pid 42 on box, since 2026-01-02T03:04:05Z, last heartbeat 7 s ago",
  );
});

Deno.test("lease: a fresh lease whose lock file is free belonged to a process that is gone", () => {
  using s = twoStores();
  const now = () => 7_000_000;
  const lockPath = (role: string) => `${s.dir}/bridge.db-${role}.lock`;
  // A process was killed a second ago: its row and heartbeat are fresh, its lock is free.
  s.a.transaction(() => s.a.leases.put("fedi", FIRST, 7_000_000 - 1_000));
  const taken: LeaseRow[] = [];
  const lease = RoleLease.acquire({
    store: s.b,
    roles: ["fedi"],
    now,
    claim: SECOND,
    timer: new ManualTimer(),
    lockPath,
    onTakeover: (row) => taken.push(row),
  });
  assert.deepEqual(taken.map((r) => r.pid), [111]);
  assert.equal(s.a.leases.get("fedi")?.owner, "second");
  // While it runs, its lock is held: a third process with a fresh row in its way is refused.
  const probe = Deno.openSync(lockPath("fedi"), { write: true });
  assert.equal(probe.tryLockSync(true), false, "the holder keeps the lock");
  probe.close();
  assert.throws(
    () =>
      RoleLease.acquire({
        store: s.a,
        roles: ["fedi"],
        now,
        claim: { owner: "third", pid: 333, host: "gamma" },
        timer: new ManualTimer(),
        lockPath,
      }),
    RoleHeldError,
  );
  // A clean stop frees the lock and the row.
  lease[Symbol.dispose]();
  const after = Deno.openSync(lockPath("fedi"), { write: true });
  assert.equal(after.tryLockSync(true), true);
  after.close();
  assert.equal(s.a.leases.get("fedi"), undefined);
});

Deno.test("lease: a role whose lock is held before its row is written is being started", () => {
  using s = twoStores();
  const lockPath = (role: string) => `${s.dir}/bridge.db-${role}.lock`;
  // Another process has locked the role and not yet written its row.
  const other = Deno.openSync(lockPath("xmpp"), { create: true, write: true });
  assert.equal(other.tryLockSync(true), true);
  try {
    assert.throws(
      () =>
        RoleLease.acquire({
          store: s.b,
          roles: ["fedi", "xmpp"],
          now: () => 1_000,
          claim: SECOND,
          timer: new ManualTimer(),
          lockPath,
        }),
      /the XMPP bot is being started by another process/,
    );
    assert.deepEqual(s.a.leases.list(), []);
    // Its own lock was given back: the Fediverse role is free for the next one.
    const probe = Deno.openSync(lockPath("fedi"), { write: true });
    assert.equal(probe.tryLockSync(true), true);
    probe.close();
  } finally {
    other.close();
  }
});
