/**
 * Who a message goes to (SPEC §4): the accounts of the other network it names, or, when it names
 * none, whom it answers.
 *
 * - A named recipient is an account of the other network written with its prefix. Accounts of
 *   the sender's own network are no recipients (the bridge only crosses over); they are reported
 *   so the caller can explain.
 * - An explicit answer (a Fediverse `in_reply_to`, an XMPP native reply, XEP-0461) to a message
 *   the bot delivered to the sender goes back to that message's sender; to the sender's own
 *   earlier message, to the same recipients again (a resend). No timeout applies.
 * - Otherwise, from XMPP only: the most recent of the last message the sender received through
 *   the bridge (answered to its sender) and the last one they sent (resent to the same
 *   recipients), if it is not older than `max-minutes-for-reply` (0: no limit).
 *
 * Every route also says which message each recipient's copy answers on the recipients' network,
 * so the delivery can be threaded: for an answer, the id of the original message on its sender's
 * network (its source id); for a resend, the id of what the bot posted (its posted id).
 *
 * @module
 */
import type { ConversationRecord } from "../store/mod.ts";
import { botAccounts, type CoreDeps } from "./deps.ts";
import type { ParsedMessage } from "./parse.ts";
import { type Account, FEDI, XMPP } from "./types.ts";

/** The recipients of one message and how it relates to what they sent or received before. */
export interface Route {
  /** Accounts of the other network, each once, in order. */
  readonly recipients: readonly Account[];
  /** Per recipient address: the message this one answers on the recipients' network. */
  readonly answers: ReadonlyMap<string, string>;
  /** Recipients whose own message this one answers (the header calls it a reply for them). */
  readonly repliedTo: ReadonlySet<string>;
}

/** The outcome of {@link resolveRoute}. */
export type Resolution =
  | { readonly ok: true; readonly route: Route }
  | {
    readonly ok: false;
    /**
     * `none`: nothing named and nothing to answer; `expired`: the last exchange is older than
     * `max-minutes-for-reply` (XMPP only).
     */
    readonly reason: "none" | "expired";
  };

/** The accounts a message names: of the other network (recipients) and of the sender's own. */
export interface Named {
  readonly recipients: readonly Account[];
  /** Addresses of the sender's own network (never the sender nor a bot), each once. */
  readonly sameNetwork: readonly string[];
}

const MINUTE_MS = 60_000;

/** The accounts `parsed` names, split by network, the bots' and the sender's own left out. */
export function namedAccounts(deps: CoreDeps, sender: Account, parsed: ParsedMessage): Named {
  const other = sender.network === FEDI ? XMPP : FEDI;
  const otherList = other === XMPP ? parsed.xmppRecipients : parsed.fediRecipients;
  const ownList = other === XMPP ? parsed.fediRecipients : parsed.xmppRecipients;
  return {
    recipients: unique(otherList.map((address) => ({ network: other, address })))
      .filter((a) => !isBot(deps, a)),
    sameNetwork: [...new Set(ownList.map((a) => a.toLowerCase()))]
      .filter((address) =>
        address !== sender.address && !isBot(deps, { network: sender.network, address })
      ),
  };
}

/**
 * Whom an explicit answer goes to: `inReplyTo` is the id, on the sender's network, of the message
 * answered. Null when it is no message the bridge carried to or from the sender.
 */
export function explicitRoute(deps: CoreDeps, sender: Account, inReplyTo: string): Route | null {
  const { conversations } = deps.store;
  const received = conversations.findByPostedId(sender.network, inReplyTo)
    .filter((r) => r.recipient === sender.address);
  if (received.length > 0) return answerRoute(deps, received[0]!);
  const sent = conversations.findBySourceId(sender.network, sender.address, inReplyTo);
  if (sent.length > 0) return resendRoute(deps, sent);
  return null;
}

/**
 * Whom an XMPP message that names nobody and answers nothing goes to: the most recent exchange,
 * within `max-minutes-for-reply`.
 */
