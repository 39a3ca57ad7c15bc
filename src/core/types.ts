/**
 * The plain values that flow through the core: what an adapter hands in ({@link Inbound}) and
 * what the core decides must go out ({@link Effect}). No SDK type appears here.
 */
import { type AccountType, FEDI, XMPP } from "../store/mod.ts";

export { type AccountType, FEDI, XMPP };

/** An account on one of the two networks; `address` is lower-cased `name@host`. */
export interface Account {
  readonly network: AccountType;
  readonly address: string;
}

/** A media attachment of a Fediverse status. */
export interface MediaItem {
  readonly url: string;
  /** Alt text, when the author wrote one. */
  readonly description: string | null;
  /** Mastodon's attachment type: image, gifv, video, audio or unknown. */
  readonly type: string;
}

/**
 * How far the sending of an effect got, kept in its outbox row between the steps, so that a
 * restart goes on from there: neither a file nor a part of a thread is lost or sent twice.
 */
export interface SendProgress {
  /** Per item of `media`: the id of the uploaded file, or null when it goes as a link instead. */
  readonly media?: readonly (string | null)[];
  /** The ids of the statuses posted so far, one per part, in order. */
  readonly posted?: readonly string[];
}

/** What a Fediverse status carried besides its text. */
export interface StatusExtras {
  /** The content warning (spoiler text), or null. */
  readonly spoiler: string | null;
  readonly media: readonly MediaItem[];
  /** Link to the original status when it holds a poll (polls cannot cross). */
  readonly pollUrl: string | null;
}

/**
 * A sender's wish to hear when their message got through (XMPP: a XEP-0184 `<request/>`): the
 * address to answer (an XMPP full JID) and the id of their message.
 */
export interface ReceiptRequest {
  readonly jid: string;
  readonly id: string;
}

/** Something a bot received, already turned into plain values by its adapter. */
export type Inbound =
  | {
    readonly kind: "message";
    readonly from: Account;
    /** The message's id on its network: a status id, or an XMPP stanza id. */
    readonly id: string;
    /** Plain text (a status's HTML is converted by the Fediverse adapter). */
    readonly text: string;
    /**
     * What it answers: the status id of `in_reply_to_id`, or the id of the message an XMPP
     * native reply (XEP-0461) refers to. Null when it answers nothing.
     */
    readonly inReplyTo: string | null;
    /** The language the network says the message is in, if any. */
    readonly lang: string | null;
    readonly extras: StatusExtras | null;
    /**
     * The sender asked for a receipt: it is sent once every status the message produced was
     * accepted (or at once for a command); a refused or given-up message gets none.
     */
    readonly receipt?: ReceiptRequest | null;
  }
  /** An encrypted message the bridge cannot read (OMEMO, OpenPGP...): never parsed as text. */
  | { readonly kind: "encrypted"; readonly from: Account }
  | {
    /** A follow of the Fediverse bot (`request`: a follow request to a locked bot). */
    readonly kind: "follow";
    readonly from: Account;
    readonly accountId: string;
    readonly request: boolean;
  }
  | { readonly kind: "subscribe"; readonly from: Account }
  | { readonly kind: "unsubscribe"; readonly from: Account }
  | AmendInbound;

/**
 * What one can do to a message already carried (issue 16): `edit` it (XEP-0308, a status
 * edit), `retract` it (XEP-0424, a status deletion), or `react` to it (XEP-0444, a favourite).
 */
export type AmendAction = "edit" | "retract" | "react";

/** A change to a message that crossed the bridge before, as its author's network tells it. */
export type AmendInbound = {
  readonly kind: "amend";
  readonly action: AmendAction;
  readonly from: Account;
  /**
   * The message it is about: for `edit` and `retract`, the sender's own message (a stanza id or
   * a status id); for `react`, the message the sender received from the bridge.
   */
  readonly target: string;
  /** `edit`: the new plain text. Otherwise empty. */
  readonly text: string;
  /** `react`: the reactions now in place (none: all taken back). Otherwise empty. */
  readonly reactions: readonly string[];
  readonly lang: string | null;
  /** `edit` from the Fediverse: the status's extras after the edit. */
  readonly extras: StatusExtras | null;
  /**
   * What makes this change unique among changes of the same target (the status's `edited_at`,
   * a stanza id), recorded in the core's dedupe so that the same change never goes out twice.
   */
  readonly version: string;
};

