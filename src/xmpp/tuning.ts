/**
 * Timings of the XMPP session, with defaults fit for production; tests shorten them.
 *
 * @module
 */
import { type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";

/** Timings of the session; every one has a default fit for production. */
export interface XmppTuning {
  /** Reconnection delays (default 1 s doubling up to 60 s, with jitter). */
  readonly backoff: BackoffOptions;
  /** Time between pings to the server (default 60 s; 0 turns pings off). */
  readonly pingIntervalMs: number;
  /** A ping unanswered this long means a dead link (default 20 s). */
  readonly pingTimeoutMs: number;
  /** Timeout of each stream step of `@xmpp/client`: open, STARTTLS, close (default 10 s). */
  readonly stepTimeoutMs: number;
  /** Deadline from opening the socket to a usable session (default 30 s). */
  readonly sessionTimeoutMs: number;
  /** Timeout of our IQ requests: roster, roster removal (default 15 s). */
  readonly requestTimeoutMs: number;
  /** Safety deadline for a stanza's acknowledgement (default 120 s; see AckTracker). */
  readonly ackTimeoutMs: number;
  /**
   * How long the sending side must be idle before an acknowledgement is requested for what went
   * out (default 1 ms: once a batch is written).
   */
  readonly ackRequestDelayMs: number;
  /**
   * Most stanzas in flight without an acknowledgement (default 64): the outbox sends up to this
   * many lanes' heads at once, and asks for an acknowledgement as soon as the window is full.
   */
  readonly sendWindow: number;
}

export const DEFAULT_TUNING: XmppTuning = {
  backoff: DEFAULT_BACKOFF,
  pingIntervalMs: 60_000,
  pingTimeoutMs: 20_000,
  stepTimeoutMs: 10_000,
  sessionTimeoutMs: 30_000,
  requestTimeoutMs: 15_000,
  ackTimeoutMs: 120_000,
  ackRequestDelayMs: 1,
  sendWindow: 64,
};
