/**
 * The outbox's {@link NetworkSender} for XMPP: sends one effect over the bot's session and says
 * how it went. Never retries by itself: a transient failure is retried by the outbox with the
 * same key, hence the same stanza ids.
 *
 * An effect that takes several stanzas (a delivery with attachments, a contact removal) is
 * sent in order, each waiting for the server's acknowledgement; the parts already acknowledged
 * are remembered per key (in memory), so a retry in the same process sends only the rest.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { type Effect, XMPP } from "../core/types.ts";
import { failed, type NetworkSender, type SendResult, sent } from "../core/ports.ts";
import type { Delivery } from "./ack_tracker.ts";
import { checkJid } from "../text/address.ts";
import { describeError } from "./errors.ts";
import { SUSPECT_LIMIT } from "./poison.ts";
import { bareJid, isAccountJid } from "./jid.ts";
import {
  deliverStanzas,
  noticeId,
  noticeStanza,
  presenceStanza,
  receiptStanza,
  rosterRemoveIq,
} from "./outbound.ts";
import type { XmlElement } from "./xml.ts";
import { amendStanza } from "./native.ts";

/** What the sender needs of the session. */
export interface SenderLink {
  readonly ready: boolean;
  /** Sends and resolves once the server acknowledged the stanza (or failed). */
  send(stanza: XmlElement): Promise<Delivery>;
  /** An IQ request; rejects on an error answer (a `StanzaError`), a timeout, or offline. */
  request(iq: XmlElement): Promise<XmlElement>;
  readonly roster: { subscribedTo(jid: string): boolean };
}

/** How many keys' partial progress is remembered at most. */
const MAX_REMEMBERED = 1_000;

export class XmppSender implements NetworkSender {
  readonly network = XMPP;
  readonly #link: SenderLink;
  readonly #log: Logger;
  /** Outbox key -> number of its stanzas already acknowledged. */
  readonly #progress = new Map<string, number>();
  /** Outbox key -> stream errors traced to it so far (see poison.ts). */
  readonly #suspects = new Map<string, number>();
  /** How many effects the outbox may have in flight at once (the session's send window). */
  readonly window: number;

  constructor(link: SenderLink, log: Logger, window = 1) {
    this.#link = link;
    this.#log = log;
    this.window = window;
  }

  async send(effect: Effect, key: string): Promise<SendResult> {
    const recipients = effect.kind === "deliver" ? effect.to : [effect.to];
    const foreign = recipients.find((a) => a.network !== XMPP);
    if (foreign !== undefined) return permanent("not an XMPP recipient");
    if (recipients.length === 0) return permanent("no recipient");
    if (recipients.some((a) => !isAccountJid(a.address))) return permanent("not a valid JID");
    if (!this.#link.ready) return transient("not connected to the XMPP server");

    switch (effect.kind) {
      case "notice": {
        const stanza = noticeStanza(effect, key);
        return await this.#sendAll(key, [stanza], stanza.attrs.id ?? null);
      }
      case "deliver":
        return await this.#sendAll(
          key,
          deliverStanzas(effect, key),
          effect.messageId ?? noticeId(key),
        );
      case "contact":
        return await this.#contact(effect, key);
      case "receipt": {
        // Only to the account whose message it confirms.
        if (bareJid(effect.request.jid) !== effect.to.address) return permanent("not the sender");
        const stanza = receiptStanza(effect.request.jid, effect.request.id, key);
        return await this.#sendAll(key, [stanza], null);
      }
      case "amend":
        return await this.#sendAll(key, [amendStanza(effect, key)], effect.target);
    }
  }

  async #contact(effect: Extract<Effect, { kind: "contact" }>, key: string): Promise<SendResult> {
    const jid = effect.to.address;
    switch (effect.action) {
      case "subscribed":
      case "unsubscribed":
        return await this.#sendAll(key, [presenceStanza(jid, effect.action)], null);
      case "subscribe":
        // Already receiving their presence: asking again would only bother the user.
        if (this.#link.roster.subscribedTo(jid)) return sent(null);
        return await this.#sendAll(key, [presenceStanza(jid, "subscribe")], null);
      case "remove": {
        const presences = await this.#sendAll(key, [
          presenceStanza(jid, "unsubscribe"),
          presenceStanza(jid, "unsubscribed"),
        ], null);
        if (!presences.ok) return presences;
        return await this.#removeFromRoster(jid);
      }
      default:
        return permanent(`"${effect.action}" is no XMPP contact action`);
    }
  }

  async #removeFromRoster(jid: string): Promise<SendResult> {
    try {
      await this.#link.request(rosterRemoveIq(jid));
      return sent(null);
    } catch (error) {
      const { name, condition, type } = error as {
        name?: unknown;
        condition?: unknown;
        type?: unknown;
      };
      if (name === "StanzaError") {
        // Not on the roster (any more): what we wanted.
        if (condition === "item-not-found") return sent(null);
        const reason = `the server refused the roster removal (${String(condition)})`;
        return type === "wait" ? transient(reason) : permanent(reason);
      }
      return transient(`roster removal: ${describeError(error)}`);
    }
  }

  /** Sends `stanzas` in order from the first one not yet acknowledged under `key`. */
  async #sendAll(key: string, stanzas: XmlElement[], postedId: string | null): Promise<SendResult> {
    // Last check before the wire: a stanza to something that is no JID would be bounced at best,
    // or close the stream at worst; retrying cannot fix it.
    const badTo = stanzas.find((s) => s.attrs.to !== undefined && !checkJid(s.attrs.to, false).ok);
    if (badTo !== undefined) return permanent("the recipient is not a valid JID");
    for (let i = this.#progress.get(key) ?? 0; i < stanzas.length; i++) {
      const delivery = await this.#link.send(stanzas[i]!);
      if (!delivery.ok) {
        this.#remember(key, i);
        if (delivery.suspect) return this.#suspect(key, delivery.reason);
        this.#log.debug("XMPP send incomplete: {reason}", {
          key,
          part: i,
          reason: delivery.reason,
        });
        return transient(delivery.reason);
      }
    }
    this.#progress.delete(key);
    this.#suspects.delete(key);
    return sent(postedId);
  }

  /** One more stream error traced to `key`: retried after backoff, given up at the limit. */
  #suspect(key: string, reason: string): SendResult {
    const count = (this.#suspects.get(key) ?? 0) + 1;
    this.#suspects.delete(key);
    if (count >= SUSPECT_LIMIT) {
      this.#log.warning("XMPP send given up: the server closed the stream {count} times on it", {
        key,
        count,
      });
      return permanent(`${reason}, ${count} times`);
    }
    this.#suspects.set(key, count);
    for (const oldest of this.#suspects.keys()) {
      if (this.#suspects.size <= MAX_REMEMBERED) break;
      this.#suspects.delete(oldest);
    }
    return failed(reason, false, { suspect: true });
  }

  #remember(key: string, done: number): void {
    this.#progress.delete(key);
    if (done === 0) return;
    this.#progress.set(key, done);
    for (const oldest of this.#progress.keys()) {
      if (this.#progress.size <= MAX_REMEMBERED) break;
      this.#progress.delete(oldest);
    }
  }
}

function transient(reason: string): SendResult {
  return failed(reason, false);
}

function permanent(reason: string): SendResult {
  return failed(reason, true);
}
