/**
 * Where the Fediverse server streams, read before the bridge runs (`deno task flags`/`compile`,
 * `--check`), so that the permission set can name the host: large servers announce their
 * streaming API on another host (`/api/v2/instance` `configuration.urls.streaming`, or
 * `/api/v1/instance` `urls.streaming_api`). Both documents are public; no token is sent.
 *
 * @module
 */
import { isReservedDomain } from "../text/address.ts";

/** Fetches a URL (`fetch` by default; tests may hand another). */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

function text(s: unknown): string | null {
  return typeof s === "string" && s !== "" ? s : null;
}

async function readJson(fetcher: Fetch, url: string, userAgent: string): Promise<unknown> {
  const res = await fetcher(url, {
    headers: { "Accept": "application/json", "User-Agent": userAgent },
    redirect: "error",
  });
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  return await res.json().catch(() => null);
}

/**
 * The streaming base URL the server at `apiUrl` announces, or null when it announces none.
 * Throws when neither document can be fetched (network, permission).
 */
export async function advertisedStreamingUrl(
  apiUrl: string,
  userAgent: string,
  fetcher: Fetch = fetch,
): Promise<string | null> {
  const base = apiUrl.replace(/\/+$/, "");
  if (fetcher === fetch && isReservedDomain(new URL(base).hostname)) {
    // An example or test name: no server there to ask.
    throw new Error("a reserved name (example, test...) is not looked up");
  }
  const v2 = await readJson(fetcher, `${base}/api/v2/instance`, userAgent) as {
    configuration?: { urls?: { streaming?: unknown } };
  } | null;
  const fromV2 = text(v2?.configuration?.urls?.streaming);
  if (fromV2 !== null) return fromV2;
  const v1 = await readJson(fetcher, `${base}/api/v1/instance`, userAgent) as {
    urls?: { streaming_api?: unknown };
  } | null;
  return text(v1?.urls?.streaming_api);
}
