import assert from "node:assert/strict";
import { runCleanup, scheduleDaily } from "./cleanup.ts";
import { makeCore } from "../../tests/support/core.ts";
import { FEDI, XMPP } from "./types.ts";

const DAY = 24 * 60 * 60 * 1000;

function register(
  core: ReturnType<typeof makeCore>,
  type: 0 | 1,
  address: string,
  at = core.clock.now,
) {
  core.deps.store.users.register({ type, address, at, lang: null, app: "X", accountId: null });
}

Deno.test("retention: revoked users past the limit and old records go, nothing else", () => {
  using core = makeCore();
  const { store } = core.deps;
  const now = core.clock.now;
  register(core, XMPP, "old@chat.test", now - 90 * DAY);
  register(core, XMPP, "recent@chat.test", now - 90 * DAY);
  register(core, FEDI, "active@social.test", now - 90 * DAY);
  store.users.revoke(XMPP, "old@chat.test", now - 31 * DAY);
  store.users.revoke(XMPP, "recent@chat.test", now - 5 * DAY);
  const rec = (at: number, source: string) =>
    store.conversations.record({
      recipientType: FEDI,
      recipient: "active@social.test",
      sender: "someone@chat.test",
      at,
      sourceId: source,
      postedId: null,
    });
  rec(now - 31 * DAY, "old");
  rec(now - 29 * DAY, "young");

  const report = runCleanup(core.deps, { networks: [FEDI, XMPP] });
  assert.equal(report.purged.users, 1);
  assert.equal(report.conversationsDeleted, 1);
  assert.equal(store.users.get(XMPP, "old@chat.test"), undefined);
  assert.ok(store.users.get(XMPP, "recent@chat.test"));
  assert.ok(store.users.get(FEDI, "active@social.test"));
  assert.equal(store.conversations.findBySourceId(XMPP, "someone@chat.test", "old").length, 0);
  assert.equal(store.conversations.findBySourceId(XMPP, "someone@chat.test", "young").length, 1);
});

Deno.test("retention 0 keeps everything", () => {
  using core = makeCore("max-retention-days-revoked-user: 0\ncomm-max-limit-days: 0\n");
  register(core, XMPP, "old@chat.test", core.clock.now - 900 * DAY);
  core.deps.store.users.revoke(XMPP, "old@chat.test", core.clock.now - 800 * DAY);
  const report = runCleanup(core.deps, { networks: [XMPP] });
  assert.equal(report.purged.users, 0);
  assert.ok(core.deps.store.users.get(XMPP, "old@chat.test"));
});

Deno.test("users of red, server-blocked or bridge-blocked places are unregistered", () => {
  using core = makeCore();
  const { store, lists } = core.deps;
  register(core, FEDI, "a@red.example");
  register(core, FEDI, "b@blocked-by-server.example");
  register(core, XMPP, "c@fine.example");
  register(core, XMPP, "d@fine.example");
  register(core, XMPP, "e@chat.test");
  lists.addRed(["red.example", "chat.test"]);
  store.bridgeBlocks.add(XMPP, "d@fine.example", core.clock.now);

  const report = runCleanup(core.deps, {
    networks: [FEDI, XMPP],
    serverDomainBlocks: ["Blocked-By-Server.example"],
  });
  const gone = report.unregistered.map((u) => `${u.address}:${u.reason}`).sort();
  assert.deepEqual(gone, [
    "a@red.example:red",
    "b@blocked-by-server.example:server-block",
    "d@fine.example:bridge-block",
  ]);
  assert.notEqual(store.users.get(FEDI, "a@red.example")?.revokedAt, null);
  assert.equal(store.users.get(XMPP, "c@fine.example")?.revokedAt, null);
  assert.equal(store.users.get(XMPP, "e@chat.test")?.revokedAt, null, "bot domains are exempt");
  const contacts = core.emitted.filter((e) => e.kind === "contact").map((e) => e.action).sort();
  assert.deepEqual(contacts, ["remove", "unfollow", "unfollow"]);
});

Deno.test("greenlist mode unregisters users outside the green list; one role at a time", () => {
  using core = makeCore("greenlist-mode: true\n");
  register(core, FEDI, "a@green.example");
  register(core, FEDI, "b@grey.example");
  register(core, XMPP, "c@grey.example");
  core.deps.lists.addGreen(["green.example"]);
  const report = runCleanup(core.deps, { networks: [FEDI] });
  assert.deepEqual(report.unregistered.map((u) => u.address), ["b@grey.example"]);
  assert.equal(core.deps.store.users.get(XMPP, "c@grey.example")?.revokedAt, null);
});

Deno.test("the daily schedule runs every 24 hours and survives a failing run", () => {
  let tick: (() => void) | null = null;
  let interval = 0;
  let cleared = false;
  const timers = {
    setInterval: (fn: () => void, ms: number) => {
      tick = fn;
      interval = ms;
      return 1;
    },
    clearInterval: () => {
      cleared = true;
    },
  };
  let runs = 0;
  const errors: unknown[] = [];
  const handle = scheduleDaily(
    () => {
      runs++;
      if (runs === 1) throw new Error("disk full");
    },
    (e) => errors.push(e),
    timers,
  );
  assert.equal(interval, DAY);
  tick!();
  tick!();
  assert.equal(runs, 2);
  assert.equal(errors.length, 1);
  handle[Symbol.dispose]();
  assert.ok(cleared);
});
