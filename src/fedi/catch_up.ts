/**
 * Fetching what the stream did not bring. A pass first reads back from the marker (`max_id`,
 * newest first) over an overlap, at least `overlapCount` notifications and `overlapMs` of time
 * behind it, whichever reaches further, and back to any notification waiting for a retry; then it
 * walks forward from the marker page after page (`min_id`, following the `prev` link of each
 * page). Everything is handed to the inlet oldest first, which drops what is done by its key.
 *
 * The overlap is what makes up for a stream that brought a newer notification before an older one
 * (the marker moved past the older one) or lost one: the next pass takes it up. It never reaches
 * the floor (what was there before the bridge's first start).
 *
 * @module
 */
import type { mastodon } from "masto";
import type { FediApi } from "./api.ts";
import { compareIds } from "./ids.ts";
import type { NotificationInlet } from "./inbound.ts";
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

/** One page of notifications older than `maxId`, newest first, and where the next one starts. */
export interface OlderPage {
  readonly items: mastodon.v1.Notification[];
  /** The `max_id` of the next (older) page, from the `next` link; null when there is none. */
  readonly nextMaxId: string | null;
}

/** The notifications of the handled types right before `maxId` (at most `limit`, newest first). */
export async function fetchNotificationsBefore(
  api: FediApi,
  maxId: string,
  limit: number,
  signal?: AbortSignal,
): Promise<OlderPage> {
  const answer = await api.callRaw(
    "notifications",
    () => api.rest.v1.notifications.list.$raw({ maxId, limit, types: [...HANDLED_TYPES] }),
    signal === undefined ? {} : { signal },
  );
  const items = [...answer.data].sort((a, b) => compareIds(b.id, a.id));
  const next = linkUrl(answer.headers.get("link"), "next");
  let nextMaxId: string | null = null;
  if (next !== null) {
    try {
      nextMaxId = new URL(next).searchParams.get("max_id");
    } catch {
      nextMaxId = null;
    }
  }
  return { items, nextMaxId };
}

/** How far back behind the marker a pass reads. */
export interface Overlap {
  /** At least this many notifications behind the marker (default 200). */
  readonly count: number;
  /** And at least this long before the newest of them (default 10 minutes). */
  readonly ms: number;
  /** Notifications per page going back (default 80, Mastodon's maximum). */
  readonly pageSize: number;
  /** A bound on pages going back (default 4: a busy server's 10 minutes cost no more). */
  readonly maxPages: number;
}

export const DEFAULT_OVERLAP: Overlap = { count: 200, ms: 10 * 60_000, pageSize: 80, maxPages: 4 };

/**
 * The notifications behind `marker` that a pass reads again, oldest first: back until both the
 * count and the time of the overlap are passed and `retryFrom` (a failed notification) is
 * reached, never at or below `floor`, within `maxPages`.
 */
export async function readOverlap(
  api: FediApi,
  marker: string,
  limits: {
    readonly overlap: Overlap;
    readonly floor: string | null;
    readonly retryFrom: string | null;
    readonly signal?: AbortSignal;
  },
): Promise<mastodon.v1.Notification[]> {
  const { overlap, floor, retryFrom, signal } = limits;
  const out: mastodon.v1.Notification[] = [];
  if (overlap.count <= 0 && overlap.ms <= 0 && retryFrom === null) return out;
  let maxId = marker;
  let newestAt: number | null = null;
  for (let page = 0; page < overlap.maxPages && !signal?.aborted; page++) {
    const { items, nextMaxId } = await fetchNotificationsBefore(
      api,
      maxId,
      overlap.pageSize,
      signal,
    );
    let reachedFloor = false;
    for (const n of items) {
      if (floor !== null && compareIds(n.id, floor) <= 0) {
        reachedFloor = true;
        break;
      }
      out.push(n);
      newestAt ??= Date.parse(n.createdAt);
    }
    const oldest = out.at(-1);
    if (reachedFloor || oldest === undefined || items.length === 0) break;
    const enoughCount = out.length >= overlap.count;
    const oldestAt = Date.parse(oldest.createdAt);
    const enoughTime = newestAt === null || !Number.isFinite(oldestAt) ||
      !Number.isFinite(newestAt) || newestAt - oldestAt >= overlap.ms;
    const enoughRetry = retryFrom === null || compareIds(oldest.id, retryFrom) <= 0;
    if (enoughCount && enoughTime && enoughRetry) break;
    const next = nextMaxId ?? oldest.id;
    if (compareIds(next, maxId) >= 0) break;
    maxId = next;
  }
  return out.reverse();
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
  /** How far behind the marker the pass reads again (default {@link DEFAULT_OVERLAP}). */
  readonly overlap?: Overlap;
  /** Ends the pass's waits early (shutdown). */
  readonly signal?: AbortSignal;
}

/**
 * One catch-up pass: holds stream events back, waits for what is queued, then reads the overlap
 * behind the marker and walks every notification after it. Returns how many were new (handled or
 * ignored, not done before): a live stream would have brought them, so a positive count means the
 * stream missed some (or stalled). A failure (the server unreachable) leaves the marker where it
 * was and throws.
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
    const count = (outcome: string) => {
      if (outcome === "handled" || outcome === "ignored") fresh++;
    };
    const floor = inlet.floor;
    if (minId !== "0" && (floor === null || compareIds(minId, floor) > 0)) {
      const behind = await readOverlap(api, minId, {
        overlap: opts.overlap ?? DEFAULT_OVERLAP,
        floor,
        retryFrom: inlet.retryFloor,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      for (const n of behind) count(await inlet.process(n));
    }
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
      for (const n of items) count(await inlet.process(n));
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

/** Catch-up passes one at a time, in the order asked for. */
export class CatchUpQueue {
  #chain: Promise<unknown> = Promise.resolve();

  /** `after` runs when a pass succeeded, before its caller hears of it. */
  constructor(private readonly options: CatchUpOptions, private readonly after: () => void) {}

  /** One pass after those queued; resolves with how many notifications it took up. */
  run(): Promise<number> {
    const pass = this.#chain.then(() => catchUpPass(this.options));
    this.#chain = pass.catch(() => {});
    return pass.then((fresh) => {
      this.after();
      return fresh;
    });
  }

  /** Resolves once the passes queued so far have ended. */
  idle(): Promise<unknown> {
    return this.#chain;
  }
}
