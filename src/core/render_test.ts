import type { MessageKey } from "../i18n/mod.ts";
import assert from "node:assert/strict";
import { defuseMentions, renderHeader, renderStatusBody } from "./render.ts";
import { fediLength, fediMentions, graphemes, truncateForFedi } from "./fedi_length.ts";
import { makeCore } from "../../tests/support/core.ts";

const LIMITS = { maxCharacters: 60, charactersReservedPerUrl: 23 };

Deno.test("fediLength counts grapheme clusters", () => {
  assert.equal(fediLength("héllo", 23), 5);
  // A family emoji (several code points joined) and a flag are one character each.
  assert.equal(fediLength("👨‍👩‍👧 🇫🇷", 23), 3);
  assert.equal(fediLength("", 23), 0);
  assert.equal(fediLength("   ", 23), 0);
});

Deno.test("fediLength counts every URL as charactersReservedPerUrl", () => {
  const url = "https://example.org/a/very/long/path/that/goes/on/and/on?with=query&and=more";
  assert.equal(fediLength(`see ${url} now`, 23), 4 + 23 + 4);
  assert.equal(fediLength(`see ${url} now`, 10), 4 + 10 + 4);
  assert.equal(fediLength(`${url} ${url}`, 23), 23 + 1 + 23);
  // Trailing punctuation is not part of the link.
  assert.equal(fediLength(`(${url}).`, 23), 1 + 23 + 2);
  // Short URLs count 23 too, as Mastodon does.
  assert.equal(fediLength("http://a.io", 23), 23);
  // Other schemes that Mastodon links count alike; xmpp: URIs and bare domains count in full.
  assert.equal(fediLength("gemini://space.example/x", 23), 23);
  assert.equal(fediLength("xmpp:alice@chat.test", 23), 20);
  assert.equal(fediLength("example.org", 23), 11);
  // Glued to a word, it is no URL.
  assert.equal(fediLength("xhttps://example.org/abc", 23), 24);
});

Deno.test("fediLength counts a mention as its user part only", () => {
  assert.equal(fediLength("@bob@social.test hi", 23), "@bob hi".length);
  assert.equal(fediLength("@bob hi", 23), 7);
  assert.equal(
    fediLength("hey @carol@a.very.long.domain.example, hi", 23),
    "hey @carol, hi".length,
  );
  // An e-mail address, an address in a URL or an xmpp: URI is no mention.
  assert.equal(fediLength("bob@social.test", 23), 15);
  assert.equal(fediLength("https://social.test/@bob@social.test", 23), 23);
  assert.equal(fediLength("xmpp:bob@chat.test", 23), 18);
  assert.deepEqual(
    fediMentions("@a@b.test x@y.test @c").map((m) => [m.user, m.domain]),
    [["a", "b.test"], ["c", null]],
  );
});

Deno.test("truncateForFedi keeps a text that fits, counted the Mastodon way", () => {
  const url = `https://example.org/${"x".repeat(100)}`;
  const text = `@bob@social.test look: ${url}`;
  assert.ok(text.length > LIMITS.maxCharacters);
  assert.equal(truncateForFedi(text, LIMITS, "(cut)"), text);
});

Deno.test("truncateForFedi cuts at a word break and ends with the notice", () => {
  const text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
  const out = truncateForFedi(text, LIMITS, "(cut)");
  assert.ok(out.endsWith("…\n(cut)"));
  assert.ok(fediLength(out, 23) <= LIMITS.maxCharacters);
  const kept = out.slice(0, -"…\n(cut)".length);
  assert.ok(text.startsWith(kept));
  // Whole words only: the next character of the original is a space.
  assert.equal(text[kept.length], " ");
  // As much as fits: one more word would not.
  const next = text.slice(0, text.indexOf(" ", kept.length + 1));
  assert.ok(fediLength(`${next}…\n(cut)`, 23) > LIMITS.maxCharacters);
});

Deno.test("truncateForFedi counts URLs at their reserved size while cutting", () => {
  const url = `https://example.org/${"y".repeat(80)}`;
  const text = `${url} ${"word ".repeat(20)}`.trim();
  const out = truncateForFedi(text, LIMITS, "(cut)");
  assert.ok(out.startsWith(url));
  assert.ok(fediLength(out, 23) <= LIMITS.maxCharacters);
  assert.ok(fediLength(out, 23) > LIMITS.maxCharacters - 6);
});

