/**
 * Status edits, deletions and favourites reaching the core from the Mastodon API test server
 * (issue 16): the `status.update` and `delete` stream events, the `update` and `favourite`
 * notifications, and the dedupe that keeps an edit seen both ways from going out twice.
 */
import assert from "node:assert/strict";
import type { AmendEffect, Effect } from "../../src/core/types.ts";
import { FEDI, XMPP } from "../../src/core/types.ts";
import { type StatusEvent, StatusEvents } from "../../src/fedi/status_events.ts";
import { logger } from "../../src/log.ts";
import { BOT_ADDRESS, type Harness, makeHarness, notificationsUntil } from "./support.ts";

function amendsOf(h: Harness, action: AmendEffect["action"]): AmendEffect[] {
  return h.queue.sent.map((s) => s.effect).filter((e: Effect): e is AmendEffect =>
    e.kind === "amend" && e.action === action
  );
}

interface Rig {
  readonly h: Harness;
  readonly events: StatusEvents;
  /** Resolves at the next status event of `kind` the stream brings (once it is handed over). */
  next(kind: StatusEvent["kind"]): Promise<void>;
}

async function withStatusEvents(): Promise<Rig> {
  let events: StatusEvents | null = null;
  const waiting: { kind: StatusEvent["kind"]; resolve: () => void }[] = [];
  const h = await makeHarness({
    bot: {
      onStatusEvent: (e) => {
        events?.push(e);
        for (const w of waiting.splice(0)) {
          if (w.kind === e.kind) w.resolve();
          else waiting.push(w);
        }
      },
    },
  });
  events = new StatusEvents({
    core: h.spy,
    store: h.store,
    log: logger("fedi", "bot"),
    context: () => ({
      apInstance: h.config.apInstance,
      botId: h.botAccount.id,
      botAddress: BOT_ADDRESS,
    }),
  });
  const next = (kind: StatusEvent["kind"]) =>
    new Promise<void>((resolve) => waiting.push({ kind, resolve }));
  return { h, events, next };
}

Deno.test("a status edit, streamed and notified, corrects the XMPP copy once; a deletion retracts it", async () => {
  const { h, events, next } = await withStatusEvents();
  await using _h = h;
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const handled = notificationsUntil(h.bot, (s) => s.length === 1);
  const status = h.server.postAs(alice, {
    text: "@bridge@fedi.test xmpp:dave@chat.test helo",
    visibility: "direct",
  });
  await handled;
  await h.queue.settled();
  const copy = h.queue.sent.find((s) => s.effect.kind === "deliver")?.effect;
  assert.ok(copy?.kind === "deliver");

  // A boost makes Mastodon also send the bot an `update` notification of the edit.
  h.server.reblog(h.botAccount, status.id);
  const notified = notificationsUntil(h.bot, (s) => s.some((n) => n.type === "update"));
  const streamed = next("update");
  h.server.editAs(alice, status.id, { text: "@bridge@fedi.test xmpp:dave@chat.test hello" });
  await Promise.all([notified, streamed]);
  await events.idle();
  // The notification, and the stream event (which the server may send on more than one feed).
  const seen = h.spy.calls.filter((c) => c.inbound.kind === "amend").length;
  assert.ok(seen >= 2, `the edit reached the core ${seen} time(s)`);
  await h.queue.settled();
  const edits = amendsOf(h, "edit");
  assert.equal(edits.length, 1, "the same edit, seen twice, goes out once");
  assert.deepEqual(edits[0]!.to, { network: XMPP, address: "dave@chat.test" });
  assert.equal(edits[0]!.target, copy.messageId);
  assert.match(edits[0]!.text, /hello$/);

  const deleted = next("delete");
  h.server.deleteAs(alice, status.id);
  await deleted;
  await events.idle();
  await h.queue.settled();
  const retractions = amendsOf(h, "retract");
  assert.deepEqual(retractions.map((r) => r.target), [copy.messageId]);
});

Deno.test("a favourite of a bridged status becomes a star for its XMPP author; others are left alone", async () => {
  const { h } = await withStatusEvents();
  await using _h = h;
  const alice = h.server.createAccount({ username: "alice", domain: "other.example" });
  await h.bot.start();
  const dave = { network: XMPP, address: "dave@chat.test" } as const;
  for (const [type, address] of [[FEDI, alice.address], [XMPP, dave.address]] as const) {
    h.store.users.register({
      type,
      address,
      at: Date.now(),
      lang: null,
      app: "test",
      accountId: null,
    });
  }
  await h.spy.core.handle({
    kind: "message",
    from: dave,
    id: "dave-1",
    text: "@alice@other.example hi there",
    inReplyTo: null,
    lang: null,
    extras: null,
  }, "xmpp:dave@chat.test:dave-1");
  const posted = await h.server.waitForStatus(h.botAccount, (s) => s.text.includes("hi there"));
  await h.queue.settled();
  // A status of the bot's that carried nothing (a notice) is favourited too: no reaction.
  const notice = h.server.postAs(h.botAccount, {
    text: "@alice@other.example just a notice",
    visibility: "direct",
  });
  const seen = notificationsUntil(
    h.bot,
    (s) => s.filter((n) => n.type === "favourite").length === 2,
  );
  h.server.favourite(alice, notice.id);
  h.server.favourite(alice, posted.id);
  await seen;
  await h.queue.settled();
  const stars = amendsOf(h, "react");
  assert.deepEqual(
    stars.map((s) => [s.to, s.target, s.reactions]),
    [[dave, "dave-1", ["\u2b50"]]],
  );
});
