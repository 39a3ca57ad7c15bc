/**
 * Request parameters the way Rails reads them: query string, JSON body,
 * urlencoded or multipart form, with `key[]` arrays and `key[sub]` hashes
 * (masto sends `types[]=a` in queries and `media_ids[0]=a` in forms).
 */

export type Param = string | number | boolean | null | Param[] | { [key: string]: Param };
export type Params = { [key: string]: Param };

function isHash(value: Param | undefined): value is { [key: string]: Param } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Splits `poll[options][]` into `["poll", "options", ""]`. */
function keySegments(key: string): string[] {
  const first = key.indexOf("[");
  if (first <= 0) return [key];
  const segments = [key.slice(0, first)];
  for (const m of key.slice(first).matchAll(/\[([^\]]*)\]/g)) segments.push(m[1] ?? "");
  return segments;
}

export function setParam(target: Params, key: string, value: Param): void {
  const segments = keySegments(key);
  let node: Params = target;
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i] ?? "";
    const next = segments[i + 1];
    if (next === undefined) {
      node[name] = value;
      return;
    }
    if (next === "") {
      const existing = node[name];
      const list = Array.isArray(existing) ? existing : [];
      list.push(value);
      node[name] = list;
      return;
    }
    const child = node[name];
    const hash = isHash(child) ? child : {};
    node[name] = hash;
    node = hash;
  }
}

/** Turns hashes whose keys are all indexes (`{"0": a, "1": b}`) into arrays. */
function normalize(value: Param): Param {
  if (Array.isArray(value)) return value.map(normalize);
  if (!isHash(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => normalize(value[k] ?? null));
  }
  const out: Params = {};
  for (const k of keys) out[k] = normalize(value[k] ?? null);
  return out;
}

export function parseQuery(search: URLSearchParams): Params {
  const out: Params = {};
  for (const [key, value] of search) setParam(out, key, value);
  return normalize(out) as Params;
}

/** Query parameters merged with the body parameters (the body wins). */
export async function readParams(req: Request, url: URL): Promise<Params> {
  return (await readRequest(req, url)).params;
}

/** Parameters and the files of a multipart body (by field name). */
export async function readRequest(
  req: Request,
  url: URL,
): Promise<{ params: Params; files: Map<string, File> }> {
  const params = parseQuery(url.searchParams);
  const files = new Map<string, File>();
  if (req.method === "GET" || req.method === "HEAD" || req.body === null) return { params, files };
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    const text = await req.text();
    if (text.trim() === "") return { params, files };
    const body: unknown = JSON.parse(text);
    if (isHash(body as Param)) Object.assign(params, body);
    return { params, files };
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    const form = await req.formData();
    const body: Params = {};
    for (const [key, value] of form) {
      if (typeof value === "string") setParam(body, key, value);
      else files.set(key, value);
    }
    Object.assign(params, normalize(body));
    return { params, files };
  }
  await req.body.cancel();
  return { params, files };
}

export function paramString(params: Params, key: string): string | null {
  const v = params[key];
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return null;
}

/** Rails' boolean cast: blank is `null`; `false`, `0`, `f`, `off` (any case) are false. */
export function paramBool(params: Params, key: string): boolean | null {
  const v = params[key];
  if (v === undefined || v === null || v === "") return null;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v !== "string") return true;
  return !["0", "f", "false", "off"].includes(v.toLowerCase());
}

export function paramStrings(params: Params, key: string): string[] {
  const v = params[key];
  if (Array.isArray(v)) {
    return v.filter((x) => typeof x === "string" || typeof x === "number").map(String);
  }
  if (typeof v === "string") return [v];
  return [];
}

export function paramHash(params: Params, key: string): Params | null {
  const v = params[key];
  return isHash(v) ? v : null;
}
