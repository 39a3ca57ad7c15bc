/**
 * From a Mastodon notification to the core's {@link Inbound}: which notifications count, who sent
 * them, and the status turned into text with its extras.
 *
 * A favourite of the bot's status and an `update` notification (an edited status) are changes of
 * a carried message (`amend` events), which the core looks up in its conversation records.
 *
 * Every mention of the bot is a message, whatever the status's visibility (public, unlisted,
 * followers-only or direct), as the old bridge had it; the answers always go out as `direct`
 * statuses (src/fedi/sender.ts), so nothing the bot says is public. How often one account is
 * answered is bounded by the core's flood control (src/core/flood.ts).
 *
 * @module
 */
import type { mastodon } from "masto";
import { fediAddress } from "../config/mod.ts";
import type { Account, AmendInbound, Inbound, MediaItem, StatusExtras } from "../core/types.ts";
import { FEDI } from "../core/types.ts";
import { htmlToText } from "../text/html.ts";

/** The notification types the bot acts on (and asks the catch-up for). */
export const HANDLED_TYPES = [
  "mention",
  "follow",
  "follow_request",
  "favourite",
  "update",
] as const;

export type HandledType = (typeof HANDLED_TYPES)[number];

/** Why a notification is not turned into an inbound event. */
export type SkipReason =
  | "own"
  | "type"
  | "no-status";

/** The result of reading a notification. */
export type Reading =
  | { readonly inbound: Inbound; readonly skip?: undefined }
  | { readonly inbound?: undefined; readonly skip: SkipReason };

export interface ReadContext {
  /** The domain of the bot's server (`ap_instance`), for accounts without one. */
  readonly apInstance: string;
  /** The bot's account id and address: its own notifications are ignored. */
  readonly botId: string | null;
  readonly botAddress: string;
}

/** `name` or `name@host` (as `acct` gives it) -> lower-cased `name@host`. */
export function accountAddress(acct: string, apInstance: string): string {
  return fediAddress(acct, apInstance);
}

export function isHandledType(type: string): type is HandledType {
  return (HANDLED_TYPES as readonly string[]).includes(type);
}

/** Reads one notification; `skip` says why there is nothing to hand to the core. */
export function readNotification(n: mastodon.v1.Notification, ctx: ReadContext): Reading {
  const address = accountAddress(n.account.acct, ctx.apInstance);
  // GoToSocial tells an account of its own mentions: answering them would never end.
  if ((ctx.botId !== null && n.account.id === ctx.botId) || address === ctx.botAddress) {
    return { skip: "own" };
  }
  const from = { network: FEDI, address } as const;
  switch (n.type) {
    case "follow":
    case "follow_request":
      return {
        inbound: {
          kind: "follow",
          from,
          accountId: n.account.id,
          request: n.type === "follow_request",
        },
      };
    case "mention": {
      const status = n.status;
      if (!status) return { skip: "no-status" };
      return { inbound: statusInbound(status, from, ctx.apInstance) };
    }
    case "favourite":
      if (!n.status) return { skip: "no-status" };
      return { inbound: favourite(n.status.id, from, n.id) };
    case "update":
      if (!n.status) return { skip: "no-status" };
      return { inbound: editedStatus(n.status, from, ctx.apInstance) };
    default:
      return { skip: "type" };
  }
}

/** A favourite of the bot's status `statusId`: a reaction, whose version is the notification. */
function favourite(statusId: string, from: Account, version: string): AmendInbound {
  return {
    kind: "amend",
    action: "react",
    from,
    target: statusId,
    text: "",
    reactions: ["\u2b50"],
    lang: null,
    extras: null,
    version,
  };
}

/**
 * An edited status (`update` notification or `status.update` stream event) as a change of the
 * message it was; its version is the edit's time, the same whichever way it came.
 */
export function editedStatus(
  status: mastodon.v1.Status,
  from: Account,
  apInstance: string,
): AmendInbound {
  const message = statusInbound(status, from, apInstance);
  return {
    kind: "amend",
    action: "edit",
    from,
    target: status.id,
    text: message.kind === "message" ? message.text : "",
    reactions: [],
    lang: status.language ?? null,
    extras: statusExtras(status),
    version: status.editedAt ?? status.createdAt,
  };
}

function statusInbound(
  status: mastodon.v1.Status,
  from: Account,
  apInstance: string,
): Inbound {
  const text = htmlToText(status.content ?? "", {
    mentions: (status.mentions ?? []).map((m) => ({ url: m.url, acct: m.acct })),
    localDomain: apInstance,
  });
  return {
    kind: "message",
    from,
    id: status.id,
    text,
    inReplyTo: status.inReplyToId ?? null,
    lang: status.language ?? null,
    extras: statusExtras(status),
  };
}

/** The content warning, attachments and poll of a status; null when it has none. */
export function statusExtras(status: mastodon.v1.Status): StatusExtras | null {
  const spoiler = status.spoilerText?.trim() ? status.spoilerText : null;
  const media: MediaItem[] = [];
  for (const a of status.mediaAttachments ?? []) {
    const url = a.url ?? a.remoteUrl ?? null;
    if (!url) continue;
    media.push({ url, description: a.description ?? null, type: a.type });
  }
  const pollUrl = status.poll ? (status.url ?? status.uri ?? null) : null;
  if (spoiler === null && media.length === 0 && pollUrl === null) return null;
  return { spoiler, media, pollUrl };
}
