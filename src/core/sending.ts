/**
 * Carrying a message across the bridge (SPEC §4): the refusals, the recipients, the per-recipient
 * checks, the text each side receives, and the conversation records, written in the same
 * transaction as the delivery effects so that an answer can never arrive before its target is
 * known.
 *
 * Decisions worth knowing:
 * - Sending needs the sender registered (they are registered on the spot when they are not, and
 *   a refusal of that stops the send). A Fediverse recipient must be registered too. An XMPP
 *   recipient need not be, as with the old bridge: a Fediverse user may write to any JID. One who
 *   left the bridge (unregistered, so revoked) is skipped with a note, though: they asked for
 *   it to stop.
 * - The rate limit counts deliveries (each sender-recipient pair) over the last
 *   {@link RATE_WINDOW_MINUTES} minutes, this message's included.
 * - A Fediverse user's mentions of other Fediverse accounts are never recipients: their server
 *   already delivered the status to them (and a reply in a thread mentions its participants on its
 *   own), so they are only explained when the message would otherwise go nowhere. An XMPP user
 *   naming other XMPP accounts is told each time, since that address was written on purpose.
 * - A direct status reaches every account it mentions: the text sent to the Fediverse has every
 *   mention of an account that is not a recipient made inert, so a quote or a skipped recipient
 *   cannot get around a block.
 * - The header of a copy for an XMPP user, and its section labels, are in that user's language;
 *   the status for Fediverse users (one for all) is in the sender's language.
 *
 * @module
 */
import type { MessageKey, Params } from "../i18n/mod.ts";
import { botAccounts } from "./deps.ts";
import type { Turn } from "./context.ts";
import { deliverToFedi, deliverToXmpp, type MessageInbound, statusThread } from "./delivery.ts";
import type { ParsedMessage } from "./parse.ts";
import { namedAccounts, resolveRoute, type Route } from "./recipients.ts";
import { accountText, commandText } from "./account_text.ts";
import { activeUser, registerAccount } from "./registration.ts";
import { defuseMentions, hasExtras } from "./render.ts";
import { type Account, FEDI, XMPP } from "./types.ts";

/** The window of the rate limit (`max-user-rate` deliveries per this many minutes). */
export const RATE_WINDOW_MINUTES = 5;

/** Why one recipient does not get the message. */
export type SkipReason = "bridge-blocked" | "unregistered" | "you-block" | "blocked-by";

/**
 * Carries a message that is neither a command nor only a language setting (SPEC §4). Every
 * outcome is committed through the turn: a refusal as one answer with nothing recorded; a delivery
 * as its notes, records and `deliver` effects in one transaction.
 */
export async function handleSend(
  turn: Turn,
  parsed: ParsedMessage,
  inbound: MessageInbound,
): Promise<void> {
  const { deps, sender } = turn;
  const { config } = deps;
  const extras = sender.network === FEDI ? inbound.extras : null;
  // Nothing to carry (the engine drops empty messages; this is a second guard).
  if (parsed.text.trim() === "" && !hasExtras(extras)) return;
  if (refusedBeforeRouting(turn, parsed)) return;

  const named = namedAccounts(deps, sender, parsed);
  const resolution = resolveRoute(deps, sender, parsed, inbound.inReplyTo);
  if (!resolution.ok) return refuseNoRecipient(turn, named.sameNetwork);
  const route = resolution.route;

  if (route.recipients.length > config.maxDestToSend) {
    return refuse(turn, "send.too_many", {
      max: config.maxDestToSend,
      count: route.recipients.length,
    });
  }

  if (activeUser(turn, sender) === undefined) {
    // Not the last step: the message stays unhandled (for a replay) until it is delivered.
    const registered = await turn.withoutMark(() =>
      registerAccount(turn, { trigger: "message", statusLang: inbound.lang })
    );
    if (!registered) return;
  }

  const { deliverable, skipped } = sortRecipients(turn, route.recipients);
  const now = deps.now();
  if (refusedByRate(turn, deliverable.length, now)) return;
  // The status for the Fediverse is checked before anything is said or recorded.
  const fediText = sender.network === XMPP && deliverable.length > 0
    ? fittingStatus(turn, parsed, route, deliverable)
    : null;
  if (fediText === false) return;

  if (sender.network === XMPP && named.sameNetwork.length > 0) {
    turn.reply("send.same_network_xmpp", { names: xmppNames(turn, named.sameNetwork) });
  }
  for (const { to, reason } of skipped) noteSkip(turn, to, reason);

  turn.commit(() => {
    if (deliverable.length === 0) return;
    if (fediText !== null) deliverToFedi(turn, inbound, route, deliverable, fediText, now);
    else deliverToXmpp(turn, parsed, inbound, route, deliverable, now);
  });
}

/** The refusals that need no recipient: sending stopped, XMPP short mentions. */
function refusedBeforeRouting(turn: Turn, parsed: ParsedMessage): boolean {
  const { config, lists } = turn.deps;
  if (!lists.isSending()) {
    refuse(turn, "send.stopped");
    return true;
  }
  if (turn.sender.network === XMPP && parsed.shortMentions.length > 0) {
    const names = parsed.shortMentions.map((n) => `${config.prefixes.fedi}${n}`);
    refuse(turn, "send.short_mention", {
      names: names.join(", "),
      example: `${config.prefixes.fedi}${parsed.shortMentions[0]}@server.tld`,
    });
    return true;
  }
  return false;
}

