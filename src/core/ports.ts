/**
 * The ports: every interface through which the core meets the rest of the bridge, in one place.
 * The core owns them; the adapters (src/fedi, src/xmpp), the store (src/store), the outbox
 * (src/outbox) and the tests implement or call them.
 *
 * - inbound: an adapter hands each event to an {@link InboundHandler} (the core's `Core`);
 * - outbound: the outbox sends each effect through the {@link NetworkSender} of its network,
 *   which answers with a {@link SendResult} ({@link sent}, {@link failed});
 * - while deciding, the core asks the Fediverse through a {@link FediDirectory} and reads its
 *   posting limits ({@link FediLimits});
 * - state: the core reads and writes through a {@link CoreStore};
 * - time: everything that waits or reads the time takes a {@link Clock}.
 *
 * Writes to a network (follow, post, roster changes) are not asked of a port while deciding:
 * they are {@link Effect}s, carried by the outbox.
 *
 * @module
 */
import type { Store } from "../store/mod.ts";
import type { AccountType, Effect, Inbound } from "./types.ts";

/**
 * One of the two networks: `FEDI` (0) or `XMPP` (1) from src/core/types.ts. The numbers are what
 * the store writes; code outside the store names them through this type and those constants.
 */
export type Network = AccountType;

/** What an adapter hands inbound events to: the core, or a spy around it in tests. */
export interface InboundHandler {
  /**
   * Handles one event. With a dedupe key, an event whose key was handled before is skipped and
   * the promise gives false. Throws (rejects) to have the event tried again later.
   */
  handle(inbound: Inbound, dedupeKey: string | null): Promise<boolean>;
}

/** How one attempt to send an effect went. Build it with {@link sent} or {@link failed}. */
export type SendResult =
  | {
    readonly ok: true;
    /**
     * The id the server gave the posted message (a Fediverse status id), or the stanza id used
     * for XMPP; null for effects that post nothing (contact changes).
     */
    readonly postedId: string | null;
    /** Files that could not be attached and went as links (their sender is told). */
    readonly asLinks?: readonly string[];
  }
  | {
    readonly ok: false;
    /** True when trying again cannot help (unknown account, refused content, 4xx but 429). */
    readonly permanent: boolean;
    /** A short reason for the log: never a message body or a secret. */
    readonly reason: string;
    /** Epoch ms before which a retry is pointless (from a 429's reset header), if known. */
    readonly retryAt?: number;
    /**
     * The content itself may be the cause (the server closed the XMPP stream as malformed with
     * it in flight): retried after its backoff only, never early when the link comes back.
     */
    readonly suspect?: boolean;
  };

/** A {@link SendResult} for an effect the server accepted. */
export function sent(postedId: string | null, asLinks: readonly string[] = []): SendResult {
  return asLinks.length === 0 ? { ok: true, postedId } : { ok: true, postedId, asLinks };
}

/** What a failed attempt adds to its reason. */
export interface FailureDetails {
  /** Epoch ms before which a retry is pointless. */
  readonly retryAt?: number;
  /** The content itself may have caused the failure (see {@link SendResult}). */
  readonly suspect?: boolean;
}

/**
 * A {@link SendResult} for an attempt that failed: `permanent` when trying again cannot help.
 * `reason` goes to the log and must hold no message body or secret.
 */
export function failed(
  reason: string,
  permanent: boolean,
  details: FailureDetails = {},
): SendResult {
  return { ok: false, permanent, reason, ...details };
}

/**
 * What the outbox needs from a bot adapter: send one effect over the bot's one session, and say
 * how it went. The adapter never retries by itself; the outbox does, with backoff, across restarts.
 */
export interface NetworkSender {
  /** The network whose effects this sender sends. */
  readonly network: Network;
  /**
   * How many sends the outbox may have in flight at once, each from a different lane (read
   * before each new send; default 1: one at a time).
   */
  readonly window?: number;
  /**
   * Sends one effect of this network. `key` is the same on every attempt for the same effect:
   * the Fediverse adapter sends it as `Idempotency-Key`, the XMPP adapter derives stanza ids from
   * it, so a retry after a crash is recognised rather than posted twice.
   */
  send(effect: Effect, key: string, save?: SaveProgress): Promise<SendResult>;
}

/**
 * Keeps an effect with its progress in its outbox row (before the next step is taken), so a
 * restart goes on from there; the outbox worker gives one to every send.
 */
export type SaveProgress = (effect: Effect) => void;

/**
 * The part of the store the core works with: the tables it reads and writes, and transactions.
 * The concrete `Store` (src/store/store.ts) implements it; opening, closing and the bulk import
 * are not the core's business.
 */
export type CoreStore = Pick<
  Store,
  | "users"
  | "blocks"
  | "bridgeBlocks"
  | "conversations"
  | "meta"
  | "inbound"
  | "outbox"
  | "cleanup"
  | "flood"
  | "receipts"
  | "transaction"
>;

/** Whatever a {@link Clock} identifies its timers with. */
export type TimerHandle = unknown;

/**
 * The time: a clock and one-shot timers. Production passes `systemClock` (src/util/clock.ts);
 * tests pass a clock they move by hand, so nothing in a test waits for real time.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; the handle is for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer that has not fired (a fired or unknown handle is ignored). */
  clearTimeout(handle: TimerHandle): void;
}

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

/** What the core asks the Fediverse while it decides (the adapter answers over the Mastodon API). */
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

/**
 * One network's side of the bridge, the same shape for both (src/fedi/adapter.ts,
 * src/xmpp/adapter.ts): the composition (src/compose.ts) starts it, gives its sender to that
 * network's outbox worker, and has the worker retry at once when the link comes back.
 */
export interface NetworkAdapter extends AsyncDisposable {
  /** The network this adapter speaks to. */
  readonly network: Network;
  /** Sends this network's effects, for the outbox worker. */
  readonly sender: NetworkSender;
  /**
   * Signs in and starts receiving. Rejects when signing in fails for good (a refused token or
   * password); a server that is down is retried in the background instead.
   */
  start(): Promise<void>;
  /** Calls `listener` each time the link to the server comes back; returns the unsubscribe. */
  reconnected(listener: () => void): () => void;
  /**
   * Calls `listener` when the session becomes live (first time or again) and when it goes down,
   * for the health board; returns the unsubscribe.
   */
  session(listener: (state: "live" | "down") => void): () => void;
}
