/**
 * Hostile input on every text path (issue 12, item 5): the worst-case corpus and seeded random
 * mixes (src/core/hostile_corpus.ts) go through HTML to text, parse, the status for Fediverse
 * recipients, the text for XMPP recipients, the length count and the cut of a notice; nothing
 * may throw and every output must be what the input calls for. Speed is not asserted here (no
 * timed tests): `deno task bench --only=hostile` prints the worst time per 100 kB.
 */
import assert from "node:assert/strict";
import { englishI18n } from "../../tests/support/commands.ts";
import { hostileCorpus, type HostileSample, seededRandom, textPaths } from "./hostile_corpus.ts";
import { COMMANDS, type ParsedMessage } from "./parse.ts";
import { countGraphemes, fediLength, graphemes } from "./fedi_length.ts";

const i18n = englishI18n();
const LIMITS = { maxCharacters: 500, charactersReservedPerUrl: 23 };
const DEPS = {
  i18n,
  limits: LIMITS,
  parse: {
    prefixes: { fedi: "@", xmpp: "xmpp:", command: "!", lang: "!lang=" },
    commandWords: [...COMMANDS],
    apInstance: "social.test",
    botAddresses: { fedi: "bot", xmpp: "bot@chat.test" },
    from: 1 as const,
  },
};
const PATHS = new Map(textPaths(DEPS).map((p) => [p.name, p.run]));

function run(path: string, text: string): unknown {
  const f = PATHS.get(path);
  assert.ok(f !== undefined, `no text path ${path}`);
  return f(text);
}

/** What a plain text (no tags, no entities) becomes as HTML: white space collapsed. */
function asHtmlText(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, " ").replaceAll("\u00a0", " ").trim();
}

/** What parse carries of a text without language settings or bot addresses. */
function carried(text: string): string {
  return text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.trimEnd()).join("\n")
    .replace(/^\s*\n/, "").trim();
}

/** A text with the marks the renderer adds taken out: zero-width spaces and quote markers. */
function unmarked(text: string): string {
  return text.replaceAll("\u200B", "").split("\n").map((l) => l.replace(/^> /, "")).join("\n");
}

/** Checks every path's output on one sample. */
function checkSample(sample: HostileSample): void {
  const { text, name } = sample;
  const where = (path: string) => `${name} / ${path}`;

  const html = run("HTML to text", text);
  assert.equal(typeof html, "string", where("HTML to text"));
  if (text.includes("deep")) assert.ok((html as string).includes("deep"), where("HTML to text"));
  if (!sample.markup) assert.equal(html, asHtmlText(text), where("HTML to text"));

  for (const path of ["parse from XMPP", "parse from the Fediverse"]) {
    const parsed = run(path, text) as ParsedMessage;
    assert.equal(typeof parsed.text, "string", where(path));
    if (!text.includes("!lang=")) assert.equal(parsed.text, carried(text), where(path));
    else assert.ok(parsed.text.length <= text.length, where(path));
  }

  const status = run("status for the Fediverse", text) as string;
  assert.ok(status.startsWith("@bob@social.test "), where("status for the Fediverse"));
  // After the recipient's mention every at sign is inert or inside an address.
  const rest = status.slice("@bob@social.test".length);
  for (const m of rest.matchAll(/[@\uFF20\uFE6B]/g)) {
    const before = rest.charCodeAt(m.index - 1);
    const inert = rest[m.index + 1] === "\u200B";
    const inAddress = m[0] === "@" && /[A-Za-z0-9]/.test(String.fromCharCode(before));
    assert.ok(inert || inAddress, `${where("status for the Fediverse")} at ${m.index}`);
  }
  assert.ok(
    unmarked(status).includes(unmarked(text).trim()),
    `${where("status for the Fediverse")}: the text comes out`,
  );

  const body = run("text for XMPP", text) as string;
  if (text.trim() !== "") assert.equal(unmarked(body), unmarked(text), where("text for XMPP"));

  const length = run("length count", text) as number;
  assert.ok(Number.isInteger(length) && length >= 0, where("length count"));
  const urls = text.split("://").length - 1;
  assert.ok(length <= graphemes(text).length + 23 * urls, where("length count"));

  const cut = run("notice cut", text) as string;
  assert.ok(fediLength(cut, 23) <= LIMITS.maxCharacters, where("notice cut"));
  if (length > LIMITS.maxCharacters) assert.ok(cut.endsWith("(cut)"), where("notice cut"));
}

Deno.test("hostile corpus (100 kB each): every text path gives sensible output, nothing throws", () => {
  const samples = hostileCorpus(100_000, 12, 6);
  assert.ok(samples.length >= 30);
  for (const sample of samples) checkSample(sample);
});

