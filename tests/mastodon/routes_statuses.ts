/**
 * Status routes: post (with Idempotency-Key), view, edit, delete,
 * favourite, unfavourite and edit history.
 */

import { statusEditEntities, statusEntity } from "./entities.ts";
import { ApiError, json, NOT_FOUND } from "./http.ts";
import { paramBool, paramHash, type Params, paramString, paramStrings } from "./params.ts";
import { type Route, type RouteContext, viewerOf } from "./router.ts";
import { createStatus, editStatus, type NewStatus } from "./statuses.ts";

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

/**
 * `PUT /api/v1/statuses/:id`. As Mastodon's update service reads it, the
 * request is the whole new version: an omitted `status` or `spoiler_text` is
 * empty, omitted `media_ids` or `poll` remove them; an omitted `language`
 * keeps the old one. Only the author may edit (404 for anyone else).
 */
function updateStatus(ctx: RouteContext): Response {
  const { state, limits } = ctx.core;
  const viewer = viewerOf(ctx);
  const s = state.statuses.get(ctx.path.id ?? "");
  if (s === undefined || s.accountId !== viewer.id) throw new ApiError(404, NOT_FOUND);
  const p = ctx.params;
  const language = paramString(p, "language");
  const edited = editStatus(state, limits, s.id, {
    text: paramString(p, "status") ?? "",
    spoilerText: paramString(p, "spoiler_text") ?? "",
    sensitive: paramBool(p, "sensitive") ?? false,
    mediaIds: paramStrings(p, "media_ids"),
    poll: pollParams(p),
    ...(language === null || language === "" ? {} : { language }),
  });
  return json(statusEntity(state, edited, viewer.id));
}

export const statusRoutes: Route[] = [
  {
    method: "PUT",
    pattern: /^\/api\/v1\/statuses\/(?<id>[^/]+)$/,
    auth: "user",
    handle: updateStatus,
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/statuses\/(?<id>[^/]+)\/favourite$/,
    auth: "user",
    handle: (ctx) => {
      const viewer = viewerOf(ctx);
      const s = ctx.core.state.favourite(viewer.id, ctx.path.id ?? "");
      return json(statusEntity(ctx.core.state, s, viewer.id));
    },
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/statuses\/(?<id>[^/]+)\/unfavourite$/,
    auth: "user",
    handle: (ctx) => {
      const viewer = viewerOf(ctx);
      const s = ctx.core.state.unfavourite(viewer.id, ctx.path.id ?? "");
      return json(statusEntity(ctx.core.state, s, viewer.id));
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/statuses\/(?<id>[^/]+)\/history$/,
    auth: "optional",
    handle: (ctx) => {
      const { state } = ctx.core;
      const s = state.visibleStatus(ctx.viewer?.id ?? null, ctx.path.id ?? "");
      return json(statusEditEntities(state, s));
    },
  },
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