export function recentRoute(deps: CoreDeps, sender: Account): Resolution {
  const { conversations } = deps.store;
  const received = conversations.lastReceivedBy(sender.network, sender.address);
  const sent = conversations.lastSentBy(sender.network, sender.address);
  const lastSent = sent.reduce<ConversationRecord | undefined>(
    (latest, r) => (latest === undefined || newer(r, latest) ? r : latest),
    undefined,
  );
  const latest = received === undefined
    ? lastSent
    : lastSent === undefined || newer(received, lastSent)
    ? received
    : lastSent;
  if (latest === undefined) return { ok: false, reason: "none" };
  const maxMinutes = deps.config.maxMinutesForReply;
  if (maxMinutes > 0 && deps.now() - latest.at > maxMinutes * MINUTE_MS) {
    return { ok: false, reason: "expired" };
  }
  return {
    ok: true,
    route: latest === received ? answerRoute(deps, received) : resendRoute(deps, sent),
  };
}

/**
 * The recipients of a message (see the module doc). Named recipients win; an explicit answer then
 * only threads the copies of those it concerns. The XMPP recency rule applies only when the
 * message names no account at all, of either network: naming someone the bridge cannot reach
 * is no reason to guess.
 */
export function resolveRoute(
  deps: CoreDeps,
  sender: Account,
  parsed: ParsedMessage,
  inReplyTo: string | null,
): Resolution {
  const named = namedAccounts(deps, sender, parsed);
  const explicit = inReplyTo === null ? null : explicitRoute(deps, sender, inReplyTo);
  if (named.recipients.length > 0) {
    const addresses = new Set(named.recipients.map((a) => a.address));
    const answers = new Map(
      [...(explicit?.answers ?? [])].filter(([address]) => addresses.has(address)),
    );
    const repliedTo = new Set([...(explicit?.repliedTo ?? [])].filter((a) => addresses.has(a)));
    return { ok: true, route: { recipients: named.recipients, answers, repliedTo } };
  }
  if (explicit !== null && explicit.recipients.length > 0) return { ok: true, route: explicit };
  if (sender.network === XMPP && named.sameNetwork.length === 0) return recentRoute(deps, sender);
  return { ok: false, reason: "none" };
}

/**
 * Whether a delivery to `account` is still on its way (recorded, not yet posted). A Fediverse
 * answer that finds no target while this holds may be answering that very delivery: the caller
 * can hold it until the send settles.
 */
export function deliveryInFlight(deps: CoreDeps, account: Account): boolean {
  const last = deps.store.conversations.lastReceivedBy(account.network, account.address);
  return last !== undefined && last.postedId === null;
}

/** Back to the sender of a message the bot delivered to the one answering. */
function answerRoute(deps: CoreDeps, record: ConversationRecord): Route {
  const to: Account = {
    network: record.recipientType === FEDI ? XMPP : FEDI,
    address: record.sender,
  };
  if (isBot(deps, to)) return { recipients: [], answers: new Map(), repliedTo: new Set() };
  const answers = new Map<string, string>();
  if (record.sourceId !== null) answers.set(to.address, record.sourceId);
  return { recipients: [to], answers, repliedTo: new Set([to.address]) };
}

/** Again to the recipients of the sender's earlier message. */
function resendRoute(deps: CoreDeps, records: readonly ConversationRecord[]): Route {
  const recipients = unique(
    records.map((r) => ({ network: r.recipientType, address: r.recipient })),
  )
    .filter((a) => !isBot(deps, a));
  const answers = new Map<string, string>();
  for (const r of records) {
    if (r.postedId !== null && !answers.has(r.recipient)) answers.set(r.recipient, r.postedId);
  }
  return { recipients, answers, repliedTo: new Set() };
}

/** Whether `a` is more recent than `b` (time, then record order). */
function newer(a: ConversationRecord, b: ConversationRecord): boolean {
  return a.at > b.at || (a.at === b.at && a.id > b.id);
}

function isBot(deps: CoreDeps, account: Account): boolean {
  const bots = botAccounts(deps.config);
  const bot = account.network === FEDI ? bots.fedi : bots.xmpp;
  return account.address.toLowerCase() === bot.address.toLowerCase();
}

function unique(accounts: readonly Account[]): Account[] {
  const seen = new Set<string>();
  const out: Account[] = [];
  for (const a of accounts) {
    const address = a.address.toLowerCase();
    const key = `${a.network}:${address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ network: a.network, address });
  }
  return out;
}
