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
import { htmlToText } from "../fedi/html.ts";
import type { User } from "../store/users.ts";
import { botDomains, domainOf, type Turn } from "./context.ts";
import { charge, limitOf, negativeLookupsOf } from "./flood.ts";
import { type CommandName, COMMANDS } from "./parse.ts";
import type { FediAccountInfo, FediDirectory, FediRelationship, FediStatusInfo } from "./ports.ts";
import { type Account, FEDI } from "./types.ts";

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

/** How far back recent activity counts, in days. */
export const ACTIVITY_DAYS = 30;
/** How many of the latest statuses the activity check looks at. */
export const ACTIVITY_SAMPLE = 40;
const DAY_MS = 24 * 3600_000;

/** Profile hashtags by which an account asks bots to leave it alone. */
const NOBOT_RE = /(?:^|[^\p{L}\p{N}_])#(?:nobot|nobots|nobridge)(?![\p{L}\p{N}_])/iu;

/** `epoch ms` -> `YYYY-MM-DD` (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The user row when the account is registered and active, else undefined. */
export function activeUser(turn: Turn, account: Account): User | undefined {
  const user = turn.deps.store.users.get(account.network, account.address);
  return user !== undefined && user.revokedAt === null ? user : undefined;
}

/** A refusal found by one of the checks: the key of the answer and its parameters. */
interface Refusal {
  readonly key: string;
  readonly params?: Record<string, string | number>;
}

/** What the Fediverse checks learnt about the account. */
interface FediFacts {
  readonly info: FediAccountInfo;
  readonly lang: string | null;
}

/**
 * Registers the sender of `turn` (SPEC §3). Returns true when the sender is registered
 * afterwards (newly, or already before), false on a refusal. Every outcome answers the sender.
 */
