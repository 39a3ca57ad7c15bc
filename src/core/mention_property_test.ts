/**
 * The bot never posts a live mention of anyone but a status's intended recipients (issue 12,
 * item 3). The rendered status is read with ports of the Fediverse servers' mention parsers:
 *
 * - Mastodon's `Account::MENTION_RE`: `(?<![=/[:word:]])@((USERNAME_RE)(?:@[[:word:].-]+
 *   [[:word:]]+)?)`, USERNAME_RE `[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?` case-insensitive, where
 *   Ruby's `[[:word:]]` is letters, marks, decimal digits and connector punctuation; run over the
 *   raw text, nothing after a match is checked.
 * - GoToSocial's mention finder (internal/regexes/regexes.go): `(?:^|\s)(@username(?:@domain)?)`
 *   with a username character `\p{L}\p{M}*|\p{N}|[._-]`, a domain character
 *   `\p{L}\p{M}*|\p{N}|[.:-]`, and Go's `\s` (ASCII white space).
 * - Misskey's (mfm-js) rule: `@name` or `@name@host` of `[a-z0-9_.-]` characters, not right after
 *   an ASCII letter or digit.
 * - A loose reader (Pleroma's Linkify reads words): any `@` at the start of a word, after
 *   opening punctuation, followed by a letter, digit or `_`.
 *
 * Each is also run on the NFKC form of the status, for servers that normalise (`＠` → `@`).
 */
import assert from "node:assert/strict";
import { englishI18n } from "../../tests/support/commands.ts";
import { seededRandom } from "./hostile_corpus.ts";
import { defuseMentions, fediStatusText, renderHeader } from "./render.ts";

const WORD = String.raw`\p{L}\p{M}\p{Nd}\p{Pc}`;
const MASTODON_MENTION_RE = new RegExp(
  String
    .raw`(?<![=/${WORD}])@(([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@([${WORD}.-]+[${WORD}]+))?)`,
  "giu",
);
const GTS_MENTION_RE =
  /(?:^|[\t\n\f\r ])(@((?:\p{L}\p{M}*|\p{N}|[._-])+)(?:@((?:\p{L}\p{M}*|\p{N}|[.:-])+))?)/gu;