/** The recipients who get the message, and those left out with the reason. */
function sortRecipients(turn: Turn, recipients: readonly Account[]): {
  deliverable: Account[];
  skipped: { to: Account; reason: SkipReason }[];
} {
  const skipped: { to: Account; reason: SkipReason }[] = [];
  const deliverable: Account[] = [];
  for (const to of recipients) {
    const reason = skipReason(turn, to);
    if (reason === null) deliverable.push(to);
    else skipped.push({ to, reason });
  }
  return { deliverable, skipped };
}

/** Refuses (and returns true) when `count` more deliveries would pass the sender's rate. */
function refusedByRate(turn: Turn, count: number, now: number): boolean {
  const { config, store } = turn.deps;
  if (config.maxUserRate <= 0) return false;
  const since = now - RATE_WINDOW_MINUTES * 60_000;
  const sent = store.conversations.countSentSince(turn.sender.network, turn.sender.address, since);
  if (sent + count <= config.maxUserRate) return false;
  refuse(turn, "send.rate_limited", { max: config.maxUserRate, minutes: RATE_WINDOW_MINUTES });
  return true;
}

/** The thread for the Fediverse recipients, or false (refused) when it needs too many parts. */
function fittingStatus(
  turn: Turn,
  parsed: ParsedMessage,
  route: Route,
  deliverable: readonly Account[],
): string[] | false {
  const parts = statusThread(turn, parsed.text, route, deliverable);
  if (parts !== null) return parts;
  const { maxCharacters } = turn.deps.fediLimits();
  refuse(turn, "send.too_long_thread", { max: maxCharacters, parts: turn.deps.config.maxParts });
  return false;
}

/** Answers the sender with `key` and commits: nothing is recorded, nothing delivered. */
function refuse(turn: Turn, key: MessageKey, params?: Params): void {
  turn.refuse(key, params);
  turn.commit(() => {});
}

/** No recipient named, none to be found: explain how to address someone. */
function refuseNoRecipient(turn: Turn, sameNetwork: readonly string[]): void {
  const { config } = turn.deps;
  if (turn.sender.network === FEDI) {
    const example = `${config.prefixes.xmpp}name@server.tld`;
    if (sameNetwork.length > 0) {
      // Written without live mentions: this answer is a status, which would reach them.
      const names = defuseMentions(sameNetwork.map((a) => `@${a}`).join(", "), new Set(), "");
      return refuse(turn, "send.fedi_to_fedi", { names, example });
    }
    return refuse(turn, "send.no_recipient_fedi", { example });
  }
  if (sameNetwork.length > 0) {
    return refuse(turn, "send.same_network_xmpp", { names: xmppNames(turn, sameNetwork) });
  }
  const example = `${config.prefixes.fedi}name@server.tld`;
  const minutes = config.maxMinutesForReply;
  if (minutes > 0) return refuse(turn, "send.no_recipient_xmpp", { example, minutes });
  return refuse(turn, "send.no_recipient_xmpp_untimed", { example });
}

function xmppNames(turn: Turn, addresses: readonly string[]): string {
  return addresses.map((address) => accountText(turn, { network: XMPP, address })).join(", ");
}

/** Why `to` must not get the sender's message, or null when it may. */
export function skipReason(turn: Turn, to: Account): SkipReason | null {
  const { store } = turn.deps;
  const { sender } = turn;
  if (store.bridgeBlocks.has(to.network, to.address)) return "bridge-blocked";
  const user = store.users.get(to.network, to.address);
  const revoked = user !== undefined && user.revokedAt !== null;
  // Fediverse recipients must be registered; XMPP ones only must not have left.
  if (to.network === FEDI ? user === undefined || revoked : revoked) return "unregistered";
  if (store.blocks.isBlocked(sender.network, sender.address, to.address)) return "you-block";
  if (store.blocks.isBlocked(to.network, to.address, sender.address)) return "blocked-by";
  return null;
}

/** Tells the sender why `to` was left out (a block by `to` only without `silent-block`). */
function noteSkip(turn: Turn, to: Account, reason: SkipReason): void {
  const { config } = turn.deps;
  const user = accountText(turn, to);
  switch (reason) {
    case "bridge-blocked":
      turn.reply("send.skip_unavailable", { user });
      return;
    case "unregistered": {
      const bots = botAccounts(config);
      const bot = accountText(turn, to.network === FEDI ? bots.fedi : bots.xmpp);
      turn.reply(
        to.network === FEDI ? "send.skip_unregistered_fedi" : "send.skip_unregistered_xmpp",
        { user, bot },
      );
      return;
    }
    case "you-block":
      turn.reply("send.skip_you_block", {
        user,
        command: `${commandText(turn, "unblock")} ${user}`,
      });
      return;
    case "blocked-by":
      if (!config.silentBlock) turn.reply("send.skip_blocked_by", { user });
      return;
  }
}