Deno.test("truncateForFedi never splits a grapheme cluster", () => {
  const text = "👨‍👩‍👧".repeat(100);
  const out = truncateForFedi(text, LIMITS, "(cut)");
  const kept = out.slice(0, -"…\n(cut)".length);
  assert.ok(graphemes(kept).every((g) => g === "👨‍👩‍👧"));
  assert.equal(fediLength(out, 23), LIMITS.maxCharacters);
});

Deno.test("truncateForFedi with a limit below the notice gives the notice, cut", () => {
  const out = truncateForFedi(
    "x".repeat(50),
    { maxCharacters: 4, charactersReservedPerUrl: 23 },
    "(cut)",
  );
  assert.equal(out, "(cut");
});

Deno.test("defuseMentions leaves recipients and makes other mentions inert", () => {
  const keep = new Set(["bob@social.test"]);
  const out = defuseMentions(
    "@bob@social.test see what @eve@evil.example and @mallory wrote, mail x@y.test",
    keep,
    "social.test",
  );
  assert.equal(
    out,
    "@bob@social.test see what @\u200Beve@evil.example and @\u200Bmallory wrote, mail x@y.test",
  );
  assert.deepEqual(fediMentions(out).map((m) => m.user), ["bob"]);
  // A short mention is of the bot's server: kept when that account is a recipient.
  assert.equal(defuseMentions("hi @bob", keep, "social.test"), "hi @bob");
});

Deno.test("renderHeader words a reply and a new message differently", () => {
  using core = makeCore();
  const { i18n } = core.deps;
  const fresh = renderHeader(i18n, "en", "new", "Mastodon", "@bob@social.test");
  const reply = renderHeader(i18n, "en", "reply", "Mastodon", "@bob@social.test");
  assert.equal(fresh, i18n.t("en", "header.new", { app: "Mastodon", user: "@bob@social.test" }));
  assert.equal(reply, i18n.t("en", "header.reply", { app: "Mastodon", user: "@bob@social.test" }));
  assert.notEqual(fresh, reply);
  for (const header of [fresh, reply]) {
    assert.ok(header.includes("Mastodon") && header.includes("@bob@social.test"));
    assert.ok(!header.includes("\n"));
  }
});

Deno.test("renderStatusBody: content warning, text, attachments and poll in labelled sections", () => {
  using core = makeCore();
  const { i18n } = core.deps;
  const t = (key: MessageKey, params?: Record<string, string>) => i18n.t("en", key, params);
  const body = renderStatusBody(i18n, "en", "Look at this", {
    spoiler: "cats",
    media: [
      { url: "https://files.test/a.png", description: "A cat\non a  mat", type: "image" },
      { url: "https://files.test/b.bin", description: null, type: "unknown" },
      { url: "https://files.test/c.mp4", description: "  ", type: "video" },
    ],
    pollUrl: "https://social.test/@bob/1",
  });
  assert.equal(
    body,
    [
      t("render.content_warning", { text: "cats" }),
      "Look at this",
      [
        t("render.media"),
        `- ${
          t("render.media_item_described", {
            kind: t("render.media_kind.image"),
            url: "https://files.test/a.png",
            description: "A cat on a mat",
          })
        }`,
        `- ${
          t("render.media_item", {
            kind: t("render.media_kind.other"),
            url: "https://files.test/b.bin",
          })
        }`,
        `- ${
          t("render.media_item", {
            kind: t("render.media_kind.video"),
            url: "https://files.test/c.mp4",
          })
        }`,
      ].join("\n"),
      t("render.poll", { url: "https://social.test/@bob/1" }),
    ].join("\n\n"),
  );
  assert.equal(renderStatusBody(i18n, "en", "plain", null), "plain");
  assert.equal(
    renderStatusBody(i18n, "en", "", { spoiler: null, media: [], pollUrl: "https://x.test/1" }),
    t("render.poll", { url: "https://x.test/1" }),
  );
});