/** A change of contact between a bot and an account of its network. */
export type ContactAction =
  /** Fediverse: follow the account back (no reblogs, no notifications). */
  | "follow"
  /** Fediverse: stop following it. */
  | "unfollow"
  /** Fediverse: accept a pending follow request. */
  | "authorize"
  /** Fediverse: refuse a pending follow request. */
  | "reject"
  /** XMPP: accept a subscription request. */
  | "subscribed"
  /** XMPP: refuse a subscription request. */
  | "unsubscribed"
  /** XMPP: ask for a subscription back (the adapter skips it when we already have one). */
  | "subscribe"
  /** XMPP: unsubscribe both ways and remove from the roster. */
  | "remove";

/** What must go out, produced in the same transaction as the state change that caused it. */
export type Effect =
  | {
    /**
     * A bot's own message to one account of its network: an answer, an explanation, a report
     * forwarded to an admin. On the Fediverse it is a direct status mentioning `to`.
     */
    readonly kind: "notice";
    readonly to: Account;
    readonly text: string;
    /** The message it answers on the recipient's network (a status id), or null. */
    readonly inReplyTo: string | null;
    /** What the Fediverse sender has done already (a notice that became a thread). */
    readonly progress?: SendProgress;
  }
  | {
    /** A message carried across the bridge. */
    readonly kind: "deliver";
    /** Recipients, all on one network: one XMPP account, or every Fediverse recipient. */
    readonly to: readonly Account[];
    readonly from: Account;
    /** Header line and text, ready to send (for the Fediverse: the parts joined). */
    readonly text: string;
    /** Fediverse: the statuses of the thread, when the text needs more than one. */
    readonly parts?: readonly string[];
    /** What the Fediverse sender has done already (files uploaded, parts posted). */
    readonly progress?: SendProgress;
    /** The posted message it answers on the recipients' network, or null. */
    readonly inReplyTo: string | null;
    /** The language of the text, for the status `language` or XMPP `xml:lang`. */
    readonly lang: string;
    /**
     * Attachments: to XMPP, one out-of-band message each after the text; to the Fediverse, the
     * files of an allowed media host, uploaded and attached to the (first) status.
     */
    readonly media: readonly MediaItem[];
    /** The source message's id on the sender's network. */
    readonly sourceId: string;
    /** Conversation records written for this delivery; the posted id goes there on success. */
    readonly records: readonly number[];
    /** XMPP: the stanza id to use (already recorded, so native replies find it). */
    readonly messageId: string | null;
    /** Tell the sender once it is delivered (`silent-send` off). Failures are always told. */
    readonly confirm: boolean;
    /** The sender's language, for the confirmation or the failure notice. */
    readonly senderLang: string;
    /**
     * The sender's receipt request, released once every row carrying it was sent (outbox
     * receipts.ts); dropped from them all when one is given up.
     */
    readonly receipt?: ReceiptRequest;
  }
  | {
    /** A XEP-0184 receipt to an XMPP sender: their message got through. */
    readonly kind: "receipt";
    /** The sender (bare JID): the lane, and the check of the address. */
    readonly to: Account;
    /** Where the receipt goes (the full JID the message came from) and the message's id. */
    readonly request: ReceiptRequest;
  }
  | AmendEffect
  | {
    readonly kind: "contact";
    readonly to: Account;
    readonly action: ContactAction;
    /** Fediverse: the account id, which follow and follow request calls need. */
    readonly accountId: string | null;
  };

/**
 * A change to a message already carried, sent to its recipients' network: the status edited,
 * deleted, (un)favourited; the XMPP message corrected, retracted, reacted to.
 */
export type AmendEffect = {
  readonly kind: "amend";
  readonly action: AmendAction;
  /** The recipient (on the Fediverse: the first of the status's recipients). */
  readonly to: Account;
  /** Whoever made the change, on the other network. */
  readonly from: Account;
  /** The posted message on the recipients' network: a status id, or an XMPP stanza id. */
  readonly target: string;
  /** `edit`: the full new text; `retract`: the fallback body for XMPP clients. */
  readonly text: string;
  /** `react`: the reactions to put in place (empty: take them all back). */
  readonly reactions: readonly string[];
  /** The language of the text. */
  readonly lang: string;
  /** The sender's language, for a notice when the change cannot go through. */
  readonly senderLang: string;
};
