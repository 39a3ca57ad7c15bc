/**
 * One error type for every failed call to the bot's server, whichever way it failed: an HTTP
 * status (from masto's `MastoHttpError`, or our own fetch), a timeout, a broken connection, or an
 * answer masto could not read (masto throws a plain `TypeError` for an HTML error page, losing
 * the status: those count as passing trouble, like a network error).
 *
 * @module
 */
import {
  MastoDeserializeError,
  MastoHttpError,
  MastoTimeoutError,
  MastoUnexpectedError,
} from "masto";
import { parseReset } from "./rate_gate.ts";

/** A failed call to the Mastodon API. The message never holds a body or a secret. */
export class FediApiError extends Error {
  constructor(
    /** What was being done ("post status", "lookup"...). */
    readonly what: string,
    /** The HTTP status, or null when no answer was read. */
    readonly status: number | null,
    /** A short reason for logs and the outbox. */
    readonly reason: string,
    /** True when trying again cannot help. */
    readonly permanent: boolean,
    /** Epoch ms before which a retry is pointless (rate limit), or null. */
    readonly retryAt: number | null = null,
    /** The answer's headers, when there was an answer. */
    readonly headers: Headers | null = null,
  ) {
    super(`${what}: ${reason}`);
    this.name = "FediApiError";
  }
}

/** Statuses for which the same request can succeed later. */
export function isTransientStatus(status: number): boolean {
  // 401: our token was refused; that is the operator's to fix, not the message's fault.
  return status >= 500 || status === 429 || status === 408 || status === 401;
}

/** A short, body-free reason for an HTTP status. */
export function statusReason(status: number): string {
  switch (status) {
    case 401:
      return "HTTP 401: the access token was refused";
    case 403:
      return "HTTP 403: forbidden";
    case 404:
      return "HTTP 404: not found";
    case 410:
      return "HTTP 410: gone";
    case 422:
      return "HTTP 422: refused by the server";
    case 429:
      return "HTTP 429: rate limited";
    default:
      return `HTTP ${status}`;
  }
}

/** When a 429 may be retried: the rate-limit reset, else `Retry-After`, else a minute. */
export function retryAtOf(headers: Headers | null, now: number): number {
  const reset = headers === null ? null : parseReset(headers);
  if (reset !== null) return reset;
  const after = headers?.get("retry-after");
  if (after) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return now + seconds * 1000;
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return at;
  }
  return now + 60_000;
}

/** An error for an HTTP answer with a failure status. */
export function httpError(what: string, status: number, headers: Headers, now: number) {
  return new FediApiError(
    what,
    status,
    statusReason(status),
    !isTransientStatus(status),
    status === 429 ? retryAtOf(headers, now) : null,
    headers,
  );
}

/** Turns whatever a call threw into a {@link FediApiError}. */
export function toFediApiError(what: string, error: unknown, now: number): FediApiError {
  if (error instanceof FediApiError) return error;
  if (error instanceof MastoHttpError) {
    const cause = error.cause;
    const headers = cause instanceof Response ? cause.headers : new Headers();
    return httpError(what, error.statusCode, headers, now);
  }
  if (error instanceof MastoTimeoutError) {
    return new FediApiError(what, null, "timed out", false);
  }
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return new FediApiError(what, null, "timed out", false);
  }
  if (error instanceof DOMException && error.name === "AbortError") {
    return new FediApiError(what, null, "cancelled", false);
  }
  if (error instanceof MastoDeserializeError || error instanceof MastoUnexpectedError) {
    return new FediApiError(what, null, "unreadable answer", false);
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    const refused = new FediApiError(what, null, "no network permission for the server", false);
    // Kept, so that a caller can tell the permission set's refusal from a network fault.
    refused.cause = error;
    return refused;
  }
  if (error instanceof TypeError) {
    return new FediApiError(what, null, "connection failed or unreadable answer", false);
  }
  return new FediApiError(what, null, "unexpected failure", false);
}
