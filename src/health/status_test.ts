import assert from "node:assert/strict";
import { RoleLease } from "../lease.ts";
import { openStore } from "../store/mod.ts";
import { FEDI, XMPP } from "../store/types.ts";
import { fediWatch, HealthBoard, xmppWatch } from "./board.ts";
import { formatStatus, readStatus } from "./status.ts";

const T0 = Date.UTC(2026, 11, 5, 10);
const OPTS = { roles: ["fedi", "xmpp"], staleMs: 30_000, maxOutboxAgeS: 900 };
const noTimer = { every: () => () => {} };

Deno.test("status: nothing running is unhealthy and says so", () => {
  using store = openStore(":memory:");
  const result = readStatus(store, { ...OPTS, now: T0 });
  assert.equal(result.ok, false);
  const text = formatStatus(result);
  assert.match(text, /Fediverse bot: NOT OK\n {2}not running/);
  assert.match(text, /XMPP bot: NOT OK/);
  assert.match(text, /Status: unhealthy$/);
});

Deno.test("status: live sessions with a short outbox are healthy; a lost one is not", () => {
  using store = openStore(":memory:");
  const clock = { now: T0 };
  const board = new HealthBoard(store, () => clock.now);
  const fediBot = new EventTarget();
  const listeners: ((e: string) => void)[] = [];
  const xmppBot = {
    ready: false,
    onEvent(l: (e: string) => void) {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
  };
  board.track("fedi", fediWatch(fediBot));
  board.track("xmpp", xmppWatch(xmppBot));
  using lease = RoleLease.acquire({
    store,
    roles: ["fedi", "xmpp"],
    now: () => clock.now,
    timer: noTimer,
    claim: { owner: "me", pid: 7, host: "here" },
    health: (role) => board.report(role),
  });
  // Before the sessions are up: connecting, not healthy.
  lease.beat();
  assert.equal(readStatus(store, { ...OPTS, now: clock.now }).ok, false);
  assert.match(formatStatus(readStatus(store, { ...OPTS, now: clock.now })), /session: connecting/);

  fediBot.dispatchEvent(new Event("ready"));
  for (const l of listeners) l("online");
  store.outbox.insert(FEDI, "lane", "{}", clock.now);
  clock.now += 60_000;
  lease.beat();
  const healthy = readStatus(store, { ...OPTS, now: clock.now });
  assert.equal(healthy.ok, true, formatStatus(healthy));
  const text = formatStatus(healthy);
  assert.match(text, /running: pid 7 on here/);
  assert.match(text, /session: live for 60 s/);
  assert.match(text, /outbox: 1 pending, oldest 60 s old/);
  assert.deepEqual(JSON.parse(store.leases.get("fedi")!.health), {
    session: "live",
    since: T0,
    pending: 1,
    oldestPendingAt: T0,
  });

  // The XMPP session drops: unhealthy, naming it.
  for (const l of listeners) l("offline");
  lease.beat();
  const down = readStatus(store, { ...OPTS, now: clock.now });
  assert.equal(down.ok, false);
  assert.deepEqual(down.roles.map((r) => r.ok), [true, false]);
  assert.match(formatStatus(down), /XMPP bot: NOT OK[^]*PROBLEM: session down/);
  board.close();
});

Deno.test("status: an old pending row or a stopped heartbeat is unhealthy", () => {
  using store = openStore(":memory:");
  const clock = { now: T0 };
  const board = new HealthBoard(store, () => clock.now);
  board.track("xmpp", (set) => {
    set("live");
    return () => {};
  });
  using lease = RoleLease.acquire({
    store,
    roles: ["xmpp"],
    now: () => clock.now,
    timer: noTimer,
    health: (role) => board.report(role),
  });
  store.outbox.insert(XMPP, "lane", "{}", clock.now);
  clock.now += 900_000;
  lease.beat();
  const opts = { ...OPTS, roles: ["xmpp"] };
  assert.equal(readStatus(store, { ...opts, now: clock.now }).ok, true);
  clock.now += 1_000;
  lease.beat();
  const late = readStatus(store, { ...opts, now: clock.now });
  assert.equal(late.ok, false);
  assert.match(formatStatus(late), /oldest pending row 901 s old/);
  // A larger limit, as --max-outbox-age gives it.
  assert.equal(readStatus(store, { ...opts, maxOutboxAgeS: 5000, now: clock.now }).ok, true);
  // No heartbeat for the takeover time: the process is gone or hangs.
  clock.now += 30_000;
  assert.match(
    formatStatus(readStatus(store, { ...opts, maxOutboxAgeS: 5000, now: clock.now })),
    /PROBLEM: heartbeat stopped/,
  );
});
