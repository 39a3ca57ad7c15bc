/**
 * How the Fediverse bot is built, and what its `notification` events carry.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config/mod.ts";
import type { Clock, InboundHandler } from "../core/ports.ts";
import type { Store } from "../store/mod.ts";
import type { FediApi } from "./api.ts";
import type { Outcome } from "./inbound.ts";
import type { StatusEvent } from "./status_events.ts";

/** What the bot is built from; the timings have defaults fit for production. */
export interface FediBotOptions {
  readonly config: Config;
  readonly store: Store;
  /** The core (or anything that handles inbound events with a dedupe key). */
  readonly core: InboundHandler;
  /** The REST side, shared with the sender and the directory. */
  readonly api: FediApi;
  readonly timers: Clock;
  /** For the jitter (default Math.random). */
  readonly random?: () => number;
  readonly log?: Logger;
  /** A stream quiet this long is checked with a catch-up (default 90 s). */
  readonly stallTimeoutMs?: number;
  /** First reconnect delay (default 1 s) and the longest one (default 2 min), before jitter. */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** How long a WebSocket handshake may take (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** First delay before retrying a notification whose handling failed (default 30 s). */
  readonly retryFailedMs?: number;
  /** Notifications per catch-up page (default 40, Mastodon's maximum is 80). */
  readonly pageSize?: number;
  /** How often a live stream is reconciled with the server's list (default 60 s). */
  readonly reconcileIntervalMs?: number;
  /** How long after the last event of a burst a reconciliation runs (default 5 s). */
  readonly reconcileSettleMs?: number;
  /** The least time between two reconciliations after bursts (default 30 s). */
  readonly reconcileMinGapMs?: number;
  /** How many notifications behind the marker every catch-up reads again (default 200). */
  readonly overlapCount?: number;
  /** How much time behind the marker every catch-up reads again (default 10 minutes). */
  readonly overlapMs?: number;
  /** Told the live stream's `status.update` and `delete` events (see status_events.ts). */
  readonly onStatusEvent?: (event: StatusEvent) => void;
}

/** The detail of a `notification` event: what became of one notification. */
export interface NotificationEventDetail {
  readonly id: string;
  readonly type: string;
  readonly outcome: Outcome;
  /** Why it was ignored or a duplicate; null otherwise. */
  readonly reason: string | null;
}

/** A connection live this long counts as stable: the reconnect backoff starts afresh after it. */
export const STABLE_MS = 30_000;
