import assert from "node:assert/strict";
import { countableLength, renderStatusText } from "./html.ts";

const resolve = (username: string, domain: string | null) =>
  username === "alice" && domain === "other.example"
    ? { id: "7", username: "alice", url: "https://other.example/@alice" }
    : null;

Deno.test("links, hashtags and mentions are rendered as Mastodon renders them", () => {
  const text = "@alice@other.example see https://example.com/a/very/long/path/indeed. #Bridge\nbye";
  const out = renderStatusText(text, resolve, "https://fedi.test");
  assert.equal(
    out.html,
    '<p><span class="h-card" translate="no"><a href="https://other.example/@alice" class="u-url mention">' +
      "@<span>alice</span></a></span> see " +
      '<a href="https://example.com/a/very/long/path/indeed" target="_blank" rel="nofollow noopener" ' +
      'translate="no"><span class="invisible">https://</span><span class="ellipsis">' +
      'example.com/a/very/long/path/i</span><span class="invisible">ndeed</span></a>. ' +
      '<a href="https://fedi.test/tags/Bridge" class="mention hashtag" rel="tag">#<span>Bridge</span></a>' +
      "<br />bye</p>",
  );
  assert.deepEqual(out.mentionIds, ["7"]);
  assert.deepEqual(out.tags, ["bridge"]);
});

Deno.test("an address inside a URL is not a mention; unknown mentions stay text", () => {
  const out = renderStatusText(
    "https://other.example/@alice and @bob@nowhere.example",
    resolve,
    "https://x",
  );
  assert.deepEqual(out.mentionIds, []);
  assert.match(out.html, /and @bob@nowhere\.example<\/p>$/);
  assert.equal(renderStatusText(" \n ", resolve, "https://x").html, "");
});

Deno.test("length counts URLs as the reserved length and remote mentions without domain", () => {
  assert.equal(countableLength("ab https://example.com/" + "x".repeat(50), 23), 3 + 23);
  assert.equal(countableLength("@alice@other.example hi", 23), "@alice hi".length);
  assert.equal(countableLength("👍🏽é", 23), 2);
});
