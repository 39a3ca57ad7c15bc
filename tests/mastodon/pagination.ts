/**
 * Id-based pagination and `Link` headers, following Mastodon's Paginable
 * concern (`max_id`, `since_id`, `min_id`) and Api::Pagination.
 */

import { type Params, paramString } from "./params.ts";

function asId(value: string | null): bigint | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  return BigInt(value);
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface PageRequest {
  limit: number;
  maxId: string | null;
  sinceId: string | null;
  minId: string | null;
}

/** Mastodon's limit_param: the default when absent, else |limit| capped at `max`. */
export function limitParam(params: Params, defaultLimit: number, max = defaultLimit * 2): number {
  const raw = paramString(params, "limit");
  if (raw === null) return defaultLimit;
  const n = Math.abs(Number.parseInt(raw, 10));
  return Math.min(Number.isNaN(n) ? 0 : n, max);
}

export function pageRequest(params: Params, defaultLimit: number, max?: number): PageRequest {
  return {
    limit: limitParam(params, defaultLimit, max),
    maxId: paramString(params, "max_id"),
    sinceId: paramString(params, "since_id"),
    minId: paramString(params, "min_id"),
  };
}

/**
 * One page, newest first. With `min_id`, the items right after it (oldest
 * first, then reversed); otherwise the newest below `max_id` and above `since_id`.
 */
export function paginate<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  page: PageRequest,
): T[] {
  const max = asId(page.maxId);
  const since = asId(page.sinceId);
  const min = asId(page.minId);
  const sorted = [...items].sort((a, b) => compareIds(idOf(b), idOf(a)));
  const bounded = sorted.filter((item) => {
    const id = BigInt(idOf(item));
    if (max !== null && id >= max) return false;
    if (min !== null) return id > min;
    if (since !== null && id <= since) return false;
    return true;
  });
  if (min !== null) return bounded.reverse().slice(0, page.limit).reverse();
  return bounded.slice(0, page.limit);
}

/** Ruby's CGI.escape: everything but `A-Za-z0-9_.-~` is percent-encoded, space becomes `+`. */
export function cgiEscape(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export type QueryValue = string | string[];

/** Rails' Hash#to_query: `key[]=v` for arrays, entries sorted. */
export function railsQuery(entries: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    if (Array.isArray(value)) {
      parts.push(value.map((v) => `${cgiEscape(`${key}[]`)}=${cgiEscape(v)}`).join("&"));
    } else {
      parts.push(`${cgiEscape(key)}=${cgiEscape(value)}`);
    }
  }
  return parts.filter((p) => p !== "").sort().join("&");
}

/** Copies the request parameters a controller lets through into its pagination links. */
export function permitted(
  params: Params,
  scalars: readonly string[],
  arrays: readonly string[] = [],
): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  for (const key of scalars) {
    const v = params[key];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
      out[key] = String(v);
    }
  }
  for (const key of arrays) {
    const v = params[key];
    if (Array.isArray(v)) out[key] = v.map(String);
  }
  return out;
}

export interface LinkTargets {
  next?: string | null;
  prev?: string | null;
}

/** `<url>; rel="next", <url>; rel="prev"`, or `null` when there is no link. */
export function linkHeader(links: LinkTargets): string | null {
  const parts: string[] = [];
  if (links.next) parts.push(`<${links.next}>; rel="next"`);
  if (links.prev) parts.push(`<${links.prev}>; rel="prev"`);
  return parts.length > 0 ? parts.join(", ") : null;
}

export function pageUrl(
  base: string,
  path: string,
  kept: Record<string, QueryValue>,
  cursor: Record<string, string>,
): string {
  return `${base}${path}?${railsQuery({ ...kept, ...cursor })}`;
}
