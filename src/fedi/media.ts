/**
 * Files shared from XMPP, attached to a status: the file is downloaded from its host (an allowed
 * `media-hosts` entry; the size is checked against the announced length first and then while
 * reading), uploaded with `POST /api/v2/media` (its XEP-0066 description as alt text), and waited
 * for while the server processes it (`202`, then `GET /api/v1/media/:id` until `200`).
 *
 * The limits are the smaller of `media-max-mb` and the server's (`configuration.media_attachments`
 * of its instance document: size per kind, accepted types; `statuses.max_media_attachments`). A
 * file over them, of a type the server refuses, that cannot be downloaded (its host answers an
 * error, is down, or is not in the permissions), or refused by the server (422) goes as a link:
 * {@link MediaUploader.upload} answers null. The text with the link is delivered at once rather
 * than holding the sender's later messages back. Failures of the bot's own server worth a retry
 * (5xx, 429, no connection) throw.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { Clock } from "../core/ports.ts";
import type { MediaItem } from "../core/types.ts";
import { mediaHostAllowed } from "../core/media_hosts.ts";
import { sleep } from "../time/clock.ts";
import type { FediApi } from "./api.ts";
import { FediApiError } from "./errors.ts";
import { UPLOAD_MEDIA_CALL } from "./share.ts";

/** What the server accepts, with the configured cap applied. */
export interface MediaRules {
  readonly imageBytes: number;
  readonly videoBytes: number;
  /** Accepted MIME types; null when the server does not say (then the server decides). */
  readonly types: ReadonlySet<string> | null;
  /** Files per status. */
  readonly maxAttachments: number;
}

export interface MediaUploaderOptions {
  readonly api: FediApi;
  readonly config: Config;
  readonly clock: Clock;
  /** For downloads (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Per download (default 60 s). */
  readonly downloadTimeoutMs?: number;
  /** Between looks at a file being processed (default 1 s), at most `processingPolls` times. */
  readonly pollMs?: number;
  readonly processingPolls?: number;
}

export class MediaUploader {
  readonly #o: MediaUploaderOptions;
  #rules: MediaRules | null = null;

  constructor(opts: MediaUploaderOptions) {
    this.#o = opts;
  }

  /** The server's rules, read once from its instance document (Mastodon's when it says none). */
  async rules(): Promise<MediaRules> {
    if (this.#rules !== null) return this.#rules;
    const { api, config } = this.#o;
    const cap = config.mediaMaxMb * 1024 * 1024;
    const v2 = await api.call("instance v2", (m) => api.rest.v2.instance.fetch.$raw(undefined, m));
    const media = v2.configuration?.mediaAttachments;
    const size = (n: unknown, fallback: number) =>
      Math.min(cap, typeof n === "number" && n > 0 ? n : fallback);
    const types = media?.supportedMimeTypes;
    const max = v2.configuration?.statuses?.maxMediaAttachments;
    this.#rules = {
      imageBytes: size(media?.imageSizeLimit, 16 * 1024 * 1024),
      videoBytes: size(media?.videoSizeLimit, 99 * 1024 * 1024),
      types: Array.isArray(types) && types.length > 0 ? new Set(types) : null,
      maxAttachments: typeof max === "number" && max > 0 ? max : 4,
    };
    return this.#rules;
  }

  /** Uploads one file: its media id once processed, or null when it must go as a link. */
  async upload(item: MediaItem): Promise<string | null> {
    if (!mediaHostAllowed(item.url, this.#o.config.mediaHosts)) return null;
    const rules = await this.rules();
    const file = await this.#download(item.url, rules);
    if (file === null) return null;
    const { api } = this.#o;
    try {
      const media = await api.call(
        UPLOAD_MEDIA_CALL,
        (m) =>
          api.rest.v2.media.create.$raw({
            file,
            description: item.description?.slice(0, 1500) ?? null,
            skipPolling: true,
          }, m),
        { bucket: "media" },
      );
      return media.url === null || media.url === undefined
        ? await this.#processed(media.id)
        : media.id;
    } catch (e) {
      // 413, 415, 422: the server will not take this file (too big, type, unreadable).
      if (e instanceof FediApiError && e.permanent) return null;
      throw e;
    }
  }

  /** Waits for the server to finish processing; null when it failed (422) or took too long. */
  async #processed(id: string): Promise<string | null> {
    const { api, clock } = this.#o;
    const polls = this.#o.processingPolls ?? 60;
    for (let i = 0; i < polls; i++) {
      await sleep(clock, this.#o.pollMs ?? 1000, api.signal);
      const { status } = await api.getJson(
        "media status",
        `api/v1/media/${encodeURIComponent(id)}`,
      );
      if (status === 200) return id;
      if (status !== 206) return null;
    }
    return null;
  }

  /** The file's bytes (typed), or null when it is over the limits, refused or gone. */
  async #download(url: string, rules: MediaRules): Promise<Blob | null> {
    const doFetch = this.#o.fetch ?? fetch;
    const signal = AbortSignal.any([
      this.#o.api.signal,
      AbortSignal.timeout(this.#o.downloadTimeoutMs ?? 60_000),
    ]);
    let res: Response;
    try {
      res = await doFetch(url, { signal, redirect: "error" });
    } catch {
      return null;
    }
    const type = (res.headers.get("content-type") ?? "application/octet-stream")
      .split(";")[0]!.trim().toLowerCase();
    const limit = type.startsWith("video/") || type.startsWith("audio/")
      ? rules.videoBytes
      : rules.imageBytes;
    const announced = Number(res.headers.get("content-length") ?? NaN);
    if (
      !res.ok || (rules.types !== null && !rules.types.has(type)) ||
      (Number.isFinite(announced) && announced > limit)
    ) {
      await res.body?.cancel();
      return null;
    }
    try {
      const bytes = await readAtMost(res, limit);
      return bytes === null ? null : new Blob([bytes], { type });
    } catch {
      // The body broke off.
      return null;
    }
  }
}

/** The body, or null as soon as it is longer than `limit` bytes (the rest is not read). */
async function readAtMost(
  res: Response,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (res.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
