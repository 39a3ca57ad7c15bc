/**
 * XML namespaces the adapter reads or writes.
 *
 * @module
 */
export const NS = {
  roster: "jabber:iq:roster",
  discoInfo: "http://jabber.org/protocol/disco#info",
  caps: "http://jabber.org/protocol/caps",
  ping: "urn:xmpp:ping",
  /** XEP-0461 message replies. */
  reply: "urn:xmpp:reply:0",
  /** XEP-0428 fallback indication. */
  fallback: "urn:xmpp:fallback:0",
  /** XEP-0066 out-of-band data. */
  oob: "jabber:x:oob",
  /** XEP-0184 delivery receipts. */
  receipts: "urn:xmpp:receipts",
  /** XEP-0359 unique and stable stanza ids. */
  sid: "urn:xmpp:sid:0",
  /** XEP-0280 message carbons. */
  carbons: "urn:xmpp:carbons:2",
  /** XEP-0198 stream management. */
  sm: "urn:xmpp:sm:3",
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  streams: "http://etherx.jabber.org/streams",
} as const;
