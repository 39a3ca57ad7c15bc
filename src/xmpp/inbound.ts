/**
 * Turns what the XMPP server sends the bot into plain values: a core {@link Inbound} (with its
 * dedupe key), a bounce of a message we sent, or a reason to ignore the stanza. Pure: no I/O.
 *
 * - corrections, retractions and reactions (native.ts) are changes of a carried message;
 * - `chat` and `normal` messages with a `<body/>` are messages. A XEP-0461 `<reply/>` gives
 *   `inReplyTo`, and the quote that XEP-0428 marks as its fallback is cut from the text.
 * - `subscribe` and `unsubscribe` presences are (un)registrations.
 * - Encrypted messages (OMEMO, OpenPGP for XMPP, legacy `jabber:x:encrypted`, any XEP-0380
 *   `<encryption/>`) are never read as text: their body is only a fallback ("I sent you an OMEMO
 *   encrypted message"). They become an `encrypted` event, which the core explains.
 * - A XEP-0184 `<received/>` is a receipt for a message the bot sent.
 * - `error` messages are bounces of what we sent; group chat, headlines, carbons, body-less
 *   messages (chat states) and anything from a server or from the bot's own account are
 *   ignored.
 *
 * @module
 */
import {
  type AmendInbound,
  type Inbound,
  type MediaItem,
  type StatusExtras,
  XMPP,
} from "../core/types.ts";
import { readAmend } from "./native.ts";
import { bareJid, isAccountJid } from "./jid.ts";
import { NS } from "./ns.ts";
import type { XmlElement } from "./xml.ts";

/**
 * The longest body handed to the core, in UTF-16 code units (64 Ki). A longer body reaches the
 * core cut to this length plus one, so the core's own length rule (`MAX_INBOUND_CHARS`, smaller;
 * a test checks it) refuses it with its translated explanation, and the megabytes stay here.
 */
export const MAX_BODY_CHARS = 65_536;

/** What one stanza means to the bot. */
export type StanzaEvent =
  | {
    readonly kind: "inbound";
    readonly inbound: Inbound;
    /** `xmpp:<bare jid>:<stanza id>`, or null for a stanza without id (and for presences). */
    readonly dedupeKey: string | null;
    /** The body was over {@link MAX_BODY_CHARS} and was cut. */
    readonly oversize: boolean;
  }
  | {
    /** An error returned for a message we sent. */
    readonly kind: "bounce";
    readonly id: string;
    /** The RFC 6120 condition, e.g. `service-unavailable`. */
    readonly condition: string;
    /** Bare JID the error came from (the recipient, or its server on its behalf). */
    readonly from: string;
  }
  | {
    /** A XEP-0184 receipt: the recipient's client got message `id` the bot sent. */
    readonly kind: "receipt";
    readonly id: string;
    /** Bare JID of the account whose client confirmed it. */
    readonly from: string;
  }
  | { readonly kind: "ignore"; readonly reason: string };

/** Namespaces whose payload means the message is encrypted. */
const ENCRYPTED_NS: ReadonlySet<string> = new Set([
  NS.omemoLegacy,
  NS.omemo2,
  NS.openpgp,
  NS.pgpLegacy,
  NS.eme,
]);

/** Whether a message carries an encrypted payload or a XEP-0380 encryption marker. */
export function isEncrypted(stanza: XmlElement): boolean {
  return stanza.getChildElements().some((child) => ENCRYPTED_NS.has(child.getNS() ?? ""));
}

/**
 * Reads a `<message/>` or `<presence/>` received by `botJid` (bare). `newId` makes an id for a
 * message that came without one.
 */
export function readStanza(
  stanza: XmlElement,
  botJid: string,
  newId: () => string = () => `local-${crypto.randomUUID()}`,
): StanzaEvent {
  const from = stanza.attrs.from;
  if (from === undefined || from === "") return ignore("no sender");
  if (stanza.is("presence")) return readPresence(stanza, from, botJid);
  if (!stanza.is("message")) return ignore(`a <${stanza.name}/> stanza`);
  const type = stanza.attrs.type ?? "normal";
  if (type === "error") return readBounce(stanza, from);
  if (!isAccountJid(from)) return ignore("not from a user account");
  const sender = bareJid(from);
  if (sender === bareJid(botJid)) return ignore("from the bot's own account");
  if (type !== "chat" && type !== "normal") return ignore(`a ${type} message`);
  if (stanza.getChild("received", NS.carbons) || stanza.getChild("sent", NS.carbons)) {
    return ignore("a carbon copy");
  }
  const stanzaId = nonEmpty(stanza.attrs.id) ??
    nonEmpty(stanza.getChild("origin-id", NS.sid)?.attrs.id);
  if (isEncrypted(stanza)) {
    return {
      kind: "inbound",
      inbound: { kind: "encrypted", from: { network: XMPP, address: sender } },
      dedupeKey: stanzaId === null ? null : dedupeKey(sender, stanzaId),
      oversize: false,
    };
  }
  const body = stanza.getChildText("body");
  const amend = readAmend(
    stanza,
    sender,
    body?.slice(0, MAX_BODY_CHARS + 1) ?? null,
    stanzaId ?? newId(),
  );
  if (amend !== null) return amendEvent(amend, sender, stanzaId);
  if (body === null) return readReceipt(stanza, sender);
  const oversize = body.length > MAX_BODY_CHARS;
  const text = oversize ? body.slice(0, MAX_BODY_CHARS + 1) : stripReplyFallback(body, stanza);
  const inReplyTo = nonEmpty(stanza.getChild("reply", NS.reply)?.attrs.id) ?? null;
  const lang = nonEmpty(stanza.attrs["xml:lang"]) ??
    nonEmpty(stanza.getChild("body")?.attrs["xml:lang"]) ?? null;
  const wantsReceipt = stanzaId !== null && stanza.getChild("request", NS.receipts) !== undefined;
  return {
    kind: "inbound",
    inbound: {
      kind: "message",
      from: { network: XMPP, address: sender },
      id: stanzaId ?? newId(),
      text,
      inReplyTo,
      lang,
      extras: sharedFiles(stanza, text),
      receipt: wantsReceipt ? { jid: from, id: stanzaId } : null,
    },
    dedupeKey: stanzaId === null ? null : dedupeKey(sender, stanzaId),
    oversize,
  };
}

