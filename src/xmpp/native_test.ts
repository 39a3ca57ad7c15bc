import assert from "node:assert/strict";
import type { AmendEffect } from "../core/types.ts";
import { FEDI, XMPP } from "../core/types.ts";
import { readStanza } from "./inbound.ts";
import { amendId, amendStanza, NATIVE_NS } from "./native.ts";
import { NS } from "./ns.ts";
import { element, type XmlElement } from "./xml.ts";

const BOT = "bridge@chat.test";

function message(id: string, ...children: XmlElement[]): XmlElement {
  return element(
    "message",
    { from: "alice@chat.test/phone", to: BOT, type: "chat", id },
    ...children,
  );
}

function amendOf(stanza: XmlElement) {
  const event = readStanza(stanza, BOT);
  assert.equal(event.kind, "inbound");
  if (event.kind !== "inbound") throw new Error("unreachable");
  assert.equal(event.dedupeKey, `xmpp:alice@chat.test:${stanza.attrs.id}`);
  const inbound = event.inbound;
  assert.equal(inbound.kind, "amend");
  if (inbound.kind !== "amend") throw new Error("unreachable");
  assert.deepEqual(inbound.from, { network: XMPP, address: "alice@chat.test" });
  return inbound;
}

Deno.test("a XEP-0308 correction is read as an edit of the message it replaces", () => {
  const inbound = amendOf(message(
    "c1",
    element("body", {}, "fixed text"),
    element("replace", { xmlns: NATIVE_NS.correct, id: "m1" }),
  ));
  assert.deepEqual(
    [inbound.action, inbound.target, inbound.text, inbound.version],
    ["edit", "m1", "fixed text", "c1"],
  );
});

Deno.test("a XEP-0424 retraction with its fallback body is read as a retraction", () => {
  const inbound = amendOf(message(
    "r1",
    element("retract", { xmlns: NATIVE_NS.retract, id: "m1" }),
    element("fallback", { xmlns: NS.fallback, for: NATIVE_NS.retract }),
    element("body", {}, "This person attempted to retract a previous message"),
  ));
  assert.deepEqual([inbound.action, inbound.target, inbound.text], ["retract", "m1", ""]);
});

Deno.test("the older retraction inside a XEP-0422 fastening is read too", () => {
  const inbound = amendOf(message(
    "r2",
    element(
      "apply-to",
      { xmlns: NATIVE_NS.fasten, id: "m3" },
      element("retract", { xmlns: NATIVE_NS.retractOld }),
    ),
    element("body", {}, "This person attempted to retract a previous message"),
  ));
  assert.deepEqual([inbound.action, inbound.target], ["retract", "m3"]);
});

Deno.test("XEP-0444 reactions are read with their emoji; an empty set takes them back", () => {
  const some = amendOf(message(
    "x1",
    element(
      "reactions",
      { xmlns: NATIVE_NS.reactions, id: "m9" },
      element("reaction", {}, "\u{1F44D}"),
      element("reaction", {}, " "),
    ),
  ));
  assert.deepEqual([some.action, some.target, some.reactions], ["react", "m9", ["\u{1F44D}"]]);
  const none = amendOf(
    message("x2", element("reactions", { xmlns: NATIVE_NS.reactions, id: "m9" })),
  );
  assert.deepEqual(none.reactions, []);
});

Deno.test("a correction without target, or without body, is no change", () => {
  const noId = readStanza(
    message("c2", element("body", {}, "x"), element("replace", { xmlns: NATIVE_NS.correct })),
    BOT,
  );
  assert.equal(noId.kind === "inbound" && noId.inbound.kind, "message");
  const noBody = readStanza(
    message("c3", element("replace", { xmlns: NATIVE_NS.correct, id: "m1" })),
    BOT,
  );
  assert.equal(noBody.kind, "ignore");
});

function effect(action: AmendEffect["action"], more: Partial<AmendEffect> = {}): AmendEffect {
  return {
    kind: "amend",
    action,
    to: { network: XMPP, address: "alice@chat.test" },
    from: { network: FEDI, address: "bob@social.test" },
    target: "bridge-msg-1",
    text: "",
    reactions: [],
    lang: "en",
    senderLang: "en",
    ...more,
  };
}

Deno.test("the stanzas of a change name the message the user got", () => {
  const edit = amendStanza(effect("edit", { text: "new <text>" }), "k1");
  assert.equal(edit.attrs.id, amendId("k1"));
  assert.equal(edit.getChildText("body"), "new <text>");
  assert.equal(edit.getChild("replace", NATIVE_NS.correct)?.attrs.id, "bridge-msg-1");

  const retract = amendStanza(effect("retract", { text: "[deleted]" }), "k2");
  assert.equal(retract.getChild("retract", NATIVE_NS.retract)?.attrs.id, "bridge-msg-1");
  assert.equal(retract.getChild("fallback", NS.fallback)?.attrs.for, NATIVE_NS.retract);
  assert.equal(retract.getChildText("body"), "[deleted]");

  const react = amendStanza(effect("react", { reactions: ["\u2b50"] }), "k3");
  const reactions = react.getChild("reactions", NATIVE_NS.reactions);
  assert.equal(reactions?.attrs.id, "bridge-msg-1");
  assert.deepEqual(reactions?.getChildren("reaction").map((r) => r.text()), ["\u2b50"]);
  assert.equal(react.getChild("body"), undefined);
});
