import assert from "node:assert/strict";
import { makeCore } from "../../tests/support/core.ts";
import { type Account, type Effect, FEDI, XMPP } from "../core/types.ts";
import { OUTBOX_GIVEN_UP, OUTBOX_PENDING, OUTBOX_SENT } from "../store/mod.ts";
import { Outbox } from "./outbox.ts";

const ALICE: Account = { network: XMPP, address: "alice@chat.test" };

function notice(to: string): Effect {
  return { kind: "notice", to: { network: FEDI, address: to }, text: "hello", inReplyTo: null };
}

function setup() {
  const core = makeCore();
  const store = core.deps.store;
  const outbox = new Outbox({
    store,
    i18n: core.deps.i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  // Counts the outermost transactions (the commits) from here on.
  let commits = 0;
  let depth = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = <T>(fn: () => T): T => {
    if (depth === 0) commits++;
    depth++;
    try {
      return transaction(fn);
    } finally {
      depth--;
    }
  };
  return { core, outbox, store, commits: () => commits };
}

Deno.test("settleMany records sent, given-up and retried rows together, telling senders", () => {
  const { core, outbox, store, commits } = setup();
  using _ = core;
  const deliver: Effect = {
    kind: "deliver",
    to: [{ network: FEDI, address: "bob@social.test" }],
    from: ALICE,
    text: "hi",
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: "s1",
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
  store.transaction(() =>
    outbox.enqueue([notice("a@social.test"), deliver, notice("c@social.test")])
  );
  const [a, d, c] = [1, 2, 3].map((id) => store.outbox.get(id)!);
  const before = commits();
  outbox.settleMany([
    { outcome: "sent", row: a!, effect: notice("a@social.test"), postedId: "p1" },
    { outcome: "given-up", row: d!, effect: deliver, reason: "gone" },
    { outcome: "retry", row: c!, effect: notice("c@social.test"), nextAt: 99, error: "503" },
  ]);
  assert.equal(commits() - before, 1);
  assert.equal(store.outbox.get(1)?.state, OUTBOX_SENT);
  assert.equal(store.outbox.get(2)?.state, OUTBOX_GIVEN_UP);
  assert.equal(store.outbox.get(2)?.lastError, "gone");
  const retried = store.outbox.get(3)!;
  assert.equal(retried.state, OUTBOX_PENDING);
  assert.deepEqual([retried.attempts, retried.nextAt, retried.lastError], [1, 99, "503"]);
  // The sender of the given-up delivery is told, in a row of its own lane.
  const told = JSON.parse(store.outbox.get(4)!.payload) as Effect;
  assert.equal(told.kind, "notice");
  assert.deepEqual(told.kind === "notice" ? told.to : null, ALICE);
});

Deno.test("settleMany: a row that cannot be recorded does not hold back the others", () => {
  const { core, outbox, store } = setup();
  using _ = core;
  store.transaction(() => outbox.enqueue([notice("a@social.test"), notice("b@social.test")]));
  const [a, b] = [1, 2].map((id) => store.outbox.get(id)!);
  const close = store.outbox.close.bind(store.outbox);
  store.outbox.close = (id, ...rest) => {
    if (id === 1) throw new Error("disk trouble");
    return close(id, ...rest);
  };
  assert.throws(
    () =>
      outbox.settleMany([
        { outcome: "sent", row: a!, effect: notice("a@social.test"), postedId: null },
        { outcome: "sent", row: b!, effect: notice("b@social.test"), postedId: null },
      ]),
    /disk trouble/,
  );
  assert.equal(store.outbox.get(1)?.state, OUTBOX_PENDING);
  assert.equal(store.outbox.get(2)?.state, OUTBOX_SENT);
});
