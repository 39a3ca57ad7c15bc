/**
 * Media routes: `POST /api/v2/media` (200 when processed during the request,
 * 202 with `url: null` otherwise), `POST /api/v1/media` (always processed
 * first), `GET /api/v1/media/:id` (206 while processing, 200 when done, 422
 * when processing failed), `PUT /api/v1/media/:id` (description, focus).
 * Uploads count against the media rate limit and answer its headers.
 */

import { mediaEntity } from "./entities.ts";
import { ApiError, errorResponse, json, NOT_FOUND } from "./http.ts";
import { parseFocus, PROCESSING_ERROR, storeUpload } from "./media.ts";
import { paramString } from "./params.ts";
import { rateHeaders, type Route, type RouteContext, viewerOf } from "./router.ts";
import type { MediaRecord } from "./types.ts";

async function upload(ctx: RouteContext, mayDefer: boolean): Promise<Response> {
  const viewer = viewerOf(ctx);
  const { state, media } = ctx.core;
  const rate = media.limiter.hit(`media:${viewer.id}`);
  const headers = rateHeaders(rate);
  if (!rate.allowed) return errorResponse(429, "Too many requests", headers);
  try {
    const record = await storeUpload(state, media, viewer.id, {
      file: ctx.files.get("file"),
      description: paramString(ctx.params, "description"),
      focus: paramString(ctx.params, "focus"),
      mayDefer,
    });
    return json(mediaEntity(record), record.processing === "pending" ? 202 : 200, headers);
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e.status, e.message, headers);
    throw e;
  }
}

/** The viewer's own media not yet attached to a status (Mastodon finds no other). */
function ownUnattached(ctx: RouteContext): MediaRecord {
  const viewer = viewerOf(ctx);
  const m = ctx.core.state.media.get(ctx.path.id ?? "");
  if (m === undefined || m.accountId !== viewer.id || m.statusId !== null) {
    throw new ApiError(404, NOT_FOUND);
  }
  ctx.core.state.settleMedia(m);
  if (m.processing === "failed") throw new ApiError(422, PROCESSING_ERROR);
  return m;
}

function answer(m: MediaRecord): Response {
  return json(mediaEntity(m), m.processing === "pending" ? 206 : 200);
}

export const mediaRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/api\/v2\/media$/,
    auth: "user",
    handle: (ctx) => upload(ctx, true),
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/media$/,
    auth: "user",
    handle: (ctx) => upload(ctx, false),
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/media\/(?<id>[^/]+)$/,
    auth: "user",
    handle: (ctx) => answer(ownUnattached(ctx)),
  },
  {
    method: "PUT",
    pattern: /^\/api\/v1\/media\/(?<id>[^/]+)$/,
    auth: "user",
    handle: (ctx) => {
      const m = ownUnattached(ctx);
      const description = paramString(ctx.params, "description");
      if (description !== null) m.description = description === "" ? null : description;
      const focus = parseFocus(paramString(ctx.params, "focus"));
      if (focus !== null) m.focus = focus;
      ctx.core.state.hooks.changed();
      return answer(m);
    },
  },
];
