import assert from "node:assert/strict";
import { NS } from "./ns.ts";
import { Roster, rosterEntries } from "./roster.ts";
import { element } from "./xml.ts";

function query(...items: Record<string, string>[]) {
  return element("query", { xmlns: NS.roster }, ...items.map((a) => element("item", a)));
}

Deno.test("roster entries are read with bare, lower-cased JIDs", () => {
  assert.deepEqual(
    rosterEntries(query(
      { jid: "Alice@xmpp.test", subscription: "both" },
      { jid: "bob@xmpp.test", ask: "subscribe" },
      { name: "no jid" },
    )),
    [
      { jid: "alice@xmpp.test", subscription: "both", ask: null },
      { jid: "bob@xmpp.test", subscription: "none", ask: "subscribe" },
    ],
  );
  assert.deepEqual(rosterEntries(undefined), []);
  assert.deepEqual(rosterEntries(element("query", { xmlns: "other" })), []);
});

Deno.test("fetch replaces, pushes update and remove", () => {
  const roster = new Roster();
  assert.equal(roster.loaded, false);
  roster.replace(rosterEntries(query(
    { jid: "alice@xmpp.test", subscription: "to" },
    { jid: "bob@xmpp.test", subscription: "from" },
  )));
  assert.equal(roster.loaded, true);
  assert.equal(roster.subscribedTo("ALICE@xmpp.test/phone"), true);
  assert.equal(roster.subscribedTo("bob@xmpp.test"), false);
  assert.equal(roster.subscribedTo("carol@xmpp.test"), false);

  roster.update(rosterEntries(query({ jid: "bob@xmpp.test", subscription: "both" })));
  assert.equal(roster.subscribedTo("bob@xmpp.test"), true);
  roster.update(rosterEntries(query({ jid: "alice@xmpp.test", subscription: "remove" })));
  assert.equal(roster.get("alice@xmpp.test"), undefined);
  assert.equal(roster.size, 1);

  roster.replace([]);
  assert.equal(roster.size, 0);
});
