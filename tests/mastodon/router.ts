/**
 * The request pipeline of the test server: streaming endpoints, fault
 * switches, token check, per-account rate limit, route dispatch and the
 * rate-limit headers of the answer.
 */

import {
  ApiError,
  bearerToken,
  errorResponse,
  INVALID_TOKEN,
  iso8601Micro,
  NOT_FOUND,
} from "./http.ts";
import type { FaultSwitches } from "./faults.ts";
import { serverErrorResponse } from "./faults.ts";
import type { InstanceInfo } from "./instance.ts";
import { type Params, readRequest } from "./params.ts";
import type { MediaSettings } from "./media.ts";
import type { RateLimiter, RateLimitResult } from "./rate_limit.ts";
import type { ServerState } from "./state.ts";
import type { StatusLimits } from "./statuses.ts";
import type { StreamHub } from "./streaming.ts";
import type { AccountRecord, DomainBlockInput, DomainBlocksVisibility } from "./types.ts";

/** What the routes need from the server. */
export interface ServerCore {
  state: ServerState;
  limits: StatusLimits;
  hub: StreamHub;
  media: MediaSettings;
  /** `http://127.0.0.1:PORT`, the base of pagination links. */
  baseUrl(): string;
  instanceInfo(): InstanceInfo;
  domainBlocks(): { list: readonly DomainBlockInput[]; visibility: DomainBlocksVisibility };
}

export interface RouteContext {
  req: Request;
  url: URL;
  params: Params;
  /** Files of a multipart body, by field name. */
  files: Map<string, File>;
  path: Record<string, string>;
  /** The account of the bearer token, when one was sent. */
  viewer: AccountRecord | null;
  core: ServerCore;
}

export interface Route {
  method: "GET" | "POST" | "DELETE" | "PUT" | "PATCH";
  pattern: RegExp;
  /** `user`: a valid token is required; `optional`: a sent token must be valid; `none`: ignored. */
  auth: "user" | "optional" | "none";
  handle(ctx: RouteContext): Response | Promise<Response>;
}

/** The viewer of a `user` route, who is always set. */
export function viewerOf(ctx: RouteContext): AccountRecord {
  if (ctx.viewer === null) throw new ApiError(401, INVALID_TOKEN);
  return ctx.viewer;
}

export interface RequestRecord {
  method: string;
  path: string;
  search: string;
  status: number;
  accountId: string | null;
  at: number;
}

export interface RouterDeps {
  core: ServerCore;
  routes: readonly Route[];
  faults: FaultSwitches;
  limiter: RateLimiter;
  now: () => number;
  /** Marks the connection of `remotePort` as a stream (for the TCP-level faults). */
  markStream(remotePort: number): void;
  onRequest(record: RequestRecord): void;
}

export function rateHeaders(r: RateLimitResult): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(r.limit),
    "X-RateLimit-Remaining": String(r.remaining),
    "X-RateLimit-Reset": iso8601Micro(r.resetAt),
  };
}

export class Router {
  constructor(private readonly deps: RouterDeps) {}

  async handle(req: Request, remotePort: number): Promise<Response> {
    const url = new URL(req.url);
    let accountId: string | null = null;
    let response: Response;
    try {
      const result = await this.#dispatch(req, url, remotePort);
      accountId = result.accountId;
      response = result.response;
    } catch (e) {
      response = e instanceof ApiError
        ? errorResponse(e.status, e.message)
        : errorResponse(500, e instanceof Error ? e.message : String(e));
    }
    this.deps.onRequest({
      method: req.method,
      path: url.pathname,
      search: url.search,
      status: response.status,
      accountId,
      at: this.deps.now(),
    });
    return response;
  }

