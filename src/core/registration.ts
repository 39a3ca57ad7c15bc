/**
 * Joining and leaving the bridge (SPEC §3).
 *
 * {@link registerAccount} runs the checks in the order the SPEC gives, each refusal with its own
 * answer and no state change; the network lookups happen first, then the user row and the
 * contact effects are written in one {@link Turn.commit}. {@link revokeUser} is the one way a
 * user leaves, whether by their own command, an XMPP unsubscribe or an admin's decision.
 *
 * @module
 */
import { cancelInvolving } from "./cancel.ts";
import type { User } from "../store/users.ts";
import { type Turn } from "./context.ts";
import { charge, limitOf } from "./flood.ts";
import type { FediDirectory, FediRelationship } from "./ports.ts";
import { type Account, FEDI } from "./types.ts";
import type { FediFacts } from "./registration_fedi.ts";
import type { MessageKey } from "../i18n/mod.ts";
import type { Refusal } from "./registration_fedi.ts";
import { appLabel } from "./registration_fedi.ts";
import { botDomains } from "./deps.ts";
import { checkFediAccount } from "./registration_fedi.ts";
import { commandText } from "./account_text.ts";
import { domainOf } from "./deps.ts";
import { isoDate } from "./account_text.ts";
import { usableLanguage } from "./registration_fedi.ts";

/** What made the sender ask to join. */
export type RegisterTrigger = "follow" | "follow_request" | "subscribe" | "command" | "message";

export interface RegisterHow {
  readonly trigger: RegisterTrigger;
  /** Fediverse: the account id the follow notification gave, if any. */
  readonly accountId?: string | null;
  /** The language the triggering message was written in, if known. */
  readonly statusLang?: string | null;
  /** A text to add at the end of the answer (a command's "nothing was sent" note, say). */
  readonly note?: string | null;
}

/** The user row when the account is registered and active, else undefined. */
export function activeUser(turn: Turn, account: Account): User | undefined {
  const user = turn.isSender(account)
    ? turn.senderUser()
    : turn.deps.store.users.get(account.network, account.address);
  return user !== undefined && user.revokedAt === null ? user : undefined;
}

/**
 * Registers the sender of `turn` (SPEC §3). Returns true when the sender is registered
 * afterwards (newly, or already before), false on a refusal. Every outcome answers the sender.
 */
export async function registerAccount(turn: Turn, how: RegisterHow): Promise<boolean> {
  const { deps, sender } = turn;
  const current = activeUser(turn, sender);
  const previous = current ?? turn.senderUser();
  const domain = domainOf(sender.address);
  if (current === undefined && !passesFloodGate(turn, how)) return false;
  const local = localRefusal(turn, current, domain);
  if (local !== null) return refuse(turn, how, local);

  // 6: what the bot's Fediverse server knows of the account.
  let facts: FediFacts | null = null;
  if (sender.network === FEDI) {
    const checked = await checkFediAccount(turn, fediOf(turn), domain, how.statusLang ?? null);
    if ("key" in checked) return refuse(turn, how, checked);
    facts = checked;
  }

  // 7: how often this account joined before (a purged row's count is kept). An active user's
  // count does not move.
  const { config, store } = deps;
  if (
    current === undefined && config.maxApRegistrations > 0 &&
    store.users.registrationCount(sender.network, sender.address) >= config.maxApRegistrations
  ) {
    return refuse(turn, how, { key: "reg.too_many", params: { max: config.maxApRegistrations } });
  }

  const accountId = how.accountId ?? facts?.info.id ?? previous?.accountId ?? null;
  const { lang, app } = current === undefined
    ? await newcomer(turn, how, facts, domain)
    : { lang: null, app: "XMPP" };
  await welcome(turn, how, current, accountId);
  turn.commit(() => {
    if (current !== undefined) return;
    store.users.register({
      type: sender.network,
      address: sender.address,
      at: deps.now(),
      lang,
      app,
      accountId: sender.network === FEDI ? accountId : null,
    });
  });
  return true;
}

/** Answers a refusal, turns down the contact request that came with it, and commits. */
function refuse(turn: Turn, how: RegisterHow, refusal: Refusal): false {
  turn.refusal = true;
  turn.replyText(withNote(turn.t(refusal.key, refusal.params), how));
  return turnDown(turn, how);
}

/** Turns down the follow request or subscription that asked to join, and commits. */
function turnDown(turn: Turn, how: RegisterHow): false {
  const { sender } = turn;
  if (how.trigger === "follow_request") turn.contact(sender, "reject", how.accountId ?? null);
  if (how.trigger === "subscribe") turn.contact(sender, "unsubscribed");
  turn.commit(() => {});
  return false;
}

/**
 * Flood control: a budget of attempts to join per account and day, before any lookup. The
 * first attempt over it is told why; later ones get no answer at all. False when refused.
 */
function passesFloodGate(turn: Turn, how: RegisterHow): boolean {
  const { deps, sender } = turn;
  const verdict = charge(deps, sender, "register");
  if (verdict === "over") {
    const max = limitOf(deps.config, "register").max;
    return refuse(turn, how, { key: "flood.registrations", params: { max } });
  }
  if (verdict === "silent") return turnDown(turn, how);
  return true;
}

/**
 * 1-5: the rules that need no network. Being registered already is no new registration, so
 * closing or a full bridge does not turn an active user away.
 */
