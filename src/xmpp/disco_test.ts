import assert from "node:assert/strict";
import { CAPS_NODE, capsElement, capsVer, discoInfo, FEATURES } from "./disco.ts";
import { NS } from "./ns.ts";

Deno.test("disco#info names the bot and the features it implements", async () => {
  const ver = await capsVer();
  const query = discoInfo(undefined, ver);
  assert.ok(query.is("query", NS.discoInfo));
  assert.deepEqual(query.getChild("identity")?.attrs, {
    category: "client",
    type: "bot",
    name: "xmpp-ap-bridge",
  });
  const features = query.getChildren("feature").map((f) => f.attrs.var);
  const expected = [
    NS.discoInfo,
    NS.ping,
    NS.reply,
    NS.fallback,
    NS.oob,
    NS.receipts,
    NS.correct,
    NS.retract,
    NS.reactions,
    NS.sid,
    NS.caps,
  ];
  // Exactly what is supported: nothing missing, nothing more.
  assert.deepEqual([...features].sort(), [...expected].sort());
  assert.equal(features.length, FEATURES.length);
  assert.equal(NS.correct, "urn:xmpp:message-correct:0");
  assert.equal(NS.retract, "urn:xmpp:message-retract:1");
  assert.equal(NS.reactions, "urn:xmpp:reactions:0");
});

Deno.test("the capabilities node is answered, other nodes are not", async () => {
  const ver = await capsVer();
  const caps = discoInfo(`${CAPS_NODE}#${ver}`, ver);
  assert.equal(caps.attrs.node, `${CAPS_NODE}#${ver}`);
  const other = discoInfo("http://example.org/other", ver);
  assert.ok(other.is("error"));
  assert.ok(other.getChild("item-not-found", NS.stanzas));
});

Deno.test("the capabilities hash follows XEP-0115 (checked against its worked example)", async () => {
  // Recompute the XEP-0115 §5.2 example with the same algorithm to check the encoding.
  const s = "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<" +
    "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<" +
    "http://jabber.org/protocol/muc<";
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s));
  assert.equal(
    btoa(String.fromCharCode(...new Uint8Array(digest))),
    "QgayPKawpkPSDYmwT/WM94uAlu0=",
  );
  const ver = await capsVer();
  assert.match(ver, /^[A-Za-z0-9+/]{27}=$/);
  assert.equal(capsElement(ver).attrs.ver, ver);
  assert.equal(capsElement(ver).attrs.hash, "sha-1");
});
