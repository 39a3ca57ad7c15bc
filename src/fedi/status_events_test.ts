import assert from "node:assert/strict";
import { FEDI, type Inbound, XMPP } from "../core/types.ts";
import { logger } from "../log.ts";
import { openStore } from "../store/store.ts";
import { fakeStatus } from "../../tests/support/fedi_fakes.ts";
import { StatusEvents } from "./status_events.ts";

function setup() {
  const store = openStore(":memory:");
  const handled: Inbound[] = [];
  const events = new StatusEvents({
    core: {
      handle: (inbound) => {
        handled.push(inbound);
        return Promise.resolve(true);
      },
    },
    store,
    log: logger("fedi", "bot"),
    context: () => ({ apInstance: "social.test", botId: "1", botAddress: "bridge@social.test" }),
  });
  return { store, handled, events };
}

const account = (id: string, acct: string) => ({ id, acct }) as never;

Deno.test("a deletion of a status that crossed retracts it, with its author from the records", async () => {
  const { store, handled, events } = setup();
  store.conversations.record({
    recipientType: XMPP,
    recipient: "alice@chat.test",
    sender: "bob@other.test",
    at: 1,
    sourceId: "77",
    postedId: "bridge-msg-1",
  });
  events.push({ kind: "delete", id: "78" });
  events.push({ kind: "delete", id: "77" });
  await events.idle();
  assert.equal(handled.length, 1, "a status that never crossed is left alone");
  const [retract] = handled;
  assert.ok(retract?.kind === "amend");
  assert.deepEqual(
    [retract.action, retract.target, retract.from],
    ["retract", "77", { network: FEDI, address: "bob@other.test" }],
  );
  store.close();
});

Deno.test("only others' direct statuses' edits go to the core", async () => {
  const { store, handled, events } = setup();
  const edit = (id: string, acct: string, visibility: "direct" | "public") =>
    fakeStatus({
      id,
      visibility,
      account: account(id === "3" ? "1" : "5", acct),
      editedAt: "2026-11-25T12:00:00.000Z",
      createdAt: "2026-11-25T11:00:00.000Z",
    });
  events.push({ kind: "update", status: edit("1", "bob@other.test", "public") });
  events.push({ kind: "update", status: edit("3", "bridge", "direct") });
  events.push({ kind: "update", status: edit("2", "bob@other.test", "direct") });
  await events.idle();
  assert.deepEqual(
    handled.map((i) => i.kind === "amend" && [i.action, i.target, i.version]),
    [["edit", "2", "2026-11-25T12:00:00.000Z"]],
  );
  store.close();
});
