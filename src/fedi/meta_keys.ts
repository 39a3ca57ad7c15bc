/**
 * What the Fediverse bot keeps in the store's `meta` table, and the readers other parts of the
 * bridge use (the XMPP process runs in another process but reads the same file).
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { FediLimits } from "../core/ports.ts";
import type { Store } from "../store/mod.ts";

export const META = {
  /** The server's `max_characters` for a status. */
  maxCharacters: "fedi.max_characters",
  /** How many characters each URL counts for. */
  urlChars: "fedi.url_chars",
  /** JSON array of the domains the bot's server blocks, when it lets us read them. */
  domainBlocks: "fedi.domain_blocks",
  /** The id of the newest notification done: where catch-ups start (behind it). */
  lastNotificationId: "fedi.last_notification_id",
  /** The newest notification at the bridge's first start: nothing at or below it is taken up. */
  notificationFloor: "fedi.notification_floor",
  /** JSON map account id -> epoch ms of the follow requests handled lately. */
  recentFollowRequests: "fedi.recent_follow_requests",
} as const;

/** Mastodon's default: every URL counts as 23 characters. */
export const DEFAULT_URL_CHARS = 23;

function positiveInt(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * The Fediverse server's posting limits as last read by the Fediverse bot; the configured
 * `max-char-per-post` (and 23 per URL) until it has read them.
 */
export function fediLimitsFromMeta(store: Store, config: Config): FediLimits {
  return {
    maxCharacters: positiveInt(store.meta.get(META.maxCharacters)) ?? config.maxCharPerPost,
    charactersReservedPerUrl: positiveInt(store.meta.get(META.urlChars)) ?? DEFAULT_URL_CHARS,
  };
}

/** The domains the bot's server blocks, or null when they could not be read. */
export function domainBlocksFromMeta(store: Store): string[] | null {
  const raw = store.meta.get(META.domainBlocks);
  if (raw === undefined) return null;
  try {
    const list: unknown = JSON.parse(raw);
    return Array.isArray(list) ? list.filter((d): d is string => typeof d === "string") : null;
  } catch {
    return null;
  }
}
