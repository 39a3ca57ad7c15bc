/** Server-level routes: instance v1 and v2, domain blocks, nodeinfo. */

import { errorResponse, json } from "./http.ts";
import {
  domainBlockEntities,
  instanceV1,
  instanceV2,
  nodeinfo,
  nodeinfoDiscovery,
} from "./instance.ts";
import type { Route } from "./router.ts";

export const instanceRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/v1\/instance$/,
    auth: "none",
    handle: (ctx) => json(instanceV1(ctx.core.instanceInfo())),
  },
  {
    method: "GET",
    pattern: /^\/api\/v2\/instance$/,
    auth: "none",
    handle: (ctx) => json(instanceV2(ctx.core.instanceInfo())),
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/instance\/rules$/,
    auth: "none",
    handle: () => json([]),
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/instance\/domain_blocks$/,
    auth: "optional",
    handle: async (ctx) => {
      const { list, visibility } = ctx.core.domainBlocks();
      const signedIn = ctx.viewer !== null;
      if (visibility === "authenticated" && !signedIn) {
        return errorResponse(401, "This API requires an authenticated user");
      }
      if (visibility === "hidden" || (visibility === "users" && !signedIn)) {
        // Rails' `head 404`: no body.
        return new Response(null, { status: 404, headers: { "Content-Type": "text/html" } });
      }
      return json(await domainBlockEntities(list));
    },
  },
  {
    method: "GET",
    pattern: /^\/\.well-known\/nodeinfo$/,
    auth: "none",
    handle: (ctx) => json(nodeinfoDiscovery(ctx.core.instanceInfo())),
  },
  {
    method: "GET",
    pattern: /^\/nodeinfo\/2\.0$/,
    auth: "none",
    handle: (ctx) => {
      const body = nodeinfo(ctx.core.instanceInfo());
      const profile = "http://nodeinfo.diaspora.software/ns/schema/2.0#";
      return new Response(JSON.stringify(body), {
        headers: { "Content-Type": `application/json; profile="${profile}"` },
      });
    },
  },
];