/** The most files taken from one message (Mastodon attaches at most 4 to a status). */
const MAX_SHARED_FILES = 4;

/**
 * The files a message shares (XEP-0066 `<x xmlns="jabber:x:oob"/>`, as HTTP File Upload clients
 * send them): each with its `<desc/>` as alt text. Only a URL that is also in the text counts, so
 * nothing reaches the Fediverse that the sender's own client did not show. Null when none.
 */
function sharedFiles(stanza: XmlElement, text: string): StatusExtras | null {
  const media: MediaItem[] = [];
  for (const x of stanza.getChildren("x", NS.oob)) {
    const url = x.getChildText("url")?.trim() ?? "";
    if (url === "" || !text.includes(url) || media.some((m) => m.url === url)) continue;
    const desc = x.getChildText("desc")?.trim() ?? "";
    media.push({ url, description: desc === "" ? null : desc, type: "unknown" });
    if (media.length >= MAX_SHARED_FILES) break;
  }
  return media.length === 0 ? null : { spoiler: null, media, pollUrl: null };
}

/** A correction, retraction or reaction, deduplicated by its own stanza id. */
function amendEvent(amend: AmendInbound, sender: string, stanzaId: string | null): StanzaEvent {
  return {
    kind: "inbound",
    inbound: amend,
    dedupeKey: stanzaId === null ? null : dedupeKey(sender, stanzaId),
    oversize: false,
  };
}

/** The key under which the core remembers a handled message. */
export function dedupeKey(bare: string, stanzaId: string): string {
  return `xmpp:${bare}:${stanzaId}`;
}

function readPresence(stanza: XmlElement, from: string, botJid: string): StanzaEvent {
  const type = stanza.attrs.type ?? "available";
  if (type !== "subscribe" && type !== "unsubscribe") return ignore(`a ${type} presence`);
  if (!isAccountJid(from)) return ignore("not from a user account");
  const sender = bareJid(from);
  if (sender === bareJid(botJid)) return ignore("from the bot's own account");
  return {
    kind: "inbound",
    inbound: { kind: type, from: { network: XMPP, address: sender } },
    dedupeKey: null,
    oversize: false,
  };
}

/** A body-less message: a XEP-0184 receipt for one of ours, or nothing to act on. */
function readReceipt(stanza: XmlElement, sender: string): StanzaEvent {
  const id = nonEmpty(stanza.getChild("received", NS.receipts)?.attrs.id);
  if (id === null) return ignore("no body");
  return { kind: "receipt", id, from: sender };
}

function readBounce(stanza: XmlElement, from: string): StanzaEvent {
  const id = nonEmpty(stanza.attrs.id);
  if (id === null) return ignore("an error without id");
  return { kind: "bounce", id, condition: errorCondition(stanza), from: bareJid(from) };
}

/** The defined condition of a stanza's `<error/>`, `undefined-condition` when there is none. */
export function errorCondition(stanza: XmlElement): string {
  const error = stanza.getChild("error");
  const condition = error?.getChildElements().find((c) =>
    c.getNS() === NS.stanzas && c.name !== "text"
  );
  return condition?.name ?? "undefined-condition";
}

/**
 * `body` without the parts that XEP-0428 marks as the fallback of a XEP-0461 reply (the quote of
 * the message answered). Offsets count Unicode code points; a `<body/>` child without offsets
 * covers the whole body. Bad ranges are ignored.
 */
export function stripReplyFallback(body: string, stanza: XmlElement): string {
  const chars = Array.from(body);
  const ranges: [number, number][] = [];
  for (const fallback of stanza.getChildren("fallback", NS.fallback)) {
    if (fallback.attrs.for !== NS.reply) continue;
    for (const part of fallback.getChildren("body")) {
      const start = offset(part.attrs.start, 0);
      const end = offset(part.attrs.end, chars.length);
      if (start === null || end === null || start > end || end > chars.length) continue;
      ranges.push([start, end]);
    }
  }
  if (ranges.length === 0) return body;
  const cut = new Array<boolean>(chars.length).fill(false);
  for (const [start, end] of ranges) cut.fill(true, start, end);
  return chars.filter((_, i) => !cut[i]).join("");
}

function offset(value: string | undefined, missing: number): number | null {
  if (value === undefined) return missing;
  if (!/^\d+$/.test(value)) return null;
  return Number(value);
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}

function ignore(reason: string): StanzaEvent {
  return { kind: "ignore", reason };
}