Deno.test("hostile corpus (1 MB bodies): deep nesting and long runs of ) @ : < come through", () => {
  const wanted = new Set([
    "nested div",
    "nested span",
    "nested blockquote",
    "nested mixed, never closed",
    "open div, closing span",
    "URL ending in )",
    "run of @",
    "run of :",
    "run of <",
    "random mix 0 (seed 7)",
  ]);
  const samples = hostileCorpus(1_000_000, 7, 1).filter((s) => wanted.has(s.name));
  assert.equal(samples.length, wanted.size);
  for (const sample of samples) checkSample(sample);
});

/**
 * The work `f` does, counted without a clock: the characters of every string it copies out
 * (`slice`, `substring`, `split`) and of every array it searches (`includes`, `indexOf`). A
 * linear path stays within a small multiple of its input; a path that copies or searches its
 * input once per character (quadratic) goes far beyond.
 */
function workOf(f: () => unknown): number {
  let work = 0;
  const restore: (() => void)[] = [];
  /** Counts the length of what `name` returns ("output") or of what it is called on ("input"). */
  const count = (proto: object, name: string, kind: "input" | "output"): void => {
    const methods = proto as Record<string, (...args: unknown[]) => { length: number }>;
    const original = methods[name]!;
    methods[name] = function (this: { length: number }, ...args: unknown[]) {
      if (kind === "input") work += this.length;
      const out = original.apply(this, args);
      if (kind === "output") work += out.length;
      return out;
    };
    restore.push(() => (methods[name] = original));
  };
  count(String.prototype, "slice", "output");
  count(String.prototype, "substring", "output");
  count(String.prototype, "split", "input");
  count(Array.prototype, "includes", "input");
  count(Array.prototype, "indexOf", "input");
  // Adding or taking at the front of an array moves all of it.
  count(Array.prototype, "unshift", "input");
  count(Array.prototype, "shift", "input");
  try {
    f();
  } finally {
    for (const undo of restore) undo();
  }
  return work;
}

Deno.test("20,000 closing parentheses render in linear time (the URL ends before them)", () => {
  const text = "see http://a.example/x" + ")".repeat(20_000);
  // The URL counts 23 and every parenthesis one: Mastodon leaves them out of the link.
  assert.equal(fediLength(text, 23), 4 + 23 + 20_000);
  // Trimming them costs work in proportion to their number, not its square.
  for (const path of ["length count", "status for the Fediverse", "notice cut"]) {
    const work = workOf(() => run(path, text));
    assert.ok(work < 20 * text.length, `${path}: ${work} characters copied or searched`);
  }
  assert.equal(fediLength("see http://a.example/(x)" + ")".repeat(20_000), 23), 4 + 23 + 20_000);
  const status = run("status for the Fediverse", text) as string;
  assert.ok(status.endsWith(text));
});

Deno.test("1 MB of nested <div> gives its text (the depth is flattened, not refused)", () => {
  const depth = 200_000;
  const html = "<div><p>".repeat(depth / 2) + "deep &amp; down" + "</p></div>".repeat(depth / 2);
  assert.ok(html.length >= 1_000_000);
  assert.equal(run("HTML to text", html), "deep & down");
  // The open elements cost constant work each, however deep (counted on 20,000 levels).
  const nested = "<div>".repeat(20_000) + "x" + "</span>".repeat(20_000);
  const work = workOf(() => run("HTML to text", nested));
  assert.ok(work < 20 * nested.length, `${work} characters copied or searched`);
  // A <script> flattened below the depth limit still loses its text.
  const scripted = "<span>".repeat(300) + "<script>alert(1)</script>shown";
  assert.equal(run("HTML to text", scripted), "shown");
});

Deno.test("thousands of distinct addresses are each found once (no quadratic look-up)", () => {
  const addresses = Array.from({ length: 20_000 }, (_, i) => `xmpp:u${i}@h.example`);
  const text = addresses.join(" ") + " " + addresses[5];
  let parsed: ParsedMessage | null = null;
  const work = workOf(() => (parsed = run("parse from XMPP", text) as ParsedMessage));
  assert.ok(parsed !== null);
  parsed = parsed as ParsedMessage;
  // Each address is checked against those found before in constant time.
  assert.ok(work < 20 * text.length, `${work} characters copied or searched`);
  assert.equal(parsed.xmppRecipients.length, 20_000);
  assert.equal(parsed.xmppRecipients[5], "u5@h.example");
});

Deno.test("countGraphemes agrees with the segmenter on seeded mixed text", () => {
  const alphabet = [
    "a",
    "e",
    " ",
    "\r",
    "\n",
    "\u0301",
    "\u200D",
    "👨",
    "🇫",
    "🇷",
    "\u0600",
    "\u1100",
    "\u1161",
    "é",
    "\t",
    "\u0915",
    "\u094D",
    "\u093F",
    "x".repeat(70),
  ];
  const random = seededRandom(99);
  for (let i = 0; i < 5000; i++) {
    let text = "";
    const length = Math.floor(random() * 30);
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
    assert.equal(countGraphemes(text), graphemes(text).length, JSON.stringify(text));
  }
});
