/**
 * HTTP-level fault switches: answer chosen requests with 429 or 5xx instead
 * of serving them. Connection-level faults (down, dropped or stalled streams)
 * live in `tcp_front.ts`.
 */

import { errorResponse, iso8601Micro } from "./http.ts";

/** Which requests a fault applies to; by default every request but streaming ones. */
export interface FaultMatch {
  /** A path prefix (`/api/v1/statuses`) or a pattern tested against the path. */
  path?: string | RegExp;
  method?: string;
}

export interface RateLimitFaultOptions extends FaultMatch {
  /** Seconds from now announced in X-RateLimit-Reset. Default 60. */
  resetInSeconds?: number;
}

export type ServerErrorStatus = 500 | 502 | 503;

export interface ServerErrorFaultOptions extends FaultMatch {
  status?: ServerErrorStatus;
  /**
   * `before` (default): the request is not served. `after`: it is served
   * (a status gets created), then the answer is replaced by the error, as
   * when a proxy loses the upstream response.
   */
  when?: "before" | "after";
  /** Body of the answer. Default: HTML for 502 (a proxy's page), JSON otherwise. */
  body?: "json" | "html";
}

interface Armed<T> {
  remaining: number;
  options: T;
}

function matches(m: FaultMatch, method: string, path: string): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return !path.startsWith("/api/v1/streaming");
  return typeof m.path === "string" ? path.startsWith(m.path) : m.path.test(path);
}

const REASONS: Record<ServerErrorStatus, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export class FaultSwitches {
  #rateLimits: Armed<RateLimitFaultOptions>[] = [];
  #errors: Armed<ServerErrorFaultOptions>[] = [];

  constructor(private readonly now: () => number, private readonly limit: () => number) {}

  /** Answers the next `count` matching requests with 429. */
  rateLimitNext(count: number, options: RateLimitFaultOptions = {}): void {
    this.#rateLimits.push({ remaining: count, options });
  }

  /** Answers the next `count` matching requests with a 5xx. */
  serverErrorNext(count: number, options: ServerErrorFaultOptions = {}): void {
    this.#errors.push({ remaining: count, options });
  }

  /** Answers every matching request with a 5xx until `clearServerErrors()`. */
  serverErrorUntilCleared(options: ServerErrorFaultOptions = {}): void {
    this.#errors.push({ remaining: Number.POSITIVE_INFINITY, options });
  }

  clearServerErrors(): void {
    this.#errors = [];
  }

  clearRateLimits(): void {
    this.#rateLimits = [];
  }

  /** A 429 answer when a rate-limit fault applies to this request. */
  takeRateLimit(method: string, path: string): Response | null {
    const armed = this.#take(this.#rateLimits, method, path);
    if (armed === null) return null;
    const reset = this.now() + (armed.options.resetInSeconds ?? 60) * 1000;
    return errorResponse(429, "Too many requests", {
      "X-RateLimit-Limit": String(this.limit()),
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": iso8601Micro(reset),
    });
  }

  /** The options of the 5xx fault that applies to this request at this stage, if any. */
  takeServerError(
    method: string,
    path: string,
    stage: "before" | "after",
  ): ServerErrorFaultOptions | null {
    const candidates = this.#errors.filter((a) => (a.options.when ?? "before") === stage);
    const armed = this.#take(candidates, method, path);
    if (armed === null) return null;
    this.#errors = this.#errors.filter((a) => a.remaining > 0);
    return armed.options;
  }

  #take<T extends FaultMatch>(list: Armed<T>[], method: string, path: string): Armed<T> | null {
    const armed = list.find((a) => a.remaining > 0 && matches(a.options, method, path));
    if (armed === undefined) return null;
    armed.remaining -= 1;
    if (list === this.#rateLimits) {
      this.#rateLimits = this.#rateLimits.filter((a) => a.remaining > 0);
    }
    return armed;
  }
}

export function serverErrorResponse(options: ServerErrorFaultOptions): Response {
  const status = options.status ?? 500;
  const body = options.body ?? (status === 502 ? "html" : "json");
  if (body === "json") return errorResponse(status, REASONS[status]);
  const html = `<html><head><title>${status} ${REASONS[status]}</title></head>` +
    `<body><center><h1>${status} ${REASONS[status]}</h1></center></body></html>\n`;
  return new Response(html, { status, headers: { "Content-Type": "text/html" } });
}