  #authenticate(token: string | null): AccountRecord | null | "invalid" {
    if (token === null) return null;
    return this.deps.core.state.accountByToken(token) ?? "invalid";
  }

  #streaming(req: Request, url: URL, remotePort: number): Response {
    const { core } = this.deps;
    if (url.pathname === "/api/v1/streaming/health") {
      return new Response("OK", { headers: { "Content-Type": "text/plain" } });
    }
    const isUpgrade = req.headers.get("upgrade")?.toLowerCase() === "websocket";
    const protocol = req.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim() ?? null;
    const header = bearerToken(req);
    const token = header ?? url.searchParams.get("access_token") ?? (isUpgrade ? protocol : null);
    const account = this.#authenticate(token);
    if (account === null || account === "invalid") {
      const message = account === null ? "Missing access token" : "Invalid access token";
      if (isUpgrade) {
        return new Response(null, {
          status: 401,
          headers: { "Content-Type": "text/plain", "X-Error-Message": message },
        });
      }
      return errorResponse(401, message);
    }
    if (isUpgrade) {
      this.deps.markStream(remotePort);
      return core.hub.upgrade(req, account.id, url.searchParams);
    }
    const channel = url.pathname === "/api/v1/streaming/user"
      ? "user"
      : url.pathname === "/api/v1/streaming/user/notification"
      ? "user:notification"
      : null;
    if (channel === null) return errorResponse(400, "Unknown channel requested");
    this.deps.markStream(remotePort);
    return core.hub.eventStream(account.id, channel);
  }

  async #dispatch(
    req: Request,
    url: URL,
    remotePort: number,
  ): Promise<{ response: Response; accountId: string | null }> {
    const { faults, limiter, core } = this.deps;
    const method = req.method.toUpperCase();
    const path = url.pathname;
    const faulted = faults.takeRateLimit(method, path) ?? (() => {
      const f = faults.takeServerError(method, path, "before");
      return f === null ? null : serverErrorResponse(f);
    })();
    if (faulted !== null) {
      await req.body?.cancel();
      return { response: faulted, accountId: null };
    }
    if (path === "/api/v1/streaming" || path.startsWith("/api/v1/streaming/")) {
      return { response: this.#streaming(req, url, remotePort), accountId: null };
    }
    let route: Route | undefined;
    let match: RegExpMatchArray | null = null;
    for (const r of this.deps.routes) {
      if (r.method !== method) continue;
      match = path.match(r.pattern);
      if (match !== null) {
        route = r;
        break;
      }
    }
    const token = this.#authenticate(bearerToken(req));
    const holder = token === "invalid" ? null : token;
    // Routes that ignore tokens still count against the token holder's limit.
    const auth = route?.auth === "none" ? null : token;
    const viewer = auth === "invalid" ? null : auth;
    let rate: RateLimitResult | null = null;
    if (path.startsWith("/api/")) {
      rate = limiter.hit(holder === null ? "ip:127.0.0.1" : `account:${holder.id}`);
    }
    const headers = rate === null ? {} : rateHeaders(rate);
    const finish = (response: Response) => {
      // A route with its own limit (media uploads) answers its own headers, as
      // Mastodon's `override_rate_limit_headers` does.
      const own = response.headers.has("X-RateLimit-Limit");
      for (const [k, v] of Object.entries(headers)) if (!own) response.headers.set(k, v);
      return { response, accountId: holder?.id ?? null };
    };
    if (rate !== null && !rate.allowed) {
      await req.body?.cancel();
      return finish(errorResponse(429, "Too many requests"));
    }
    if (route === undefined || match === null) {
      await req.body?.cancel();
      return finish(errorResponse(404, path.startsWith("/api/") ? NOT_FOUND : "Not Found"));
    }
    if (auth === "invalid" || (route.auth === "user" && viewer === null)) {
      await req.body?.cancel();
      return finish(errorResponse(401, INVALID_TOKEN));
    }
    let params: Params;
    let files: Map<string, File>;
    try {
      ({ params, files } = await readRequest(req, url));
    } catch {
      return finish(errorResponse(400, "Error occurred while parsing request parameters"));
    }
    const ctx: RouteContext = {
      req,
      url,
      params,
      files,
      path: { ...match.groups },
      viewer,
      core,
    };
    let response: Response;
    try {
      response = await route.handle(ctx);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      response = errorResponse(e.status, e.message);
    }
    const after = faults.takeServerError(method, path, "after");
    if (after !== null) {
      await response.body?.cancel();
      response = serverErrorResponse(after);
    }
    return finish(response);
  }
}