export async function registerAccount(turn: Turn, how: RegisterHow): Promise<boolean> {
  const { deps, sender } = turn;
  const { config, store, lists } = deps;
  const current = activeUser(turn, sender);
  const previous = current ?? store.users.get(sender.network, sender.address);
  const domain = domainOf(sender.address);
  const ownDomain = botDomains(config).has(domain);

  const refuse = (refusal: Refusal): false => {
    turn.refusal = true;
    turn.replyText(withNote(turn.t(refusal.key, refusal.params), how));
    if (how.trigger === "follow_request") turn.contact(sender, "reject", how.accountId ?? null);
    if (how.trigger === "subscribe") turn.contact(sender, "unsubscribed");
    turn.commit(() => {});
    return false;
  };

  // Flood control: a budget of attempts to join per account and day, before any lookup. The
  // first attempt over it is told why; later ones get no answer at all.
  if (current === undefined) {
    const verdict = charge(deps, sender, "register");
    if (verdict === "over") {
      return refuse({
        key: "flood.registrations",
        params: { max: limitOf(config, "register").max },
      });
    }
    if (verdict === "silent") {
      if (how.trigger === "follow_request") turn.contact(sender, "reject", how.accountId ?? null);
      if (how.trigger === "subscribe") turn.contact(sender, "unsubscribed");
      turn.commit(() => {});
      return false;
    }
  }

  // 1-5: the rules that need no network. Being registered already is no new registration,
  // so closing or a full bridge does not turn an active user away.
  if (current === undefined && !lists.isOpen()) return refuse({ key: "reg.closed" });
  if (
    current === undefined && config.maxRegUsers > 0 &&
    store.users.countActive() >= config.maxRegUsers
  ) {
    return refuse({ key: "reg.full", params: { max: config.maxRegUsers } });
  }
  if (store.bridgeBlocks.has(sender.network, sender.address)) {
    return refuse({ key: "reg.blocked" });
  }
  if (!ownDomain && lists.isRed(domain)) {
    return refuse({ key: "reg.red_domain", params: { domain } });
  }
  if (config.greenlistMode && !ownDomain && !lists.isGreen(domain)) {
    return refuse({ key: "reg.not_green", params: { domain } });
  }

  // 6: what the bot's Fediverse server knows of the account.
  let facts: FediFacts | null = null;
  if (sender.network === FEDI) {
    const fedi = deps.fedi;
    if (fedi === null) {
      throw new Error("registerAccount: a Fediverse registration needs a FediDirectory");
    }
    const checked = await checkFediAccount(turn, fedi, domain, how.statusLang ?? null);
    if ("key" in checked) return refuse(checked);
    facts = checked;
  }

  // 7: how often this account joined before (a purged row's count is kept). An active user's
  // count does not move.
  if (
    current === undefined && config.maxApRegistrations > 0 &&
    store.users.registrationCount(sender.network, sender.address) >= config.maxApRegistrations
  ) {
    return refuse({ key: "reg.too_many", params: { max: config.maxApRegistrations } });
  }

  const accountId = how.accountId ?? facts?.info.id ?? previous?.accountId ?? null;
  let lang: string | null = null;
  let app = "XMPP";
  if (current === undefined) {
    lang = facts !== null ? facts.lang : usableLanguage(turn, how.statusLang ?? null);
    if (sender.network === FEDI) app = await appLabel(deps.fedi!, domain);
    // The welcome is written in the language just found.
    if (lang !== null) turn.lang = lang;
  }

  const lines = [
    current !== undefined
      ? turn.t("reg.already", { since: isoDate(current.registeredAt) })
      : turn.t(sender.network === FEDI ? "reg.welcome_fedi" : "reg.welcome_xmpp", {
        help: commandText(turn, "help"),
      }),
  ];
  if (sender.network === FEDI) {
    const standing = await followState(deps.fedi!, how, accountId);
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

/** The Fediverse part of the checks (SPEC §3, item 6): facts, or the refusal. */
async function checkFediAccount(
  turn: Turn,
  fedi: FediDirectory,
  domain: string,
  statusLang: string | null,
): Promise<FediFacts | Refusal> {
  const { config, store } = turn.deps;
  // A lookup that failed for good a little while ago is not repeated (flood control).
  const failed = negativeLookupsOf(store);
  const known = failed.get(turn.sender.address, turn.deps.now());
  if (known !== null) return known;
  const found = await lookupFediAccount(turn, fedi, domain, statusLang);
  if ("key" in found && found.key !== "reg.unreachable") {
    failed.set(
      turn.sender.address,
      found,
      turn.deps.now(),
      config.negativeLookupCacheMinutes * 60_000,
    );
  }
  return found;
}

async function lookupFediAccount(
  turn: Turn,
  fedi: FediDirectory,
  domain: string,
  statusLang: string | null,
): Promise<FediFacts | Refusal> {
  const { config, lists } = turn.deps;
  const server = config.apInstance;
  let info: FediAccountInfo | null;
  try {
    info = await fedi.lookup(turn.sender.address);
  } catch {
    return { key: "reg.unreachable", params: { server } };
  }
  if (info === null) return { key: "reg.unknown_account", params: { server } };
  if (NOBOT_RE.test(htmlToText(info.note))) return { key: "reg.nobot" };
  if (info.bot) return { key: "reg.bot" };
  if (info.group) return { key: "reg.group" };

  const min = config.minApActivityPosts;
  const ownServer = domain === domainOf(config.apInstance) ||
    domain === domainOf(config.fediHandle);
  const checkActivity = min > 0 && !ownServer && !lists.isGreen(domain);
  let lang = usableLanguage(turn, statusLang);
  if (checkActivity || lang === null) {
    let statuses: FediStatusInfo[];
    try {
      statuses = await fedi.recentStatuses(info.id, checkActivity ? ACTIVITY_SAMPLE : 1);
    } catch {
      // Only the activity check needs them; a language is a nicety.
      if (checkActivity) return { key: "reg.unreachable", params: { server } };
      statuses = [];
    }
    if (checkActivity) {
      const since = turn.deps.now() - ACTIVITY_DAYS * DAY_MS;
      const recent = statuses.slice(0, ACTIVITY_SAMPLE).filter((s) => s.createdAt >= since);
      if (recent.length < min) {
        return { key: "reg.inactive", params: { min, days: ACTIVITY_DAYS } };
      }
    }
    lang ??= usableLanguage(turn, statuses[0]?.language ?? null);
  }
  return { info, lang };
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

/** The shipped language serving `code`, or null. */
function usableLanguage(turn: Turn, code: string | null): string | null {
  if (code === null || code === "") return null;
  return turn.deps.i18n.resolve(code);
}

/** The app label of a Fediverse server: its nodeinfo software name, capitalised. */
async function appLabel(fedi: FediDirectory, domain: string): Promise<string> {
  let name: string | null;
  try {
    name = await fedi.appName(domain);
  } catch {
    name = null;
  }
  name = name?.trim() ?? "";
  return name === "" ? "Fediverse" : name[0]!.toUpperCase() + name.slice(1);
}

/** The command as the user types it, with the configured prefix and word: `!help`. */
export function commandText(turn: Turn, name: CommandName): string {
  const { config } = turn.deps;
  const word = config.commandWords[COMMANDS.indexOf(name)] ?? name;
  return `${config.prefixes.command}${word}`;
}

/** An account as users write it: `@name@host` or `xmpp:name@host` (configured prefixes). */
export function accountText(turn: Turn, account: Account): string {
  const { prefixes } = turn.deps.config;
  return `${account.network === FEDI ? prefixes.fedi : prefixes.xmpp}${account.address}`;
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
export function revokeUser(turn: Turn, account: Account, noticeKey: string | null): boolean {
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
