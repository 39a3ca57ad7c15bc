/**
 * Media uploads as Mastodon handles them: type and size limits of
 * `configuration.media_attachments`, a check that an image really is the
 * format it claims, pixel size from the file header, focal point,
 * synchronous processing for images and asynchronous processing for
 * video and audio (or for everything, by a test switch), and the media rate
 * limit (30 uploads per 30 minutes on Mastodon).
 */

import { ApiError } from "./http.ts";
import { RateLimiter } from "./rate_limit.ts";
import type { ServerState } from "./state.ts";
import type {
  MastodonTestServerOptions,
  MediaProcessingOptions,
  MediaRecord,
  MediaType,
} from "./types.ts";

/** Content types Mastodon 4.3 accepts, as its instance entity lists them. */
export const SUPPORTED_MIME_TYPES: readonly string[] = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/heic",
  "image/heif",
  "image/webp",
  "image/avif",
  "video/webm",
  "video/mp4",
  "video/quicktime",
  "video/ogg",
  "audio/wave",
  "audio/wav",
  "audio/x-wav",
  "audio/x-pn-wave",
  "audio/vnd.wave",
  "audio/ogg",
  "audio/vorbis",
  "audio/mpeg",
  "audio/mp3",
  "audio/webm",
  "audio/flac",
  "audio/aac",
  "audio/m4a",
  "audio/x-m4a",
  "audio/mp4",
  "audio/3gpp",
  "video/x-ms-asf",
];

export const MAX_DESCRIPTION_LENGTH = 1500;
export const PROCESSING_ERROR = "Error processing thumbnail for uploaded media";
export const FILE_TYPE_ERROR = "File type of uploaded media could not be verified";

/** Limits and switches of the upload endpoints; tests change them while the server runs. */
export class MediaSettings {
  imageSizeLimit: number;
  videoSizeLimit: number;
  supportedMimeTypes: string[] = [...SUPPORTED_MIME_TYPES];
  processing: Required<MediaProcessingOptions>;
  readonly limiter: RateLimiter;

  constructor(
    options: Pick<
      MastodonTestServerOptions,
      "imageSizeLimit" | "videoSizeLimit" | "mediaRateLimit" | "mediaProcessing"
    >,
    now: () => number,
  ) {
    this.imageSizeLimit = options.imageSizeLimit ?? 16 * 1024 * 1024;
    this.videoSizeLimit = options.videoSizeLimit ?? 99 * 1024 * 1024;
    this.processing = { async: false, delayMs: 0, fail: false, ...options.mediaProcessing };
    this.limiter = new RateLimiter(
      options.mediaRateLimit?.limit ?? 30,
      options.mediaRateLimit?.windowMs ?? 30 * 60 * 1000,
      now,
    );
  }
}

/** Rails' `number_to_human_size`: `16 MB`, `1.95 KB`, `500 Bytes`. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} Bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

function startsWith(bytes: Uint8Array, sig: number[], at = 0): boolean {
  return sig.every((b, i) => bytes[at + i] === b);
}

/** The image format the bytes are in, from their magic number, or null. */
export function sniffImage(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return "image/gif";
  if (
    startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
  ) {
    return "image/webp";
  }
  return null;
}

/** Width and height from a PNG, GIF or JPEG header; null for other formats or cut files. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = sniffImage(bytes);
  if (kind === "image/png" && bytes.length >= 24) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (kind === "image/gif" && bytes.length >= 10) {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (kind === "image/jpeg") {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1] ?? 0;
      const length = view.getUint16(i + 2);
      const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isFrame) return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
      i += 2 + length;
    }
  }
  return null;
}

function typeOf(mime: string): MediaType {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  return "unknown";
}

/** `focus=x,y`, each clamped to -1..1; null when absent or not two numbers. */
export function parseFocus(value: string | null): { x: number; y: number } | null {
  if (value === null || value === "") return null;
  const parts = value.split(",").map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) return null;
  const clamp = (n: number) => Math.max(-1, Math.min(1, n));
  return { x: clamp(parts[0] ?? 0), y: clamp(parts[1] ?? 0) };
}

function validation(message: string): ApiError {
  return new ApiError(422, `Validation failed: ${message}`);
}

export interface Upload {
  file: File | undefined;
  description: string | null;
  focus: string | null;
  /** `POST /api/v2/media` may answer before processing ends; v1 always waits. */
  mayDefer: boolean;
}

/**
 * Checks and stores an upload. Returns the record; it is `pending` when the
 * answer is to be 202. Throws 422 for a missing file, a type not supported,
 * a file over the limit, an image whose bytes are not of its type, a
 * description over 1500 characters; 500 when synchronous processing fails.
 */
export async function storeUpload(
  state: ServerState,
  settings: MediaSettings,
  accountId: string,
  upload: Upload,
): Promise<MediaRecord> {
  const { file } = upload;
  if (file === undefined) throw validation("File can't be blank");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const declared = file.type.split(";")[0]?.trim().toLowerCase() ?? "";
  const mime = declared === "" || declared === "application/octet-stream"
    ? (sniffImage(bytes) ?? declared)
    : declared;
  if (!settings.supportedMimeTypes.includes(mime)) {
    throw validation("File content type is invalid");
  }
  const type = typeOf(mime);
  const limit = type === "image" ? settings.imageSizeLimit : settings.videoSizeLimit;
  if (bytes.length > limit) {
    throw validation(`File file size must be less than ${humanSize(limit)}`);
  }
  if (["image/png", "image/jpeg", "image/gif", "image/webp"].includes(mime)) {
    if (sniffImage(bytes) !== mime) throw new ApiError(422, FILE_TYPE_ERROR);
  }
  if ((upload.description?.length ?? 0) > MAX_DESCRIPTION_LENGTH) {
    throw validation(`Description is too long (maximum is ${MAX_DESCRIPTION_LENGTH} characters)`);
  }
  const p = settings.processing;
  const deferred = upload.mayDefer && (p.async || type !== "image");
  if (!deferred && p.fail) throw new ApiError(500, PROCESSING_ERROR);
  const id = state.nextId();
  const ext = mime.split("/")[1]?.replace(/^x-/, "") ?? "bin";
  const size = type === "image" ? imageSize(bytes) : null;
  const record: MediaRecord = {
    id,
    accountId,
    type,
    url: `https://${state.domain}/system/media_attachments/files/${id}/original.${ext}`,
    description: upload.description === "" ? null : upload.description,
    statusId: null,
    mimeType: mime,
    bytes,
    width: size?.width ?? null,
    height: size?.height ?? null,
    focus: parseFocus(upload.focus),
    processing: deferred ? "pending" : "done",
    readyAt: deferred ? state.now() + p.delayMs : null,
    willFail: deferred && p.fail,
    createdAt: state.now(),
  };
  state.media.set(id, record);
  state.hooks.changed();
  return record;
}
