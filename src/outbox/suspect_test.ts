/**
 * A row whose content may have closed the XMPP stream waits out its backoff: the bot coming
 * back online does not resend it at once (that was a resend loop, about once a second).
 */
import assert from "node:assert/strict";
import { makeCore } from "../../tests/support/core.ts";
import { type Effect, FEDI, XMPP } from "../core/types.ts";
import { OUTBOX_GIVEN_UP } from "../store/mod.ts";
import { Outbox } from "./outbox.ts";
import type { NetworkSender, SendResult } from "../core/ports.ts";
import { OutboxWorker } from "./worker.ts";

class Scripted implements NetworkSender {
  readonly network = XMPP;
  readonly script: SendResult[] = [];
  calls = 0;
  send(): Promise<SendResult> {
    this.calls++;
    return Promise.resolve(this.script.shift() ?? { ok: true, postedId: "p" });
  }
}

function once(): { onAttempt: () => void; next: () => Promise<void> } {
  let resolve = () => {};
  return {
    onAttempt: () => queueMicrotask(resolve),
    next: () => new Promise<void>((r) => (resolve = r)),
  };
}

Deno.test("a stream-closing row is not resent when the link comes back, only after its backoff; the second gives it up with the sender told", async () => {
  const core = makeCore();
  using _ = core;
  const { store, i18n } = core.deps;
  const outbox = new Outbox({
    store,
    i18n,
    prefixes: core.config.prefixes,
    now: () => core.clock.now,
  });
  const effect: Effect = {
    kind: "deliver",
    to: [{ network: XMPP, address: "alice@chat.test" }],
    from: { network: FEDI, address: "bob@social.test" },
    text: "poison",
    inReplyTo: null,
    lang: "en",
    media: [],
    sourceId: "s1",
    records: [],
    messageId: null,
    confirm: false,
    senderLang: "en",
  };
  store.transaction(() => outbox.enqueue([effect]));
  const sender = new Scripted();
  sender.script.push(
    { ok: false, permanent: false, reason: "closed (not-well-formed)", suspect: true },
    // Suspect again (as after a restart, when the sender's own count is gone): the outbox
    // itself gives the row up at the second.
    { ok: false, permanent: false, reason: "closed (not-well-formed)", suspect: true },
  );
  const tick = once();
  await using worker = new OutboxWorker({
    outbox,
    sender,
    random: () => 0.5,
    onAttempt: tick.onAttempt,
  });
  let attempt = tick.next();
  worker.start();
  await attempt;
  const row = store.outbox.get(1)!;
  assert.ok(row.nextAt > core.clock.now, "postponed");

  worker.retryNow(); // the bot is online again
  assert.equal(store.outbox.get(1)!.nextAt, row.nextAt, "still waiting out its backoff");
  assert.equal(store.outbox.due(XMPP, core.clock.now).length, 0);
  assert.equal(sender.calls, 1);

  attempt = tick.next();
  core.clock.now = row.nextAt;
  worker.wake();
  await attempt;
  assert.equal(sender.calls, 2);
  assert.equal(store.outbox.get(1)!.state, OUTBOX_GIVEN_UP);
  const notices = store.outbox.due(FEDI, core.clock.now);
  assert.equal(notices.length, 1, "the sender is told");
  assert.match(notices[0]!.payload, /bob@social\.test/);
});
