/**
 * The copies a carried message becomes (SPEC §4): the one direct status for the Fediverse
 * recipients, or one chat message per XMPP recipient, each with its conversation record and its
 * `deliver` effect. Called by sending.ts inside the turn's commit.
 *
 * @module
 */
import { domainOf, languageOf } from "./deps.ts";
import type { Turn } from "./context.ts";
import type { ParsedMessage } from "./parse.ts";
import type { Route } from "./recipients.ts";
import { accountText } from "./account_text.ts";
import { fediStatusParts, renderHeader, renderStatusBody } from "./render.ts";
import { splitThread } from "./thread.ts";
import { type Account, type Effect, FEDI, type Inbound, type MediaItem, XMPP } from "./types.ts";
import { mediaHostAllowed } from "./media_hosts.ts";

/** An inbound chat message or status (not a contact event). */
export type MessageInbound = Extract<Inbound, { kind: "message" }>;

/** The sender's app label, as their user row has it. */
export function senderApp(turn: Turn): string {
  const user = turn.senderUser();
  return user?.app ?? (turn.sender.network === FEDI ? "Fediverse" : "XMPP");
}

/**
 * The status for the Fediverse recipients: their mentions and the header on the first line (in
 * the sender's language), then the text with every other at sign made inert (see
 * fediStatusParts), cut into a thread when it does not fit in one status (each later part starts
 * with the mentions again). Null when it would need more than `max-parts` statuses.
 */
export function statusThread(
  turn: Turn,
  text: string,
  route: Route,
  recipients: readonly Account[],
): string[] | null {
  const { deps } = turn;
  const kind = recipients.some((a) => route.repliedTo.has(a.address)) ? "reply" : "new";
  const header = renderHeader(
    deps.i18n,
    turn.lang,
    kind,
    senderApp(turn),
    accountText(turn, turn.sender),
  );
  const addresses = recipients.map((a) => a.address);
  const local = domainOf(deps.config.fediHandle);
  const { mentions, head, body } = fediStatusParts(deps.i18n, addresses, header, text, local);
  const prefixes = { first: `${mentions} ${head}\n`, rest: `${mentions} ` };
  return splitThread(prefixes, body, deps.fediLimits(), deps.config.maxParts);
}

/** XMPP to the Fediverse: one direct status for every recipient, recorded without a posted id. */
export function deliverToFedi(
  turn: Turn,
  inbound: MessageInbound,
  route: Route,
  recipients: readonly Account[],
  parts: readonly string[],
  now: number,
): void {
  const { deps, sender } = turn;
  const records = recipients.map((to) =>
    deps.store.conversations.record({
      recipientType: FEDI,
      recipient: to.address,
      sender: sender.address,
      at: now,
      sourceId: inbound.id,
      postedId: null,
    }).id
  );
  const inReplyTo = recipients.map((a) => route.answers.get(a.address)).find((id) => id) ?? null;
  turn.effects.push(deliverEffect(turn, {
    to: recipients,
    text: parts.join("\n\n"),
    ...(parts.length > 1 ? { parts } : {}),
    inReplyTo,
    media: xmppMedia(turn, inbound),
    sourceId: inbound.id,
    records,
    messageId: null,
  }));
}

/**
 * The Fediverse to XMPP: one chat message per recipient, header and labels in the recipient's
 * language, its stanza id chosen and recorded now (an XEP-0461 answer to it finds it at once).
 */
export function deliverToXmpp(
  turn: Turn,
  parsed: ParsedMessage,
  inbound: MessageInbound,
  route: Route,
  recipients: readonly Account[],
  now: number,
): void {
  const { deps, sender } = turn;
  const app = senderApp(turn);
  const from = accountText(turn, sender);
  for (const to of recipients) {
    const lang = languageOf(deps, to);
    const kind = route.repliedTo.has(to.address) ? "reply" : "new";
    const header = renderHeader(deps.i18n, lang, kind, app, from);
    const body = renderStatusBody(deps.i18n, lang, parsed.text, inbound.extras);
    const messageId = deps.newMessageId();
    const record = deps.store.conversations.record({
      recipientType: XMPP,
      recipient: to.address,
      sender: sender.address,
      at: now,
      sourceId: inbound.id,
      postedId: messageId,
    });
    turn.effects.push(deliverEffect(turn, {
      to: [to],
      text: body === "" ? header : `${header}\n${body}`,
      inReplyTo: route.answers.get(to.address) ?? null,
      media: inbound.extras?.media ?? [],
      sourceId: inbound.id,
      records: [record.id],
      messageId,
    }));
  }
}

/**
 * The files of an XMPP message that the Fediverse role will try to attach: those of an allowed
 * media host (`media-hosts`); the others stay links in the text.
 */
function xmppMedia(turn: Turn, inbound: MessageInbound): MediaItem[] {
  const hosts = turn.deps.config.mediaHosts;
  return (inbound.extras?.media ?? []).filter((m) => mediaHostAllowed(m.url, hosts));
}

type DeliverEffect = Extract<Effect, { kind: "deliver" }>;

function deliverEffect(
  turn: Turn,
  parts: Omit<DeliverEffect, "kind" | "from" | "lang" | "confirm" | "senderLang">,
): DeliverEffect {
  return {
    kind: "deliver",
    from: turn.sender,
    lang: turn.lang,
    confirm: !turn.deps.config.silentSend,
    senderLang: turn.lang,
    ...parts,
  };
}
