/** Status routes: post (with Idempotency-Key), view and delete. */

import { statusEntity } from "./entities.ts";
import { ApiError, json, NOT_FOUND } from "./http.ts";
import { paramBool, paramHash, type Params, paramString, paramStrings } from "./params.ts";
import { type Route, type RouteContext, viewerOf } from "./router.ts";
import { createStatus, type NewStatus } from "./statuses.ts";

function pollParams(params: Params): NonNullable<NewStatus["poll"]> | null {
  const poll = paramHash(params, "poll");
  if (poll === null) return null;
  const options = paramStrings(poll, "options");
  const expiresIn = Number(paramString(poll, "expires_in") ?? Number.NaN);
  if (options.length === 0) return null;
  if (!Number.isFinite(expiresIn)) {
    throw new ApiError(422, "Validation failed: Poll expires at can't be blank");
  }
  return {
    options,
    expiresIn,
    multiple: paramBool(poll, "multiple") ?? false,
    hideTotals: paramBool(poll, "hide_totals") ?? false,
  };
}

function postStatus(ctx: RouteContext): Response {
  const { state, limits } = ctx.core;
  const viewer = viewerOf(ctx);
  state.statsOf(viewer.id).posts += 1;
  const p = ctx.params;
  if (paramString(p, "scheduled_at") !== null) {
    throw new ApiError(422, "Scheduled statuses are not supported by this test server");
  }
  const language = paramString(p, "language");
  const { status } = createStatus(state, limits, viewer.id, {
    text: paramString(p, "status") ?? "",
    visibility: paramString(p, "visibility"),
    inReplyToId: paramString(p, "in_reply_to_id"),
    spoilerText: paramString(p, "spoiler_text"),
    sensitive: paramBool(p, "sensitive"),
    mediaIds: paramStrings(p, "media_ids"),
    poll: pollParams(p),
    idempotencyKey: ctx.req.headers.get("idempotency-key"),
    application: "Bridge test client",
    ...(language === null || language === "" ? {} : { language }),
  });
  return json(statusEntity(state, status, viewer.id));
}

export const statusRoutes: Route[] = [
  { method: "POST", pattern: /^\/api\/v1\/statuses$/, auth: "user", handle: postStatus },
  {
    method: "GET",
    pattern: /^\/api\/v1\/statuses\/(?<id>[^/]+)$/,
    auth: "optional",
    handle: (ctx) => {
      const { state } = ctx.core;
      const s = state.statuses.get(ctx.path.id ?? "");
      const viewerId = ctx.viewer?.id ?? null;
      if (s === undefined || !state.canSee(viewerId, s)) throw new ApiError(404, NOT_FOUND);
      return json(statusEntity(state, s, viewerId));
    },
  },
  {
    method: "DELETE",
    pattern: /^\/api\/v1\/statuses\/(?<id>[^/]+)$/,
    auth: "user",
    handle: (ctx) => {
      const { state } = ctx.core;
      const viewer = viewerOf(ctx);
      const s = state.statuses.get(ctx.path.id ?? "");
      if (s === undefined || s.accountId !== viewer.id) throw new ApiError(404, NOT_FOUND);
      const entity = statusEntity(state, s, viewer.id, true);
      state.deleteStatus(s.id);
      return json(entity);
    },
  },
];
