import assert from "node:assert/strict";
import { MastoHttpError, MastoUnexpectedError } from "masto";
import { FediApiError, isTransientStatus, retryAtOf, toFediApiError } from "./errors.ts";

const NOW = Date.UTC(2026, 0, 1, 12);

Deno.test("HTTP failures keep their status, headers and a retry time for 429", () => {
  const response = new Response("{}", {
    status: 429,
    headers: { "X-RateLimit-Reset": "2026-01-01T12:00:02.000000Z", "X-RateLimit-Remaining": "0" },
  });
  const error = toFediApiError(
    "post",
    new MastoHttpError({ statusCode: 429, message: "Too many requests" }, { cause: response }),
    NOW,
  );
  assert.equal(error.status, 429);
  assert.equal(error.permanent, false);
  assert.equal(error.retryAt, NOW + 2000);
  assert.equal(error.headers?.get("x-ratelimit-remaining"), "0");
  const notFound = toFediApiError(
    "post",
    new MastoHttpError({ statusCode: 404, message: "x" }),
    NOW,
  );
  assert.deepEqual([notFound.permanent, notFound.reason], [true, "HTTP 404: not found"]);
});

Deno.test("only server trouble, rate limits and token trouble are worth retrying", () => {
  assert.deepEqual(
    [500, 502, 503, 429, 408, 401, 400, 403, 404, 410, 422].map(isTransientStatus),
    [true, true, true, true, true, true, false, false, false, false, false],
  );
});

Deno.test("transport failures and unreadable answers are passing trouble", () => {
  // masto's TypeError for an HTML error page, and fetch's for a refused connection.
  for (const e of [new TypeError("Cannot destructure"), new MastoUnexpectedError("x")]) {
    const error = toFediApiError("post", e, NOW);
    assert.equal(error.permanent, false);
    assert.equal(error.status, null);
  }
  const timeout = toFediApiError("post", new DOMException("t", "TimeoutError"), NOW);
  assert.equal(timeout.reason, "timed out");
  const same = new FediApiError("x", 404, "gone", true);
  assert.equal(toFediApiError("y", same, NOW), same);
});

Deno.test("a 429 without a reset falls back to Retry-After, then to a minute", () => {
  assert.equal(retryAtOf(new Headers({ "Retry-After": "30" }), NOW), NOW + 30_000);
  assert.equal(retryAtOf(new Headers(), NOW), NOW + 60_000);
  assert.equal(retryAtOf(null, NOW), NOW + 60_000);
});
