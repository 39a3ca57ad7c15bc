/** Notification routes: list (filters, pagination, Link), view, dismiss, clear. */

import { notificationEntity } from "./entities.ts";
import { ApiError, json, NOT_FOUND } from "./http.ts";
import { linkHeader, pageRequest, pageUrl, paginate, permitted } from "./pagination.ts";
import { paramString, paramStrings } from "./params.ts";
import { type Route, type RouteContext, viewerOf } from "./router.ts";

function listNotifications(ctx: RouteContext): Response {
  const { state } = ctx.core;
  const viewer = viewerOf(ctx);
  const types = paramStrings(ctx.params, "types");
  const excluded = paramStrings(ctx.params, "exclude_types");
  const from = paramString(ctx.params, "account_id");
  const candidates = state.notificationsOf(viewer.id).filter((n) =>
    (types.length === 0 || types.includes(n.type)) && !excluded.includes(n.type) &&
    (from === null || n.fromAccountId === from)
  );
  const page = pageRequest(ctx.params, 40);
  const items = paginate(candidates, (n) => n.id, page);
  const kept = permitted(ctx.params, ["limit", "account_id"], ["types", "exclude_types"]);
  const path = "/api/v1/notifications";
  const first = items[0];
  const last = items[items.length - 1];
  const link = linkHeader({
    next: last === undefined ? null : pageUrl(ctx.core.baseUrl(), path, kept, { max_id: last.id }),
    prev: first === undefined
      ? null
      : pageUrl(ctx.core.baseUrl(), path, kept, { min_id: first.id }),
  });
  const body = items.map((n) => notificationEntity(state, n));
  return json(body, 200, link === null ? {} : { Link: link });
}

function ownNotification(ctx: RouteContext) {
  const viewer = viewerOf(ctx);
  const n = ctx.core.state.notifications.get(ctx.path.id ?? "");
  if (n === undefined || n.accountId !== viewer.id) throw new ApiError(404, NOT_FOUND);
  return n;
}

export const notificationRoutes: Route[] = [
  { method: "GET", pattern: /^\/api\/v1\/notifications$/, auth: "user", handle: listNotifications },
  {
    method: "POST",
    pattern: /^\/api\/v1\/notifications\/clear$/,
    auth: "user",
    handle: (ctx) => {
      const viewer = viewerOf(ctx);
      const { state } = ctx.core;
      for (const n of state.notificationsOf(viewer.id)) state.notifications.delete(n.id);
      state.hooks.changed();
      return json({});
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/notifications\/(?<id>\d+)$/,
    auth: "user",
    handle: (ctx) => json(notificationEntity(ctx.core.state, ownNotification(ctx))),
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/notifications\/(?<id>[^/]+)\/dismiss$/,
    auth: "user",
    handle: (ctx) => {
      const n = ownNotification(ctx);
      ctx.core.state.notifications.delete(n.id);
      ctx.core.state.hooks.changed();
      return json({});
    },
  },
];