const MISSKEY_MENTION_RE = /(?<![a-z0-9])@([a-z0-9_.-]+)(?:@([a-z0-9_.-]+))?/giu;
const LOOSE_MENTION_RE = /(?<=^|[\s(\[{<"'«“‘„,;])@([\p{L}\p{N}_][^\s@]*)(?:@([^\s@]+))?/gu;

const LOCAL = "social.test";

interface Found {
  readonly parser: string;
  readonly address: string;
  readonly at: number;
}

/** Every mention each parser finds in `text`, with its account (a bare name is local). */
function mentionsIn(text: string): Found[] {
  const found: Found[] = [];
  const collect = (parser: string, re: RegExp, user: number, domain: number, at: number) => {
    for (const m of text.matchAll(re)) {
      const start = m.index + m[0].indexOf(m[at]!);
      found.push({
        parser,
        // A final dot names the same domain (`host.` is `host` as a fully qualified name).
        address: `${m[user]}@${m[domain] ?? LOCAL}`.toLowerCase().replace(/\.$/, ""),
        at: start,
      });
    }
  };
  collect("Mastodon", MASTODON_MENTION_RE, 2, 3, 0);
  collect("GoToSocial", GTS_MENTION_RE, 2, 3, 1);
  collect("Misskey", MISSKEY_MENTION_RE, 1, 2, 0);
  collect("loose", LOOSE_MENTION_RE, 1, 2, 0);
  return found;
}

const i18n = englishI18n();

/** Only the leading mentions of `recipients`, and every parser sees each of them there. */
function assertOnlyRecipients(status: string, recipients: readonly string[], input: string) {
  const lead = recipients.map((a) => `@${a}`).join(" ");
  assert.ok(status.startsWith(lead + " "), `the status starts with the mentions: ${status}`);
  for (const form of [status, status.normalize("NFKC")]) {
    const stray = mentionsIn(form).filter((f) =>
      !recipients.includes(f.address) || f.at >= lead.length
    );
    assert.deepEqual(
      stray,
      [],
      `stray mentions for input ${JSON.stringify(input)}: ${JSON.stringify(form)}`,
    );
    for (const parser of ["Mastodon", "GoToSocial", "Misskey"]) {
      const seen = mentionsIn(form).filter((f) => f.parser === parser).map((f) => f.address);
      assert.deepEqual(seen, [...recipients], `${parser} sees the recipients`);
    }
  }
}

function status(recipients: readonly string[], text: string, sender = "xmpp:eve@chat.test") {
  const header = renderHeader(i18n, "en", "new", "XMPP", sender);
  return fediStatusText(i18n, recipients, header, text, LOCAL);
}

Deno.test("the parser ports see what the issue reports (they are faithful enough to fail)", () => {
  const live = (text: string, parser: string) =>
    mentionsIn(text).filter((f) => f.parser === parser).map((f) => f.address);
  assert.deepEqual(live("hi @x@host@", "Mastodon"), ["x@host"]);
  assert.deepEqual(live("hi ²@x@host", "Mastodon"), ["x@host"]);
  assert.deepEqual(live("http://a.example/,@x@host", "Mastodon"), ["x@host"]);
  assert.deepEqual(live("@x@host://", "Mastodon"), ["x@host"]);
  assert.deepEqual(live("mail x@host", "Mastodon"), []);
  assert.deepEqual(live("a/@x@host", "Mastodon"), []);
  assert.deepEqual(live("hi @x@höst.example", "GoToSocial"), ["x@höst.example"]);
  assert.deepEqual(live("hi,@x@host", "GoToSocial"), []);
  assert.deepEqual(live("_@x@host", "Misskey"), ["x@host"]);
  assert.deepEqual(live("(@x@host", "loose"), ["x@host"]);
});

Deno.test("a trailing @ after a mention does not make it live", () => {
  assertOnlyRecipients(status(["bob@social.test"], "hi @x@host@"), ["bob@social.test"], "");
});

Deno.test("a superscript digit before a mention does not make it live", () => {
  assertOnlyRecipients(status(["bob@social.test"], "hi ²@x@host"), ["bob@social.test"], "");
});

Deno.test("a mention glued to a URL does not become live", () => {
  assertOnlyRecipients(
    status(["bob@social.test"], "http://a.example/,@x@host"),
    ["bob@social.test"],
    "",
  );
  assertOnlyRecipients(status(["bob@social.test"], "@x@host://"), ["bob@social.test"], "");
  // A `/@` outside a URL is defused (Misskey reads a mention there).
  assert.ok(status(["bob@social.test"], "a/@x@host").includes("a/@\u200Bx@host"));
});

Deno.test("full-width and small at signs are defused for servers that fold them", () => {
  const out = status(["bob@social.test"], "hi ＠x@host and ﹫y@host");
  assert.ok(out.includes("＠\u200Bx@host") && out.includes("﹫\u200By@host"), out);
  assertOnlyRecipients(out, ["bob@social.test"], "");
});

Deno.test("a recipient's mention in the text is made inert too: only the leading ones are live", () => {
  const out = status(["bob@social.test"], "@bob@social.test and @carol@other.example");
  assert.ok(out.endsWith("@\u200Bbob@social.test and @\u200Bcarol@other.example"), out);
  assertOnlyRecipients(out, ["bob@social.test"], "");
});

Deno.test("a sender address that reads as a mention in the header is made inert", () => {
  // `x.` is a valid JID local part; `@evil` after it is a mention for Mastodon.
  const out = status(["bob@social.test"], "hi", "xmpp:x.@evil.example");
  assert.ok(out.includes("x.@\u200Bevil.example"), out);
  assertOnlyRecipients(out, ["bob@social.test"], "");
  // An ordinary address stays as it is: it is copied to answer.
  assert.ok(status(["bob@social.test"], "hi").includes("xmpp:eve@chat.test"));
});

Deno.test("an @ inside an address keeps its form (nothing can start a mention there)", () => {
  const text = "mail x@y.example or a@b@c.example";
  assert.equal(defuseMentions(text, new Set(), LOCAL), text);
  // After `/`, even in a URL, it is defused: Misskey reads `a/@x` as a mention.
  assert.equal(
    defuseMentions("see https://social.test/@bob", new Set(), LOCAL),
    "see https://social.test/@\u200Bbob",
  );
});

/** Pieces of hostile text around at signs, for the generator. */
const PIECES = [
  "@",
  "@",
  "@",
  "＠",
  "﹫",
  "x",
  "bob",
  "Bob",
  "social.test",
  "host",
  "evil.example",
  ".",
  "-",
  "_",
  "/",
  "=",
  ":",
  "://",
  "http://a.example/",
  "https://b.example/@u",
  ",",
  ";",
  "(",
  ")",
  "[",
  "]",
  "'",
  '"',
  "«",
  "!",
  "?",
  "#",
  " ",
  " ",
  "\n",
  "\t",
  "\u00a0",
  "\u200B",
  "²",
  "é",
  "\u0301",
  "ß",
  "ѕ",
  "Ⅸ",
  "٣",
  "‿",
  "＿",
  "ｘ",
  "\u212A",
  "ſ",
  "ǅ",
  "xmpp:",
  "a.b",
  "0",
  "9",
  "Z",
  "@bob@social.test",
  "@carol@other.example",
  "@x@host",
  "@ x",
  "\u2028",
  "𝐱",
];

Deno.test("property: in thousands of generated texts the only live mentions are the recipients'", () => {
  const random = seededRandom(2026);
  const pick = () => PIECES[Math.floor(random() * PIECES.length)]!;
  const recipientSets = [["bob@social.test"], ["bob@social.test", "carol@other.example"]];
  for (let i = 0; i < 5000; i++) {
    const length = 1 + Math.floor(random() * 14);
    let text = "";
    for (let j = 0; j < length; j++) text += pick();
    const recipients = recipientSets[i % recipientSets.length]!;
    assertOnlyRecipients(status(recipients, text), recipients, text);
  }
});

Deno.test("property: a notice keeps its recipient's mention live and nobody else's", () => {
  const random = seededRandom(7);
  const pick = () => PIECES[Math.floor(random() * PIECES.length)]!;
  const to = "alice@other.example";
  for (let i = 0; i < 3000; i++) {
    let text = "";
    const length = 1 + Math.floor(random() * 14);
    for (let j = 0; j < length; j++) text += pick();
    // As the Fediverse sender writes a notice: the recipient first, or named in the text.
    const notice = i % 2 === 0 ? `@${to} ${text}` : `${text} @${to}. ${text}`;
    const out = defuseMentions(notice, new Set([to]), LOCAL);
    for (const form of [out, out.normalize("NFKC")]) {
      const stray = mentionsIn(form).filter((f) => f.address !== to);
      assert.deepEqual(stray, [], `input ${JSON.stringify(notice)}: ${JSON.stringify(form)}`);
    }
    const live = mentionsIn(out).filter((f) => f.parser === "Mastodon");
    assert.ok(live.length >= 1, `the recipient stays mentioned: ${JSON.stringify(out)}`);
  }
});
