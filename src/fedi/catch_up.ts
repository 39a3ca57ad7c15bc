/**
 * Fetching what the stream did not bring: the notifications newer than the marker, page after
 * page (`min_id`, following the `prev` link of each page), handed to the inlet oldest first.
 *
 * @module
 */
import type { mastodon } from "masto";
import type { FediApi } from "./api.ts";
import { compareIds } from "./ids.ts";
import type { NotificationInlet } from "./inlet.ts";
import { HANDLED_TYPES } from "./notification.ts";

/** One page of notifications, oldest first, and where the next (newer) page starts. */
export interface NotificationPage {
  readonly items: mastodon.v1.Notification[];
  /** The `min_id` of the next page, from the `prev` link; null when there is none. */
  readonly nextMinId: string | null;
}

/** The URL of the link with relation `rel` in a `Link` header. */
export function linkUrl(header: string | null, rel: string): string | null {
  if (header === null) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m === null) continue;
    const rels = /;\s*rel="?([^";]+)"?/i.exec(m[2] ?? "")?.[1]?.split(/\s+/) ?? [];
    if (rels.includes(rel)) return m[1] ?? null;
  }
  return null;
}

/** The notifications of the handled types right after `minId` (at most `limit`). */
export async function fetchNotificationsAfter(
  api: FediApi,
  minId: string,
  limit: number,
  signal?: AbortSignal,
): Promise<NotificationPage> {
  const answer = await api.callRaw(
    "notifications",
    () => api.rest.v1.notifications.list.$raw({ minId, limit, types: [...HANDLED_TYPES] }),
    signal === undefined ? {} : { signal },
  );
  const items = [...answer.data].sort((a, b) => compareIds(a.id, b.id));
  const prev = linkUrl(answer.headers.get("link"), "prev");
  let nextMinId: string | null = null;
  if (prev !== null) {
    try {
      nextMinId = new URL(prev).searchParams.get("min_id");
    } catch {
      nextMinId = null;
    }
  }
  return { items, nextMinId };
}

/** The id of the newest notification of the handled types, or null when there is none. */
export async function newestNotificationId(api: FediApi): Promise<string | null> {
  const page = await api.call(
    "notifications",
    () => api.rest.v1.notifications.list.$raw({ limit: 1, types: [...HANDLED_TYPES] }),
  );
  const ids = page.map((n) => n.id).sort(compareIds);
  return ids.at(-1) ?? null;
}

export interface CatchUpOptions {
  readonly api: FediApi;
  readonly inlet: NotificationInlet;
  /** Notifications per page (Mastodon allows up to 80). */
  readonly pageSize: number;
  /** A bound on pages per pass, against a server that never stops. */
  readonly maxPages?: number;
  /** Ends the pass's waits early (shutdown). */
  readonly signal?: AbortSignal;
}

/**
 * One catch-up pass: holds stream events back, waits for what is queued, then walks every
 * notification after the marker. Returns how many were new (not seen before in this process): a
 * live stream would have brought them, so a positive count after a quiet spell means the stream
 * stalled. A failure (the server unreachable) leaves the marker where it was and throws.
 */
export async function catchUpPass(opts: CatchUpOptions): Promise<number> {
  const { api, inlet } = opts;
  const maxPages = opts.maxPages ?? 1000;
  inlet.hold();
  try {
    await inlet.idle();
    inlet.beginPass();
    let minId = inlet.marker ?? "0";
    let fresh = 0;
    let complete = false;
    for (let page = 0; page < maxPages && !opts.signal?.aborted; page++) {
      const { items, nextMinId } = await fetchNotificationsAfter(
        api,
        minId,
        opts.pageSize,
        opts.signal,
      );
      const last = items.at(-1);
      if (last === undefined) {
        complete = true;
        break;
      }
      for (const n of items) {
        if (await inlet.process(n) !== "duplicate") fresh++;
      }
      const next = nextMinId ?? last.id;
      if (compareIds(next, minId) <= 0) {
        complete = true;
        break;
      }
      minId = next;
    }
    // Stopped early (shutdown, page bound): held events must not move the marker past a gap.
    if (!complete) inlet.interruptPass();
    return fresh;
  } catch (e) {
    inlet.interruptPass();
    throw e;
  } finally {
    inlet.release();
  }
}
