/**
 * What the core asks of a network while it decides. The Fediverse adapter implements these
 * over the Mastodon API; tests hand in fakes. Writes (follow, post, roster changes) are not here:
 * they are {@link Effect}s, carried by the outbox.
 */

/** A Fediverse account as the bot's server knows it. */
export interface FediAccountInfo {
  readonly id: string;
  /** `name@host`, lower-cased. */
  readonly address: string;
  readonly bot: boolean;
  readonly group: boolean;
  /** The profile note, as HTML. */
  readonly note: string;
  /** The profile page, when known. */
  readonly url: string | null;
}

/** How an account and the bot stand to each other, as the bot's server sees it. */
export interface FediRelationship {
  /** The account follows the bot. */
  readonly followedBy: boolean;
  /** The bot follows the account (an accepted follow, not a pending request). */
  readonly following: boolean;
}

/** One recent status of an account: only what the activity and language checks need. */
export interface FediStatusInfo {
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly language: string | null;
}

export interface FediDirectory {
  /** The account, or null when the bot's server cannot find it. Throws on transport failure. */
  lookup(address: string): Promise<FediAccountInfo | null>;
  /** The account's latest statuses, newest first, at most `limit`. */
  recentStatuses(accountId: string, limit: number): Promise<FediStatusInfo[]>;
  /** The software name from the server's nodeinfo, or null when unknown or not allowed. */
  appName(domain: string): Promise<string | null>;
  /** Whether the account follows the bot and the bot it; null when the server does not say. */
  relationship(accountId: string): Promise<FediRelationship | null>;
}

/** The Fediverse server's posting limits, as last read from its instance entity. */
export interface FediLimits {
  readonly maxCharacters: number;
  /** Every URL counts as this many characters (23 on Mastodon). */
  readonly charactersReservedPerUrl: number;
}
