/**
 * The stanzas the bot sends for the core's effects. Pure: builds elements, sends nothing.
 *
 * Stanza ids are stable for a given effect: a delivery uses the id the core recorded
 * (`messageId`), a notice one derived from the outbox key, so a retry after a crash or a lost
 * acknowledgement sends the same ids again and clients can tell it is the same message.
 *
 * @module
 */
import type { Effect, MediaItem } from "../core/types.ts";
import { NS } from "./ns.ts";
import { wireJid } from "../text/address.ts";
import { element, type XmlElement, xmlSafe } from "./xml.ts";

export type NoticeEffect = Extract<Effect, { kind: "notice" }>;
export type DeliverEffect = Extract<Effect, { kind: "deliver" }>;

/** Separates a message id from the part number of its out-of-band attachments. */
const PART_SEPARATOR = "~";

export { xmlSafe };

/** The stanza id of a notice sent under outbox `key`. */
export function noticeId(key: string): string {
  return `bridge-n-${xmlSafe(key)}`;
}

/** The id of part `n` (1-based) of a message: its attachments, or copies to other recipients. */
export function partId(messageId: string, kind: "oob" | "to", n: number): string {
  return `${messageId}${PART_SEPARATOR}${kind}${n}`;
}

/** The message id a part id belongs to (the id itself when it names no part). */
export function baseMessageId(id: string): string {
  return id.replace(/~(?:oob|to)\d+(?:~oob\d+)?$/, "");
}

/** A chat message with a body, an XEP-0359 origin-id equal to its id, and optional extras. */
export function chatMessage(options: {
  readonly to: string;
  readonly id: string;
  readonly text: string;
  readonly lang?: string | undefined;
  /** The id of the message it answers (XEP-0461), if any. */
  readonly replyTo?: string | null | undefined;
  /** Ask the recipient's client for a XEP-0184 receipt. */
  readonly requestReceipt?: boolean;
}): XmlElement {
  const id = xmlSafe(options.id);
  return element(
    "message",
    { to: wireJid(options.to), type: "chat", id, "xml:lang": options.lang },
    element("body", {}, xmlSafe(options.text)),
    element("origin-id", { xmlns: NS.sid, id }),
    options.replyTo ? element("reply", { xmlns: NS.reply, id: xmlSafe(options.replyTo) }) : null,
    options.requestReceipt ? element("request", { xmlns: NS.receipts }) : null,
  );
}

/**
 * An attachment as its own message: the URL as body plus a XEP-0066 `<x/>` with the same URL,
 * which clients (Conversations, Dino, Gajim) show inline.
 */
export function mediaMessage(options: {
  readonly to: string;
  readonly id: string;
  readonly media: MediaItem;
  readonly lang?: string | undefined;
}): XmlElement {
  const id = xmlSafe(options.id);
  const url = xmlSafe(options.media.url);
  const description = options.media.description;
  return element(
    "message",
    { to: wireJid(options.to), type: "chat", id, "xml:lang": options.lang },
    element("body", {}, url),
    element(
      "x",
      { xmlns: NS.oob },
      element("url", {}, url),
      description ? element("desc", {}, xmlSafe(description)) : null,
    ),
    element("origin-id", { xmlns: NS.sid, id }),
  );
}

/** The notice as one chat message. */
export function noticeStanza(effect: NoticeEffect, key: string): XmlElement {
  return chatMessage({ to: effect.to.address, id: noticeId(key), text: effect.text });
}

/**
 * The stanzas of a delivery, in sending order: per recipient the text, then one message per
 * attachment. The first recipient's text carries `messageId` (the id the core recorded, which a
 * native reply will name); other parts get ids derived from it.
 */
export function deliverStanzas(effect: DeliverEffect, key: string): XmlElement[] {
  const base = effect.messageId ?? noticeId(key);
  const out: XmlElement[] = [];
  effect.to.forEach((account, index) => {
    const id = index === 0 ? base : partId(base, "to", index);
    out.push(chatMessage({
      to: account.address,
      id,
      text: effect.text,
      lang: effect.lang,
      replyTo: effect.inReplyTo,
      requestReceipt: true,
    }));
    effect.media.forEach((media, n) => {
      out.push(
        mediaMessage({
          to: account.address,
          id: partId(id, "oob", n + 1),
          media,
          lang: effect.lang,
        }),
      );
    });
  });
  return out;
}

/** A presence of `type` to `to` (subscription handling). */
export function presenceStanza(
  to: string,
  type: "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed",
): XmlElement {
  return element("presence", { to: wireJid(to), type });
}

/** The roster-set that removes `jid` from the bot's roster (RFC 6121 2.5). */
export function rosterRemoveIq(jid: string): XmlElement {
  return element(
    "iq",
    { type: "set" },
    element(
      "query",
      { xmlns: NS.roster },
      element("item", { jid: wireJid(jid), subscription: "remove" }),
    ),
  );
}

/**
 * A XEP-0184 receipt for message `id` of `to` (a full JID); `key` is the outbox key, so a retry
 * sends the same stanza id.
 */
export function receiptStanza(to: string, id: string, key: string): XmlElement {
  return element(
    "message",
    { to: wireJid(to), id: `bridge-r-${xmlSafe(key)}` },
    element("received", { xmlns: NS.receipts, id: xmlSafe(id) }),
  );
}
