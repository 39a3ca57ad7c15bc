/**
 * What the outbox needs from a bot adapter: send one effect over the bot's one session, and say
 * how it went. The adapter never retries by itself; the outbox does, with backoff, across restarts.
 */
import type { AccountType, Effect } from "../core/types.ts";

export type SendResult =
  | {
    readonly ok: true;
    /**
     * The id the server gave the posted message (a Fediverse status id), or the stanza id used
     * for XMPP; null for effects that post nothing (contact changes).
     */
    readonly postedId: string | null;
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

export interface NetworkSender {
  readonly network: AccountType;
  /**
   * Sends one effect of this network. `key` is the same on every attempt for the same effect:
   * the Fediverse adapter sends it as `Idempotency-Key`, the XMPP adapter derives stanza ids from
   * it, so a retry after a crash is recognised rather than posted twice.
   */
  send(effect: Effect, key: string): Promise<SendResult>;
}
