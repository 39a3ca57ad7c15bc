/**
 * Records kept by the Mastodon test server, and the options it takes.
 *
 * Records are the server's own rows; `entities.ts` turns them into the JSON
 * entities Mastodon documents (Account, Status, Notification, ...).
 */

export type Visibility = "public" | "unlisted" | "private" | "direct";

export const VISIBILITIES: readonly Visibility[] = ["public", "unlisted", "private", "direct"];

export type NotificationType =
  | "mention"
  | "status"
  | "reblog"
  | "follow"
  | "follow_request"
  | "favourite"
  | "poll"
  | "update";

export interface AccountRecord {
  id: string;
  username: string;
  /** `null` for an account of this server. */
  domain: string | null;
  displayName: string;
  /** Profile bio, already HTML (as Mastodon serves it). */
  note: string;
  bot: boolean;
  group: boolean;
  locked: boolean;
  discoverable: boolean;
  createdAt: number;
  /** Bearer token; only accounts of this server have one. */
  token: string | null;
  /** Statuses counted in `statuses_count` that are not stored here. */
  extraStatusesCount: number;
  fields: { name: string; value: string; verified_at: string | null }[];
}

export type MediaType = "image" | "video" | "gifv" | "audio" | "unknown";

export interface MediaRecord {
  id: string;
  accountId: string;
  type: MediaType;
  url: string;
  description: string | null;
  statusId: string | null;
  /** Content type of the upload; `null` for media made by `addMedia` without a file. */
  mimeType?: string | null;
  /** The uploaded bytes (API uploads only). */
  bytes?: Uint8Array | null;
  /** Pixel size read from PNG/GIF/JPEG headers, when known. */
  width?: number | null;
  height?: number | null;
  /** Focal point from the `focus` parameter (`x,y`, each -1..1). */
  focus?: { x: number; y: number } | null;
  /**
   * Processing state: `done` (url set), `pending` until `readyAt` (by the
   * server clock) or until a test finishes it, `failed`.
   */
  processing?: "done" | "pending" | "failed";
  readyAt?: number | null;
  /** When pending: ends `failed` instead of `done`. */
  willFail?: boolean;
  createdAt?: number;
}

export interface PollRecord {
  id: string;
  options: string[];
  expiresAt: number | null;
  multiple: boolean;
  hideTotals: boolean;
}

export interface StatusRecord {
  id: string;
  accountId: string;
  /** Plain source text, as posted. */
  text: string;
  /** Rendered HTML content. */
  content: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  /** Ids of the mentioned accounts, in order of appearance. */
  mentionIds: string[];
  tags: string[];
  mediaIds: string[];
  poll: PollRecord | null;
  createdAt: number;
  editedAt: number | null;
  /** Earlier versions, oldest first, as `GET /api/v1/statuses/:id/history` lists them. */
  edits: StatusSnapshot[];
  /** Accounts that favourited the status, in order. */
  favouritedBy: string[];
  /** Accounts that boosted the status (a test hook; no reblog statuses are made). */
  rebloggedBy: string[];
  idempotencyKey: string | null;
  /** Name of the posting application; `null` for statuses of other servers. */
  application: string | null;
}

/** One version of a status, for StatusEdit entities. */
export interface StatusSnapshot {
  content: string;
  spoilerText: string;
  sensitive: boolean;
  mediaIds: string[];
  pollOptions: string[] | null;
  at: number;
}

export interface FollowRecord {
  id: string;
  accountId: string;
  targetId: string;
  reblogs: boolean;
  notify: boolean;
  createdAt: number;
}

export interface NotificationRecord {
  id: string;
  /** The account that receives the notification. */
  accountId: string;
  /** The account whose action caused it. */
  fromAccountId: string;
  type: NotificationType;
  statusId: string | null;
  createdAt: number;
}

export interface DomainBlockInput {
  domain: string;
  severity?: "silence" | "suspend";
  comment?: string | null;
}

/**
 * Who may read `GET /api/v1/instance/domain_blocks` (Mastodon's
 * `show_domain_blocks` setting): `all`; `users` (404 without a token);
 * `hidden` (404 for everyone); `authenticated` (401 without a token, as a
 * server in limited-federation mode answers).
 */
export type DomainBlocksVisibility = "all" | "users" | "hidden" | "authenticated";

export interface MastodonTestServerOptions {
  /** LOCAL_DOMAIN: the domain of local accounts (`name@domain`). */
  domain?: string;
  /** Port of the public listener on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Clock in epoch milliseconds; drives timestamps, rate-limit windows and idempotency. */
  now?: () => number;
  title?: string;
  /** Mastodon version announced by the instance entities and nodeinfo. */
  version?: string;
  maxCharacters?: number;
  maxMediaAttachments?: number;
  charactersReservedPerUrl?: number;
  /** Requests allowed per account (or per address when unauthenticated) in one window. */
  rateLimit?: { limit?: number; windowMs?: number };
  domainBlocks?: DomainBlockInput[];
  domainBlocksVisibility?: DomainBlocksVisibility;
  /** Software announced by nodeinfo; defaults to `mastodon` and `version`. */
  software?: { name: string; version?: string };
  /**
   * Seconds given to `Deno.upgradeWebSocket({ idleTimeout })`: Deno pings a client
   * that has been silent for half of it and closes the socket when no pong follows
   * within the other half. 0 disables it. Default 60 (a ping after 30 s, as
   * Mastodon's streaming server pings every 30 s).
   */
  wsIdleTimeoutSeconds?: number;
  /** Interval of the `:thump` comment on server-sent event streams. Default 15000. */
  sseHeartbeatMs?: number;
  /** `configuration.media_attachments` limits, enforced by the upload endpoints. */
  imageSizeLimit?: number;
  videoSizeLimit?: number;
  /** Media uploads allowed per account in one window (Mastodon: 30 per 30 minutes). */
  mediaRateLimit?: { limit?: number; windowMs?: number };
  /** How uploads are processed (also `setMediaProcessing`). */
  mediaProcessing?: MediaProcessingOptions;
  /**
   * The streaming base URL the instance entities announce, as a server streaming on another
   * host does; a function of the port, which is known only once listening. Default
   * `ws://127.0.0.1:<port>`.
   */
  announcedStreamingUrl?: (port: number) => string;
}

/**
 * Upload processing. By default images are processed during the request
 * (200) and video/audio afterwards (202, ready at the first look), as
 * Mastodon does.
 */
export interface MediaProcessingOptions {
  /** Every upload answers 202 and stays processing for `delayMs` (server clock). Default false. */
  async?: boolean;
  /** How long asynchronous processing takes, by the server clock. Default 0. */
  delayMs?: number;
  /** Processing fails: 202 uploads end `failed`; a synchronous one answers 500. */
  fail?: boolean;
}
