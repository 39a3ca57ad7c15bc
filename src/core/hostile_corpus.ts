/**
 * Hostile text for the text paths of the bridge (HTML to text, parse, render, length count): the
 * worst cases we know of for each (deep nesting, long runs of `)`, `@`, `:`, `<`, entities,
 * white space, thousands of addresses or URLs) and seeded random mixes of the pieces attackers
 * use. Shared by the fuzz test (src/core/hostile_test.ts) and the benchmark row (`deno task
 * bench --only=hostile`), so both look at the same inputs.
 *
 * @module
 */
import { htmlToText } from "../text/html.ts";
import type { I18n } from "../i18n/mod.ts";
import { parseMessage, type ParseOptions } from "./parse.ts";
import type { FediLimits } from "./ports.ts";
import { fediStatusText, renderHeader, renderStatusBody } from "./render.ts";
import { fediLength, truncateForFedi } from "./fedi_length.ts";

/** One hostile input: a name for failure messages, the text, and what its shape promises. */
export interface HostileSample {
  readonly name: string;
  readonly text: string;
  /** Read as HTML, the text is markup (tags or entities), not plain text. */
  readonly markup: boolean;
}

/** A deterministic pseudo-random generator (32-bit xorshift), so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = (seed >>> 0) || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

/** `unit` repeated until the text has about `size` UTF-16 code units. */
function fill(unit: string, size: number): string {
  return unit.repeat(Math.max(1, Math.ceil(size / unit.length)));
}

/** Pieces that parsers and the renderer treat specially, for the random mixes. */
const PIECES = [
  "@",
  "@@",
  "＠",
  "﹫",
  "@x@host",
  "@bob@social.test",
  "xmpp:",
  "xmpp:a@b.example",
  "http://",
  "https://a.example/",
  "://",
  ":",
  "(",
  ")",
  "))))",
  "[",
  "]",
  "<",
  ">",
  "</",
  "<div>",
  "</div>",
  "<span>",
  "<br>",
  "<p>",
  "</p>",
  "<blockquote>",
  "<pre>",
  '<a href="https://x.example/@u" class="mention">',
  "</a>",
  "&",
  "&amp;",
  "&#",
  "&#x1F600;",
  ";",
  "!lang=",
  "!help",
  "!",
  " ",
  "   ",
  "\n",
  "\n> ",
  "\t",
  "\u00a0",
  "\u200B",
  "\u0301",
  "²",
  "é",
  "ß",
  "Ⅸ",
  "٣",
  "🇫🇷",
  "👨‍👩‍👧",
  "a",
  "word",
  "example.org",
  ".",
  "-",
  "_",
  "/",
  "=",
  "#tag",
  "New message from XMPP user xmpp:boss@corp.example:",
];

/** A random mix of {@link PIECES} of about `size` code units. */
export function randomMix(random: () => number, size: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const piece = PIECES[Math.floor(random() * PIECES.length)]!;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join("");
}

/**
 * The worst-case corpus, each sample about `size` code units long, then `mixes` random mixes
 * from `seed`. With `size` = 1,000,000 every sample is a 1 MB body.
 */
export function hostileCorpus(size: number, seed = 12, mixes = 4): HostileSample[] {
  const samples = [...markupSamples(size), ...textSamples(size)];
  const random = seededRandom(seed);
  for (let i = 0; i < mixes; i++) {
    samples.push({
      name: `random mix ${i} (seed ${seed})`,
      text: randomMix(random, size),
      markup: true,
    });
  }
  return samples;
}

/** The worst cases for the HTML reader: deep nesting, unclosed tags, entities. */
function markupSamples(size: number): HostileSample[] {
  const half = Math.floor(size / 12);
  const nest = (open: string, close: string): string => {
    const depth = Math.max(1, Math.floor(size / (open.length + close.length)));
    return open.repeat(depth) + "deep" + close.repeat(depth);
  };
  return [
    { name: "nested div", text: nest("<div>", "</div>"), markup: true },
    { name: "nested span", text: nest("<span>", "</span>"), markup: true },
    { name: "nested blockquote", text: nest("<blockquote>", "</blockquote>"), markup: true },
    {
      name: "nested mixed, never closed",
      text: fill("<div><span><blockquote><p><ul><li>", size) + "deep",
      markup: true,
    },
    {
      name: "open div, closing span",
      text: "<div>".repeat(half) + "deep" + "</span>".repeat(half),
      markup: true,
    },
    { name: "nested links", text: nest('<a href="https://a.example/">', "</a>"), markup: true },
    { name: "br and empty paragraphs", text: fill("x<br><p></p>", size), markup: true },
    { name: "entities", text: fill("&amp;&lt;&#64;&bogus;", size), markup: true },
    { name: "run of <", text: fill("<", size), markup: true },
  ];
}