function localRefusal(turn: Turn, current: User | undefined, domain: string): Refusal | null {
  const { config, store, lists } = turn.deps;
  const { sender } = turn;
  const ownDomain = botDomains(config).has(domain);
  if (current === undefined && !lists.isOpen()) return { key: "reg.closed" };
  if (
    current === undefined && config.maxRegUsers > 0 &&
    store.users.countActive() >= config.maxRegUsers
  ) {
    return { key: "reg.full", params: { max: config.maxRegUsers } };
  }
  if (store.bridgeBlocks.has(sender.network, sender.address)) return { key: "reg.blocked" };
  if (!ownDomain && lists.isRed(domain)) return { key: "reg.red_domain", params: { domain } };
  if (config.greenlistMode && !ownDomain && !lists.isGreen(domain)) {
    return { key: "reg.not_green", params: { domain } };
  }
  return null;
}

function fediOf(turn: Turn): FediDirectory {
  const { fedi } = turn.deps;
  if (fedi === null) {
    throw new Error("registerAccount: a Fediverse registration needs a FediDirectory");
  }
  return fedi;
}

/** A new user's language and app label; the welcome is written in the language just found. */
async function newcomer(
  turn: Turn,
  how: RegisterHow,
  facts: FediFacts | null,
  domain: string,
): Promise<{ lang: string | null; app: string }> {
  const lang = facts !== null ? facts.lang : usableLanguage(turn, how.statusLang ?? null);
  const app = turn.sender.network === FEDI ? await appLabel(fediOf(turn), domain) : "XMPP";
  if (lang !== null) turn.lang = lang;
  return { lang, app };
}

/** The answer to a registered sender and the contact effects that make it mutual. */
async function welcome(
  turn: Turn,
  how: RegisterHow,
  current: User | undefined,
  accountId: string | null,
): Promise<void> {
  const { sender } = turn;
  const lines = [
    current !== undefined
      ? turn.t("reg.already", { since: isoDate(current.registeredAt) })
      : turn.t(sender.network === FEDI ? "reg.welcome_fedi" : "reg.welcome_xmpp", {
        help: commandText(turn, "help"),
      }),
  ];
  if (sender.network === FEDI) {
    const standing = await followState(fediOf(turn), how, accountId);
    if (!standing.following) lines.push(turn.t("reg.follow_back"));
    if (!standing.followedBy) lines.push(turn.t("reg.follow_me"));
  } else {
    lines.push(turn.t("reg.subscribe_back"));
  }
  turn.replyText(withNote(lines.join("\n"), how));
  if (sender.network === FEDI) {
    if (how.trigger === "follow_request") turn.contact(sender, "authorize", accountId);
    turn.contact(sender, "follow", accountId);
  } else {
    if (how.trigger === "subscribe") turn.contact(sender, "subscribed");
    turn.contact(sender, "subscribe");
  }
}

function withNote(text: string, how: { readonly note?: string | null }): string {
  return how.note ? `${text}\n${how.note}` : text;
}

/**
 * Unregisters `account` (SPEC §3), synchronously: call it inside a {@link Turn.commit}. Sets the
 * revoke date, deletes the user's own blocks and every conversation record to or from them,
 * cancels the deliveries still queued from or to them (see cancel.ts),
 * tells them `noticeKey` (when not null) and then drops the contact: unfollow on the Fediverse,
 * unsubscribe and roster removal on XMPP. Returns false when the account was not active (its
 * leftovers are deleted all the same, and nothing is sent).
 */
export function revokeUser(
  turn: Turn,
  account: Account,
  noticeKey: MessageKey | null,
): boolean {
  const { store } = turn.deps;
  // What is still queued from or to them does not go either (senders still here are told).
  cancelInvolving(turn, account, "cancelled: unregistered");
  const user = activeUser(turn, account);
  const revoked = store.users.revoke(account.network, account.address, turn.deps.now());
  if (!revoked || user === undefined) return false;
  if (noticeKey !== null) {
    turn.notify(account, noticeKey, { domain: domainOf(account.address) });
  }
  if (account.network === FEDI) turn.contact(account, "unfollow", user.accountId);
  else turn.contact(account, "remove");
  return true;
}

/**
 * The sender leaves the bridge: by the unregister command, or (XMPP) by unsubscribing from the
 * bot. Returns true when they were registered. An unsubscribe from someone not registered is
 * ignored without an answer.
 */
export function unregisterAccount(
  turn: Turn,
  trigger: "command" | "unsubscribe",
  note: string | null = null,
): boolean {
  const { sender } = turn;
  if (activeUser(turn, sender) === undefined) {
    if (trigger === "command") {
      turn.refusal = true;
      turn.replyText(withNote(turn.t("unreg.not_registered"), { note }));
      turn.commit(() => {});
    }
    return false;
  }
  // The answer goes out before the contact is dropped (a Fediverse server may filter direct
  // messages from accounts one does not follow).
  turn.replyText(
    withNote(turn.t("unreg.done", { register: commandText(turn, "register") }), { note }),
  );
  return turn.commit(() => revokeUser(turn, sender, null));
}

/**
 * Whether the sender follows the bot and the bot them. A follow (request) says they follow us;
 * otherwise the bot's server is asked (`relationships`). When it cannot say, neither is assumed,
 * so the answer asks for both, as it always did.
 */
async function followState(
  fedi: FediDirectory,
  how: RegisterHow,
  accountId: string | null,
): Promise<FediRelationship> {
  const byTrigger = how.trigger === "follow" || how.trigger === "follow_request";
  let known: FediRelationship | null = null;
  if (accountId !== null) {
    try {
      known = await fedi.relationship(accountId);
    } catch {
      known = null;
    }
  }
  return {
    followedBy: byTrigger || known?.followedBy === true,
    following: known?.following === true,
  };
}
