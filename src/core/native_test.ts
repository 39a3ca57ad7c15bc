import assert from "node:assert/strict";
import { Core } from "./engine.ts";
import { AMEND_WINDOW_MS, FAVOURITE_REACTION } from "./native.ts";
import type { AmendAction, AmendEffect, AmendInbound, Effect } from "./types.ts";
import { type Account, FEDI, XMPP } from "./types.ts";
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  delivers,
  notices,
  onlyDeliver,
  send,
  t,
  world,
} from "../../tests/support/sending.ts";
import type { TestCore } from "../../tests/support/core.ts";
import { OUTBOX_GIVEN_UP, OUTBOX_PENDING } from "../store/mod.ts";

function change(
  from: Account,
  action: AmendAction,
  target: string,
  more: Partial<AmendInbound> = {},
): AmendInbound {
  return {
    kind: "amend",
    action,
    from,
    target,
    text: "",
    reactions: [],
    lang: null,
    extras: null,
    version: `v-${crypto.randomUUID()}`,
    ...more,
  };
}

async function handle(core: TestCore, inbound: AmendInbound): Promise<Effect[]> {
  const before = core.emitted.length;
  await new Core(core.deps).handle(inbound, null);
  return core.emitted.slice(before);
}

function amends(effects: readonly Effect[]): AmendEffect[] {
  return effects.filter((e): e is AmendEffect => e.kind === "amend");
}

/** Alice (XMPP) writes to Bob and Carol; the status is posted as `status-1`. */
async function bridgedFromXmpp(core: TestCore): Promise<void> {
  const deliver = onlyDeliver(
    await send(core, ALICE, "@bob@social.test @carol@other.social hello", { id: "m1" }),
  );
  for (const id of deliver.records) core.deps.store.conversations.setPostedId(id, "status-1");
}

Deno.test("an XMPP correction edits the status, re-rendered for the same recipients", async () => {
  using core = world();
  await bridgedFromXmpp(core);
  const effects = await handle(
    core,
    change(ALICE, "edit", "m1", { text: "@bob@social.test hello, @dave@social.test" }),
  );
  const [edit] = amends(effects);
  assert.equal(effects.length, 1);
  assert.equal(edit!.action, "edit");
  assert.equal(edit!.target, "status-1");
  assert.deepEqual(edit!.to, BOB);
  assert.deepEqual(edit!.from, ALICE);
  const header = t(core, "header.new", { app: "XMPP", user: "xmpp:alice@chat.test" });
  // Same recipients (Carol stays, though the new text does not name her), mentions made inert.
  assert.equal(
    edit!.text,
    `@bob@social.test @carol@other.social ${header}\n` +
      "@\u200Bbob@social.test hello, @\u200Bdave@social.test",
  );
});

Deno.test("an XMPP correction of a message that did not cross is refused", async () => {
  using core = world();
  await bridgedFromXmpp(core);
  const effects = await handle(core, change(ALICE, "edit", "other", { text: "fixed" }));
  assert.deepEqual(notices(effects).map((n) => n.text), [t(core, "amend.not_bridged")]);
  assert.equal(amends(effects).length, 0);
  // Someone else cannot change Alice's message either.
  const dave = await handle(core, change(DAVE, "retract", "m1"));
  assert.deepEqual(notices(dave).map((n) => [n.to, n.text]), [[
    DAVE,
    t(core, "amend.not_bridged"),
  ]]);
});

Deno.test("a correction, retraction or reaction past the window is refused", async () => {
  using core = world();
  await bridgedFromXmpp(core);
  core.clock.now += AMEND_WINDOW_MS + 1;
  for (const action of ["edit", "retract"] as const) {
    const effects = await handle(core, change(ALICE, action, "m1", { text: "late" }));
    assert.deepEqual(notices(effects).map((n) => n.text), [
      t(core, "amend.too_old", { hours: 24 }),
    ]);
  }
});