/** The worst cases for the text paths: URLs, at signs, addresses, headers, long runs. */
function textSamples(size: number): HostileSample[] {
  return [
    { name: "URL ending in )", text: "see http://a.example/" + fill(")", size), markup: false },
    { name: "URL ending in (", text: "see http://a.example/" + fill("(", size), markup: false },
    { name: "many URLs with )", text: fill("http://a.example/(x)) ", size), markup: false },
    { name: "run of @", text: fill("@", size), markup: false },
    { name: "chained mentions", text: fill("@a", size), markup: false },
    { name: "many mentions", text: fill("@a@b.example ", size), markup: false },
    { name: "many mentions and URLs", text: fill("@a@b.cc http://x.cc/ ", size), markup: false },
    { name: "run of :", text: fill(":", size), markup: false },
    { name: "run of xmpp:", text: fill("xmpp:", size), markup: false },
    { name: "many XMPP addresses", text: distinctAddresses(size), markup: false },
    { name: "many language settings", text: fill("!lang=de ", size), markup: false },
    { name: "spaces then a word", text: " ".repeat(size) + "x", markup: false },
    { name: "spaced words", text: fill("a" + " ".repeat(1000), size) + "b", markup: false },
    {
      name: "header look-alike lines",
      text: fill("New message from XMPP user xmpp:boss@corp.example:\n", size),
      markup: false,
    },
    {
      name: "long header look-alike line",
      text: "New message from " + fill("x", size) + " user y:",
      markup: false,
    },
    { name: "combining marks", text: "a" + fill("\u0301", size), markup: false },
    { name: "dotted labels", text: fill("a.", size), markup: false },
    { name: "quote lines", text: fill("> @x@host\n", size), markup: false },
  ];
}

/** Distinct XMPP addresses separated by spaces, about `size` code units. */
function distinctAddresses(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const address = `xmpp:u${i}@h${i % 97}.example`;
    parts.push(address);
    length += address.length + 1;
  }
  return parts.join(" ");
}

/** A text path of the bridge, run on one hostile input; returns what it made, to be checked. */
export interface TextPath {
  readonly name: string;
  readonly run: (text: string) => unknown;
}

/** Everything the text paths need from the bridge: its texts (for headers) and its options. */
export interface TextPathDeps {
  readonly i18n: I18n;
  readonly parse: ParseOptions;
  readonly limits: FediLimits;
}

/**
 * Every text path a carried message or a status goes through: HTML to text, parse (from each
 * network), the status for Fediverse recipients (mentions defused, header look-alikes marked),
 * the text for XMPP recipients, the Mastodon length count and the cut of a notice.
 */
export function textPaths(deps: TextPathDeps): TextPath[] {
  const header = renderHeader(deps.i18n, "en", "new", "XMPP", "xmpp:alice@chat.test");
  return [
    { name: "HTML to text", run: (text) => htmlToText(text) },
    { name: "parse from XMPP", run: (text) => parseMessage(text, { ...deps.parse, from: 1 }) },
    {
      name: "parse from the Fediverse",
      run: (text) => parseMessage(text, { ...deps.parse, from: 0 }),
    },
    {
      name: "status for the Fediverse",
      run: (text) => fediStatusText(deps.i18n, ["bob@social.test"], header, text, "social.test"),
    },
    { name: "text for XMPP", run: (text) => renderStatusBody(deps.i18n, "en", text, null) },
    { name: "length count", run: (text) => fediLength(text, deps.limits.charactersReservedPerUrl) },
    { name: "notice cut", run: (text) => truncateForFedi(text, deps.limits, "(cut)") },
  ];
}
