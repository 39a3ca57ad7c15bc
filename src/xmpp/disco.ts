/**
 * What the bot tells other entities about itself: its XEP-0030 service discovery answer (an
 * automated client, and the protocol features it implements) and the XEP-0115 capabilities hash
 * announced in its presence, so clients know, without asking, that it understands replies.
 *
 * @module
 */
import { NS } from "./ns.ts";
import { element, type XmlElement } from "./xml.ts";

/** The software's node in XEP-0115 capabilities. */
export const CAPS_NODE = "urn:xmpp-ap-bridge:bot";

/** The identity the bot gives (XEP-0030 registry: an automated client). */
export const IDENTITY = { category: "client", type: "bot", name: "xmpp-ap-bridge" } as const;

/**
 * The features the bot implements, exactly: receipts that mean delivery (XEP-0184), corrections
 * (XEP-0308), retractions (XEP-0424), reactions (XEP-0444), replies (XEP-0461) with their
 * fallbacks (XEP-0428), attachments (XEP-0066), stable ids (XEP-0359), pings and capabilities.
 */
export const FEATURES: readonly string[] = [
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

/** The XEP-0115 verification string of {@link IDENTITY} and {@link FEATURES} (SHA-1, base64). */
export async function capsVer(): Promise<string> {
  const identity = `${IDENTITY.category}/${IDENTITY.type}//${IDENTITY.name}<`;
  const features = [...FEATURES].sort().map((f) => `${f}<`).join("");
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(identity + features),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The `<c/>` element for presences. */
export function capsElement(ver: string): XmlElement {
  return element("c", { xmlns: NS.caps, hash: "sha-1", node: CAPS_NODE, ver });
}

/**
 * The answer to a disco#info request for `node` (none, or our capabilities node): the query
 * payload, or an `<error/>` for another node.
 */
export function discoInfo(node: string | undefined, ver: string): XmlElement {
  if (node !== undefined && node !== `${CAPS_NODE}#${ver}`) {
    return element("error", { type: "cancel" }, element("item-not-found", { xmlns: NS.stanzas }));
  }
  return element(
    "query",
    { xmlns: NS.discoInfo, node },
    element("identity", { ...IDENTITY }),
    ...FEATURES.map((feature) => element("feature", { var: feature })),
  );
}
