/**
 * Corrections, retractions and reactions (issue 16, items 2 to 4): a change to a message that
 * crossed the bridge becomes the same change on the other network. The conversation records
 * hold both ids of every delivery (`source_id` on the sender's network, `posted_id` on the
 * recipient's), which is all the core needs to find the message on the other side:
 *
 * - an XMPP correction or retraction names the sender's own stanza id: the records with that
 *   source id give the status (its posted id) and its recipients;
 * - an XMPP reaction names the stanza id of the message the user got: the record with that
 *   posted id, to that user, gives the status it came from (its source id);
 * - a Fediverse edit or deletion names the status: the records with that source id give each
 *   XMPP recipient's stanza id; a favourite names the bot's status: the record with that posted
 *   id, to the one who favourited it, gives the XMPP user's own stanza id.
 *
 * XMPP users are told when their change cannot go through (the message was not bridged, or is
 * older than {@link AMEND_WINDOW_MS}); a change from the Fediverse to something the bridge did
 * not carry is left alone (the status was never bridged: nobody on XMPP waits for it).
 * Each change is recorded in the dedupe under its own version key, so the same edit arriving
 * by two ways (stream event and notification) goes out once.
 *
 * @module
 */
import { OUTBOX_GIVEN_UP } from "../store/mod.ts";
import type { Turn } from "./context.ts";
import { languageOf, parseFor } from "./deps.ts";
import { senderApp, statusThread } from "./delivery.ts";
import { accountText } from "./account_text.ts";
import { renderHeader, renderStatusBody } from "./render.ts";
import { fediLength } from "./fedi_length.ts";
import type { ConversationRecord } from "../store/mod.ts";
import {
  type Account,
  type AmendEffect,
  type AmendInbound,
  type Effect,
  FEDI,
  XMPP,
} from "./types.ts";

/** How long after it crossed a message can still be corrected, retracted or reacted to. */
export const AMEND_WINDOW_MS = 24 * 60 * 60_000;

/** The reaction a Fediverse favourite becomes on XMPP. */
export const FAVOURITE_REACTION = "\u2b50";

/** Handles one change; everything is committed through the turn. */
export function handleAmend(turn: Turn, inbound: AmendInbound): void {
  const { store } = turn.deps;
  const versionKey = `amend:${inbound.action}:${inbound.target}:${inbound.version}`;
  if (store.inbound.isHandled(turn.sender.network, versionKey)) return;
  const effects = turn.sender.network === XMPP ? fromXmpp(turn, inbound) : fromFedi(turn, inbound);
  turn.commit(() => {
    if (effects === null) return;
    store.inbound.markHandled(turn.sender.network, versionKey, turn.deps.now());
    const withdrawn = inbound.action === "retract" ? withdrawQueued(turn, inbound.target) : [];
    // A copy taken back before it went needs no retraction.
    turn.effects.push(
      ...effects.filter((e) => e.kind !== "amend" || !withdrawn.includes(e.target)),
    );
  });
}

/** The records an XMPP user's change is about, or null after a refusal. */
function xmppTargets(turn: Turn, inbound: AmendInbound): ConversationRecord[] | null {
  const { conversations } = turn.deps.store;
  const records = inbound.action === "react"
    ? conversations.findByPostedId(XMPP, inbound.target)
      .filter((r) => r.recipient === turn.sender.address && r.sourceId !== null)
    : conversations.findBySourceId(XMPP, turn.sender.address, inbound.target);
  if (records.length === 0) {
    turn.refuse("amend.not_bridged");
    return null;
  }
  if (records.some((r) => r.at < turn.deps.now() - AMEND_WINDOW_MS)) {
    turn.refuse("amend.too_old", { hours: AMEND_WINDOW_MS / 3_600_000 });
    return null;
  }
  return records;
}

/** An XMPP user's correction, retraction or reaction: one change of one status. */
function fromXmpp(turn: Turn, inbound: AmendInbound): Effect[] | null {
  const records = xmppTargets(turn, inbound);
  if (records === null) return null;
  const first = records[0]!;
  if (inbound.action === "react") {
    const to: Account = { network: FEDI, address: first.sender };
    return [amend(turn, inbound, to, first.sourceId!, "")];
  }
  const posted = records.find((r) => r.postedId !== null)?.postedId ?? null;
  if (posted === null) {
    // Not posted yet: a retraction takes the queued status back (below); an edit must wait.
    if (inbound.action === "retract") return [];
    turn.refuse("amend.not_yet");
    return null;
  }
  const to = records.map((r): Account => ({ network: FEDI, address: r.recipient }));
  if (inbound.action === "retract") return [amend(turn, inbound, to[0]!, posted, "")];
  const text = editedStatus(turn, inbound, to);
  return text === null ? null : [amend(turn, inbound, to[0]!, posted, text)];
}

