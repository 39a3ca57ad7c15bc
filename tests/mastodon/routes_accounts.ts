/** Account routes: credentials, lookup, profiles, statuses, relationships, follows. */

import {
  accountEntity,
  credentialAccountEntity,
  relationshipEntity,
  statusEntity,
} from "./entities.ts";
import { ApiError, json, NOT_FOUND } from "./http.ts";
import { linkHeader, pageRequest, pageUrl, paginate, permitted } from "./pagination.ts";
import { paramBool, paramString, paramStrings } from "./params.ts";
import { type Route, type RouteContext, viewerOf } from "./router.ts";

const STATUS_FILTER_KEYS = ["pinned", "tagged", "only_media", "exclude_replies", "exclude_reblogs"];

function accountStatuses(ctx: RouteContext): Response {
  const { state } = ctx.core;
  const account = state.account(ctx.path.id ?? "");
  const viewerId = ctx.viewer?.id ?? null;
  const tagged = paramString(ctx.params, "tagged")?.toLowerCase() ?? null;
  const candidates = [...state.statuses.values()].filter((s) => {
    if (s.accountId !== account.id || !state.canSee(viewerId, s)) return false;
    if (paramBool(ctx.params, "pinned")) return false;
    if (paramBool(ctx.params, "only_media") && s.mediaIds.length === 0) return false;
    if (tagged !== null && !s.tags.includes(tagged)) return false;
    const replyToOther = s.inReplyToId !== null && s.inReplyToAccountId !== s.accountId;
    return !(paramBool(ctx.params, "exclude_replies") && replyToOther);
  });
  const page = pageRequest(ctx.params, 20);
  const items = paginate(candidates, (s) => s.id, page);
  const kept = permitted(ctx.params, ["limit", ...STATUS_FILTER_KEYS]);
  const path = `/api/v1/accounts/${account.id}/statuses`;
  const first = items[0];
  const last = items[items.length - 1];
  const link = linkHeader({
    next: last !== undefined && items.length === page.limit
      ? pageUrl(ctx.core.baseUrl(), path, kept, { max_id: last.id })
      : null,
    prev: first !== undefined
      ? pageUrl(ctx.core.baseUrl(), path, kept, { min_id: first.id })
      : null,
  });
  const body = items.map((s) => statusEntity(state, s, viewerId));
  return json(body, 200, link === null ? {} : { Link: link });
}

function followRequests(ctx: RouteContext): Response {
  const { state } = ctx.core;
  const viewer = viewerOf(ctx);
  const requests = state.requests.filter((r) => r.targetId === viewer.id);
  const page = pageRequest(ctx.params, 40);
  const items = paginate(requests, (r) => r.id, page);
  const kept = permitted(ctx.params, ["limit"]);
  const path = "/api/v1/follow_requests";
  const first = items[0];
  const last = items[items.length - 1];
  const link = linkHeader({
    next: last !== undefined && items.length === page.limit
      ? pageUrl(ctx.core.baseUrl(), path, kept, { max_id: last.id })
      : null,
    prev: first !== undefined
      ? pageUrl(ctx.core.baseUrl(), path, kept, { min_id: first.id })
      : null,
  });
  const body = items.map((r) => accountEntity(state, state.account(r.accountId)));
  return json(body, 200, link === null ? {} : { Link: link });
}

function answerRequest(accept: boolean) {
  return (ctx: RouteContext): Response => {
    const viewer = viewerOf(ctx);
    const requesterId = ctx.path.id ?? "";
    ctx.core.state.answerRequest(viewer.id, requesterId, accept);
    return json(relationshipEntity(ctx.core.state, viewer.id, requesterId));
  };
}

export const accountRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/v1\/accounts\/verify_credentials$/,
    auth: "user",
    handle: (ctx) => json(credentialAccountEntity(ctx.core.state, viewerOf(ctx))),
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/accounts\/lookup$/,
    auth: "optional",
    handle: (ctx) => {
      const acct = paramString(ctx.params, "acct") ?? "";
      const account = ctx.core.state.lookup(acct);
      if (account === undefined) throw new ApiError(404, NOT_FOUND);
      return json(accountEntity(ctx.core.state, account));
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/accounts\/relationships$/,
    auth: "user",
    handle: (ctx) => {
      const viewer = viewerOf(ctx);
      const ids = paramStrings(ctx.params, "id").filter((id) => ctx.core.state.accounts.has(id));
      return json(ids.map((id) => relationshipEntity(ctx.core.state, viewer.id, id)));
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/accounts\/(?<id>[^/]+)$/,
    auth: "optional",
    handle: (ctx) => json(accountEntity(ctx.core.state, ctx.core.state.account(ctx.path.id ?? ""))),
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/accounts\/(?<id>[^/]+)\/statuses$/,
    auth: "optional",
    handle: accountStatuses,
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/accounts\/(?<id>[^/]+)\/follow$/,
    auth: "user",
    handle: (ctx) => {
      const viewer = viewerOf(ctx);
      const targetId = ctx.path.id ?? "";
      const reblogs = paramBool(ctx.params, "reblogs");
      const notify = paramBool(ctx.params, "notify");
      ctx.core.state.follow(viewer.id, targetId, {
        ...(reblogs === null ? {} : { reblogs }),
        ...(notify === null ? {} : { notify }),
      });
      return json(relationshipEntity(ctx.core.state, viewer.id, targetId));
    },
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/accounts\/(?<id>[^/]+)\/unfollow$/,
    auth: "user",
    handle: (ctx) => {
      const viewer = viewerOf(ctx);
      const targetId = ctx.path.id ?? "";
      ctx.core.state.unfollow(viewer.id, targetId);
      return json(relationshipEntity(ctx.core.state, viewer.id, targetId));
    },
  },
  { method: "GET", pattern: /^\/api\/v1\/follow_requests$/, auth: "user", handle: followRequests },
  {
    method: "POST",
    pattern: /^\/api\/v1\/follow_requests\/(?<id>[^/]+)\/authorize$/,
    auth: "user",
    handle: answerRequest(true),
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/follow_requests\/(?<id>[^/]+)\/reject$/,
    auth: "user",
    handle: answerRequest(false),
  },
];
