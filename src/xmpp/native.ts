/**
 * Corrections (XEP-0308), retractions (XEP-0424 with the XEP-0428 fallback body) and reactions
 * (XEP-0444): reading them from a user's message, and building the stanzas that carry a change
 * from the Fediverse. Pure: no I/O.
 *
 * Read: `<replace/>` of `urn:xmpp:message-correct:0`, `<retract/>` of `urn:xmpp:message-retract:1`
 * directly in the message (or, the older form, `urn:xmpp:message-retract:0` inside a XEP-0422
 * `<apply-to/>`), `<reactions/>` of `urn:xmpp:reactions:0`. Sent: the current forms only.
 * Each names the original message by its id (for a correction always the first message, never
 * an earlier correction: XEP-0308 asks clients to do so).
 *
 * @module
 */
import type { Account, AmendEffect, AmendInbound } from "../core/types.ts";
import { XMPP } from "../core/types.ts";
import { wireJid } from "../text/address.ts";
import { NS } from "./ns.ts";
import { element, type XmlElement, xmlSafe } from "./xml.ts";

/** The namespaces of this module (disco#info lists them as features). */
export const NATIVE_NS = {
  correct: "urn:xmpp:message-correct:0",
  retract: "urn:xmpp:message-retract:1",
  reactions: "urn:xmpp:reactions:0",
  hints: "urn:xmpp:hints",
  /** The older retraction, inside a XEP-0422 fastening: read, never sent. */
  retractOld: "urn:xmpp:message-retract:0",
  fasten: "urn:xmpp:fasten:0",
} as const;

/** At most this many reactions are kept from one message (a client sends a handful). */
const MAX_REACTIONS = 20;
/** The longest reaction kept, in UTF-16 code units (an emoji sequence is short). */
const MAX_REACTION_CHARS = 32;

/**
 * The change a message carries, or null when it carries none. `body` is the message's text
 * (already cut to size by the caller), `version` the stanza id (or a made-up one).
 */
export function readAmend(
  stanza: XmlElement,
  sender: string,
  body: string | null,
  version: string,
): AmendInbound | null {
  const base = {
    kind: "amend" as const,
    from: { network: XMPP, address: sender } as Account,
    lang: stanza.attrs["xml:lang"] || null,
    extras: null,
    version,
  };
  const retract = targetOf(stanza.getChild("retract", NATIVE_NS.retract)) ?? oldRetraction(stanza);
  if (retract !== null) {
    return { ...base, action: "retract", target: retract, text: "", reactions: [] };
  }
  const reactionsEl = stanza.getChild("reactions", NATIVE_NS.reactions);
  const reacted = targetOf(reactionsEl);
  if (reactionsEl !== undefined && reacted !== null) {
    const reactions = reactionsEl.getChildren("reaction")
      .map((r) => r.text().trim())
      .filter((r) => r !== "" && r.length <= MAX_REACTION_CHARS)
      .slice(0, MAX_REACTIONS);
    return { ...base, action: "react", target: reacted, text: "", reactions };
  }
  const replaced = targetOf(stanza.getChild("replace", NATIVE_NS.correct));
  if (replaced !== null && body !== null) {
    return { ...base, action: "edit", target: replaced, text: body, reactions: [] };
  }
  return null;
}

/** The target of a retraction in the older form (a XEP-0422 fastening), or null. */
function oldRetraction(stanza: XmlElement): string | null {
  const fastening = stanza.getChild("apply-to", NATIVE_NS.fasten);
  if (fastening?.getChild("retract", NATIVE_NS.retractOld) === undefined) return null;
  return targetOf(fastening);
}

function targetOf(el: XmlElement | undefined): string | null {
  const id = el?.attrs.id;
  return id === undefined || id === "" ? null : id;
}

/** The stanza id of the change sent under outbox `key`. */
export function amendId(key: string): string {
  return `bridge-a-${xmlSafe(key)}`;
}

/** The message that carries a change from the Fediverse to one XMPP user. */
export function amendStanza(effect: AmendEffect, key: string): XmlElement {
  const id = amendId(key);
  const target = xmlSafe(effect.target);
  const attrs = { to: wireJid(effect.to.address), type: "chat", id, "xml:lang": effect.lang };
  const originId = element("origin-id", { xmlns: NS.sid, id });
  const store = element("store", { xmlns: NATIVE_NS.hints });
  switch (effect.action) {
    case "edit":
      return element(
        "message",
        attrs,
        element("body", {}, xmlSafe(effect.text)),
        element("replace", { xmlns: NATIVE_NS.correct, id: target }),
        originId,
      );
    case "retract":
      return element(
        "message",
        attrs,
        element("retract", { xmlns: NATIVE_NS.retract, id: target }),
        element("fallback", { xmlns: NS.fallback, for: NATIVE_NS.retract }),
        element("body", {}, xmlSafe(effect.text)),
        originId,
        store,
      );
    case "react":
      return element(
        "message",
        attrs,
        element(
          "reactions",
          { xmlns: NATIVE_NS.reactions, id: target },
          ...effect.reactions.map((r) => element("reaction", {}, xmlSafe(r))),
        ),
        originId,
        store,
      );
  }
}