/**
 * The edited status, rendered as the original was; null (refused) when it no longer fits one
 * status (an edit changes one status: it cannot grow into a thread).
 */
function editedStatus(turn: Turn, inbound: AmendInbound, to: readonly Account[]): string | null {
  const parsed = parseFor(turn.deps.config, inbound.text, turn.sender);
  const route = { recipients: to, answers: new Map(), repliedTo: new Set<string>() };
  const parts = statusThread(turn, parsed.text, route, to);
  if (parts !== null && parts.length === 1) return parts[0]!;
  const limits = turn.deps.fediLimits();
  const length = fediLength(parsed.text, limits.charactersReservedPerUrl);
  turn.refuse("send.too_long", { max: limits.maxCharacters, count: length });
  return null;
}

/** A Fediverse edit, deletion or favourite: one change per XMPP copy. */
function fromFedi(turn: Turn, inbound: AmendInbound): Effect[] | null {
  const { conversations } = turn.deps.store;
  const records = inbound.action === "react"
    ? conversations.findByPostedId(FEDI, inbound.target)
      .filter((r) => r.recipient === turn.sender.address && r.sourceId !== null)
    : conversations.findBySourceId(FEDI, turn.sender.address, inbound.target)
      .filter((r) => r.postedId !== null);
  const since = turn.deps.now() - AMEND_WINDOW_MS;
  const fresh = records.filter((r) => r.at >= since);
  if (fresh.length === 0) return null;
  if (inbound.action === "react") {
    const r = fresh[0]!;
    const to: Account = { network: XMPP, address: r.sender };
    return [amend(turn, inbound, to, r.sourceId!, "", [FAVOURITE_REACTION])];
  }
  return fresh.map((r) => {
    const to: Account = { network: XMPP, address: r.recipient };
    return amend(turn, inbound, to, r.postedId!, xmppText(turn, inbound, to));
  });
}

/** The text an XMPP copy gets: the corrected message, or the retraction's fallback body. */
function xmppText(turn: Turn, inbound: AmendInbound, to: Account): string {
  const { deps } = turn;
  const lang = languageOf(deps, to);
  if (inbound.action === "retract") return deps.i18n.t(lang, "amend.retracted_fallback");
  const parsed = parseFor(deps.config, inbound.text, turn.sender);
  const header = renderHeader(
    deps.i18n,
    lang,
    "new",
    senderApp(turn),
    accountText(turn, turn.sender),
  );
  const body = renderStatusBody(deps.i18n, lang, parsed.text, inbound.extras);
  return body === "" ? header : `${header}\n${body}`;
}

function amend(
  turn: Turn,
  inbound: AmendInbound,
  to: Account,
  target: string,
  text: string,
  reactions: readonly string[] = inbound.reactions,
): AmendEffect {
  return {
    kind: "amend",
    action: inbound.action,
    to,
    from: turn.sender,
    target,
    text,
    reactions,
    lang: to.network === XMPP ? languageOf(turn.deps, to) : turn.lang,
    senderLang: turn.lang,
  };
}

/**
 * A retraction of a message still queued: the delivery is taken back before it goes (its text
 * leaves the outbox, its records go). Call inside a commit. Returns the stanza ids of the XMPP
 * copies taken back.
 */
function withdrawQueued(turn: Turn, sourceId: string): string[] {
  const withdrawn: string[] = [];
  const { store, now } = turn.deps;
  const network = turn.sender.network === XMPP ? FEDI : XMPP;
  for (const row of store.outbox.pendingContaining(network, JSON.stringify(sourceId))) {
    let effect: Effect;
    try {
      effect = JSON.parse(row.payload) as Effect;
    } catch {
      continue;
    }
    if (effect.kind !== "deliver" || effect.sourceId !== sourceId) continue;
    if (effect.from.address !== turn.sender.address) continue;
    store.outbox.close(row.id, OUTBOX_GIVEN_UP, now(), "retracted by its sender");
    store.conversations.deleteIds(effect.records);
    if (effect.messageId !== null) withdrawn.push(effect.messageId);
  }
  return withdrawn;
}
