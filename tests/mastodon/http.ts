/** Response helpers and the error type routes throw. */

/** An error answered as Mastodon's Error entity: `{"error": "..."}` with a status code. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const NOT_FOUND = "Record not found";
export const INVALID_TOKEN = "The access token is invalid";

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function errorResponse(status: number, message: string, headers?: HeadersInit): Response {
  return json({ error: message }, status, headers);
}

/** A Mastodon datetime: ISO 8601 with milliseconds, in UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Midnight of the day, as Mastodon serves account creation dates since 3.4. */
export function isoDay(ms: number): string {
  const d = new Date(ms);
  d.setUTCHours(0, 0, 0, 0);
  return d.toISOString();
}

/** `YYYY-MM-DD`, as Mastodon serves `last_status_at`. */
export function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Ruby's `Time#iso8601(6)` in UTC: six fraction digits and a `Z`. */
export function iso8601Micro(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/** The bearer token of a request, from `Authorization: Bearer ...`; `null` when absent. */
export function bearerToken(req: Request): string | null {
  const auth = req.headers.get("authorization");
  if (auth === null) return null;
  const m = auth.match(/^Bearer\s+(.+)$/i);
  return m?.[1]?.trim() ?? "";
}
