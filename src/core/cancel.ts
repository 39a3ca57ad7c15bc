/**
 * Queued deliveries that a block, a red-listing or an unregistration now forbids (issue 12,
 * item 9). The outbox may still hold them: a recipient's server was down, or the Mastodon rate
 * limit had them wait. A forbidden recipient is taken off a row that is not sent yet (the whole
 * row goes when none is left), in the transaction of the change that forbids it. Who is told:
 *
 * - the sender, when they are still on the bridge and are not the one the change is about
 *   (the notice `outbox.cancelled`): their message to an account that left or was blocked by
 *   the admins will not arrive;
 * - nobody for a personal block: the blocked sender is not told of the block (as when sending,
 *   where being blocked is only told when `silent-block` is off, and then at their next message),
 *   and the blocker's own queued messages to the blocked account are simply dropped, as asked;
 * - nobody when the sender is the one leaving or blocked bridge-wide.
 *
 * A row already handed to the network (the send is under way) is not called back.
 *
 * @module
 */
import { OUTBOX_GIVEN_UP } from "../store/mod.ts";
import { domainOf } from "./deps.ts";
import type { Turn } from "./context.ts";
import { defuseMentions } from "./render.ts";
import { type Account, type Effect, FEDI, XMPP } from "./types.ts";

type DeliverEffect = Extract<Effect, { kind: "deliver" }>;

/** An account as the texts show it, with its network's prefix. */
function shown(turn: Turn, account: Account): string {
  const { prefixes } = turn.deps.config;
  return `${account.network === FEDI ? prefixes.fedi : prefixes.xmpp}${account.address}`;
}

/** What the change forbids, and whom it tells. */
export interface Cancellation {
  /** A plain piece of text every forbidden row's payload holds (an address, `@domain`). */
  readonly needle: string;
  /** Whether delivering from `from` to `to` is forbidden now. */
  readonly forbids: (from: Account, to: Account) => boolean;
  /** Whether the sender of a cancelled delivery is told (`outbox.cancelled`). */
  readonly tell: (from: Account) => boolean;
  /** Recorded as the closed row's reason (for the operator; no address in it). */
  readonly reason: string;
}

/** Same account (addresses are stored lower-cased). */
export function sameAccount(a: Account, b: Account): boolean {
  return a.network === b.network && a.address.toLowerCase() === b.address.toLowerCase();
}

/** Whether `account` is an active user. */
export function isActive(turn: Turn, account: Account): boolean {
  const user = turn.deps.store.users.get(account.network, account.address);
  return user !== undefined && user.revokedAt === null;
}

/**
 * Cancels the forbidden recipients of pending deliveries; call inside a {@link Turn.commit}.
 * Returns how many deliveries (one per recipient) were cancelled.
 */
export function cancelQueued(turn: Turn, c: Cancellation): number {
  const { store, now } = turn.deps;
  let cancelled = 0;
  for (const network of [FEDI, XMPP] as const) {
    for (const row of store.outbox.pendingContaining(network, c.needle)) {
      let effect: Effect;
      try {
        effect = JSON.parse(row.payload) as Effect;
      } catch {
        continue;
      }
      if (effect.kind !== "deliver") continue;
      const gone = effect.to.filter((to) => c.forbids(effect.from, to));
      if (gone.length === 0) continue;
      cancelled += gone.length;
      const goneRecords = effect.records.filter((_, i) => gone.includes(effect.to[i]!));
      const kept = effect.to.filter((to) => !gone.includes(to));
      if (kept.length === 0) {
        store.outbox.close(row.id, OUTBOX_GIVEN_UP, now(), c.reason);
        store.conversations.deleteIds(effect.records);
      } else {
        store.outbox.rewrite(row.id, JSON.stringify(without(turn, effect, kept)));
        store.conversations.deleteIds(goneRecords);
      }
      if (c.tell(effect.from)) {
        turn.notify(effect.from, "outbox.cancelled", {
          recipients: gone.map((a) => shown(turn, a)).join(", "),
        });
      }
    }
  }
  return cancelled;
}

/**
 * The delivery for `kept` only: a status mentions its recipients first and may name them again
 * in the text, where they were left live; the leading mentions of the others go, and so does
 * the life of any other mention of them (a direct status reaches everyone it mentions).
 */
function without(turn: Turn, effect: DeliverEffect, kept: readonly Account[]): DeliverEffect {
  const records = effect.records.filter((_, i) => kept.includes(effect.to[i]!));
  if (effect.to[0]?.network !== FEDI) return { ...effect, to: kept, records };
  const lead = effect.to.map((a) => `@${a.address}`).join(" ");
  const keep = new Set(kept.map((a) => a.address));
  // Every part of a thread starts with the mentions, as the whole text does.
  const rewrite = (text: string): string => {
    const rest = text.startsWith(lead) ? text.slice(lead.length) : text;
    return kept.map((a) => `@${a.address}`).join(" ") +
      defuseMentions(rest, keep, domainOf(turn.deps.config.fediHandle));
  };
  const parts = effect.parts?.map(rewrite);
  return {
    ...effect,
    to: kept,
    records,
    text: rewrite(effect.text),
    ...(parts === undefined ? {} : { parts }),
  };
}

/** Everything queued from or to `account` (it leaves the bridge or is blocked bridge-wide). */
export function cancelInvolving(turn: Turn, account: Account, reason: string): number {
  return cancelQueued(turn, {
    needle: `"address":${JSON.stringify(account.address.toLowerCase())}`,
    forbids: (from, to) => sameAccount(from, account) || sameAccount(to, account),
    tell: (from) => !sameAccount(from, account) && isActive(turn, from),
    reason,
  });
}

/** Everything queued from or to an account of `domain` (red-listed). */
export function cancelDomain(turn: Turn, domain: string, reason: string): number {
  const d = domain.toLowerCase();
  return cancelQueued(turn, {
    needle: `@${d}"`,
    forbids: (from, to) => domainOf(from.address) === d || domainOf(to.address) === d,
    tell: (from) => domainOf(from.address) !== d && isActive(turn, from),
    reason,
  });
}

/** What is queued between `blocker` and `blocked`, both ways; nobody is told. */
export function cancelBetween(turn: Turn, blocker: Account, blocked: Account): number {
  return cancelQueued(turn, {
    needle: `"address":${JSON.stringify(blocked.address.toLowerCase())}`,
    forbids: (from, to) =>
      (sameAccount(from, blocked) && sameAccount(to, blocker)) ||
      (sameAccount(from, blocker) && sameAccount(to, blocked)),
    tell: () => false,
    reason: "cancelled: personal block",
  });
}