Deno.test("a correction of a status not posted yet waits; its retraction withdraws it", async () => {
  using core = world();
  const { store } = core.deps;
  const deliver = onlyDeliver(await send(core, ALICE, "@bob@social.test hello", { id: "m2" }));
  // As the outbox would hold it while Bob's server is away.
  const row = store.outbox.insert(FEDI, "from:alice@chat.test", JSON.stringify(deliver), 1);
  const edit = await handle(core, change(ALICE, "edit", "m2", { text: "fixed" }));
  assert.deepEqual(notices(edit).map((n) => n.text), [t(core, "amend.not_yet")]);
  assert.equal(store.outbox.get(row)!.state, OUTBOX_PENDING);
  const retract = await handle(core, change(ALICE, "retract", "m2"));
  assert.deepEqual(retract, []);
  // The queued status and its text are gone, and so are its records.
  assert.equal(store.outbox.get(row)!.state, OUTBOX_GIVEN_UP);
  assert.equal(store.outbox.get(row)!.payload, "");
  assert.deepEqual(store.conversations.findBySourceId(XMPP, ALICE.address, "m2"), []);
});

Deno.test("an XMPP retraction deletes the status", async () => {
  using core = world();
  await bridgedFromXmpp(core);
  const [retract] = amends(await handle(core, change(ALICE, "retract", "m1")));
  assert.equal(retract!.action, "retract");
  assert.equal(retract!.target, "status-1");
  assert.equal(retract!.to.network, FEDI);
});

Deno.test("an XMPP reaction favourites the status it came from; none left unfavourites", async () => {
  using core = world();
  const [copy] = delivers(await send(core, BOB, "xmpp:alice@chat.test hi", { id: "status-7" }));
  const messageId = copy!.messageId!;
  const [fav] = amends(
    await handle(core, change(ALICE, "react", messageId, { reactions: ["\u{1F44D}"] })),
  );
  assert.deepEqual(
    [fav!.action, fav!.target, fav!.to, fav!.reactions],
    ["react", "status-7", BOB, ["\u{1F44D}"]],
  );
  const [unfav] = amends(await handle(core, change(ALICE, "react", messageId)));
  assert.deepEqual([unfav!.target, unfav!.reactions], ["status-7", []]);
  // Dave did not get that message: his reaction to its id is refused.
  const dave = await handle(core, change(DAVE, "react", messageId, { reactions: ["x"] }));
  assert.deepEqual(notices(dave).map((n) => n.text), [t(core, "amend.not_bridged")]);
});

Deno.test("a Fediverse edit corrects every XMPP copy, once per version", async () => {
  using core = world();
  const copies = delivers(
    await send(core, BOB, "xmpp:alice@chat.test xmpp:dave@chat.test hi", { id: "status-7" }),
  );
  const edit = change(BOB, "edit", "status-7", { text: "hi, fixed", version: "2026-11-25" });
  const effects = amends(await handle(core, edit));
  assert.deepEqual(
    effects.map((e) => [e.action, e.to, e.target]),
    copies.map((c) => ["edit", c.to[0], c.messageId]),
  );
  const header = t(core, "header.new", { app: "Mastodon", user: "@bob@social.test" });
  assert.equal(effects[0]!.text, `${header}\nhi, fixed`);
  // The same edit again (the stream event and the notification): nothing more.
  assert.deepEqual(await handle(core, edit), []);
  // An edit of a status that never crossed: left alone, no notice to anyone.
  assert.deepEqual(await handle(core, change(CAROL, "edit", "status-9", { text: "x" })), []);
});

Deno.test("a Fediverse deletion retracts the XMPP copies with a fallback body", async () => {
  using core = world();
  const [copy] = delivers(await send(core, BOB, "xmpp:alice@chat.test hi", { id: "status-7" }));
  const [retract] = amends(await handle(core, change(BOB, "retract", "status-7")));
  assert.deepEqual(
    [retract!.action, retract!.to, retract!.target, retract!.text],
    ["retract", ALICE, copy!.messageId, t(core, "amend.retracted_fallback")],
  );
});

Deno.test("a Fediverse favourite becomes a star on the XMPP user's own message", async () => {
  using core = world();
  await bridgedFromXmpp(core);
  const [star] = amends(await handle(core, change(CAROL, "react", "status-1")));
  assert.deepEqual(
    [star!.action, star!.to, star!.from, star!.target, star!.reactions],
    ["react", ALICE, CAROL, "m1", [FAVOURITE_REACTION]],
  );
  // A favourite by someone the status did not go to: left alone.
  const other: Account = { network: FEDI, address: "eve@social.test" };
  assert.deepEqual(await handle(core, change(other, "react", "status-1")), []);
  assert.equal(star!.to.network, XMPP);
});
