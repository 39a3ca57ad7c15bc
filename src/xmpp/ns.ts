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
  /** XEP-0308 last message correction. */
  correct: "urn:xmpp:message-correct:0",
  /** XEP-0424 message retraction. */
  retract: "urn:xmpp:message-retract:1",
  /** XEP-0444 message reactions. */
  reactions: "urn:xmpp:reactions:0",
  /** XEP-0380 explicit message encryption. */
  eme: "urn:xmpp:eme:0",
  /** XEP-0384 OMEMO, the legacy namespace most clients still use. */
  omemoLegacy: "eu.siacs.conversations.axolotl",
  /** XEP-0384 OMEMO 0.8 and later. */
  omemo2: "urn:xmpp:omemo:2",
  /** XEP-0373 OpenPGP for XMPP. */
  openpgp: "urn:xmpp:openpgp:0",
  /** XEP-0027 legacy OpenPGP. */
  pgpLegacy: "jabber:x:encrypted",
  /** XEP-0060 publish-subscribe (PEP, XEP-0163). */
  pubsub: "http://jabber.org/protocol/pubsub",
  /** XEP-0084 avatar data and metadata nodes. */
  avatarData: "urn:xmpp:avatar:data",
  avatarMetadata: "urn:xmpp:avatar:metadata",
  /** XEP-0054 vcard-temp and the XEP-0153 update in presence. */
  vcard: "vcard-temp",
  vcardUpdate: "vcard-temp:x:update",
  /** XEP-0359 unique and stable stanza ids. */
  sid: "urn:xmpp:sid:0",
  /** XEP-0280 message carbons. */
  carbons: "urn:xmpp:carbons:2",
  /** XEP-0198 stream management. */
  sm: "urn:xmpp:sm:3",
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  streams: "http://etherx.jabber.org/streams",
} as const;
