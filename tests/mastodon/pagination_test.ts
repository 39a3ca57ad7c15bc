import assert from "node:assert/strict";
import { cgiEscape, linkHeader, paginate, railsQuery } from "./pagination.ts";

const items = ["1", "2", "3", "4", "5", "10"];
const page = (p: { limit?: number; maxId?: string; sinceId?: string; minId?: string }) =>
  paginate(items, (x) => x, {
    limit: p.limit ?? 40,
    maxId: p.maxId ?? null,
    sinceId: p.sinceId ?? null,
    minId: p.minId ?? null,
  });

Deno.test("max_id, since_id and min_id select pages, newest first, by numeric id", () => {
  assert.deepEqual(page({ limit: 2 }), ["10", "5"]);
  assert.deepEqual(page({ limit: 2, maxId: "5" }), ["4", "3"]);
  assert.deepEqual(page({ limit: 2, sinceId: "2" }), ["10", "5"]);
  assert.deepEqual(page({ limit: 2, minId: "2" }), ["4", "3"]);
  assert.deepEqual(page({ minId: "2", maxId: "5" }), ["4", "3"]);
});

Deno.test("query strings and Link headers are written as Rails writes them", () => {
  assert.equal(
    railsQuery({ types: ["mention", "follow"], limit: "2", max_id: "9" }),
    "limit=2&max_id=9&types%5B%5D=mention&types%5B%5D=follow",
  );
  assert.equal(cgiEscape("a b*~é"), "a+b%2A~%C3%A9");
  assert.equal(linkHeader({ next: "n", prev: "p" }), '<n>; rel="next", <p>; rel="prev"');
  assert.equal(linkHeader({}), null);
});
