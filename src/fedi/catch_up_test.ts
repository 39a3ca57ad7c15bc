import assert from "node:assert/strict";
import { linkUrl } from "./catch_up.ts";

Deno.test("Link headers are read as Mastodon and GoToSocial write them", () => {
  const mastodon = "<http://127.0.0.1:3000/api/v1/notifications?max_id=5&types%5B%5D=mention>; " +
    'rel="next", <http://127.0.0.1:3000/api/v1/notifications?min_id=9&types%5B%5D=mention>; ' +
    'rel="prev"';
  assert.equal(
    linkUrl(mastodon, "prev"),
    "http://127.0.0.1:3000/api/v1/notifications?min_id=9&types%5B%5D=mention",
  );
  assert.equal(new URL(linkUrl(mastodon, "next")!).searchParams.get("max_id"), "5");
  assert.equal(
    linkUrl("<https://gts.example/api/v1/notifications?limit=40&min_id=01AB>;rel=prev", "prev"),
    "https://gts.example/api/v1/notifications?limit=40&min_id=01AB",
  );
  assert.equal(linkUrl(null, "prev"), null);
  assert.equal(linkUrl('<https://x.example/a>; rel="next"', "prev"), null);
});
