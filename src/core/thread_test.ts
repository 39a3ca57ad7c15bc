import assert from "node:assert/strict";
import { fediLength, graphemes } from "./fedi_length.ts";
import { splitThread } from "./thread.ts";

const LIMITS = { maxCharacters: 500, charactersReservedPerUrl: 23 };
const PREFIXES = { first: "@bob@social.test Alice wrote:\n", rest: "@bob@social.test " };

/** The body of a part: without its prefix and its number. */
function bodyOf(part: string, i: number): string {
  const prefix = i === 0 ? PREFIXES.first : PREFIXES.rest;
  assert.ok(part.startsWith(prefix), part.slice(0, 40));
  return part.slice(prefix.length).replace(/\n\d+\/\d+$/, "");
}

Deno.test("a text that fits stays one status without a number", () => {
  assert.deepEqual(splitThread(PREFIXES, "  hello  ", LIMITS, 5), [`${PREFIXES.first}hello`]);
  assert.deepEqual(splitThread(PREFIXES, "", LIMITS, 5), [PREFIXES.first.trimEnd()]);
});

Deno.test("12,000 characters on a 500-character server: a numbered thread, in order, all kept", () => {
  const sentences = Array.from({ length: 240 }, (_, i) => `Sentence ${i} says a few words.`);
  const paragraphs: string[] = [];
  for (let i = 0; i < sentences.length; i += 8) {
    paragraphs.push(sentences.slice(i, i + 8).join(" "));
  }
  let text = paragraphs.join("\n\n");
  text = (text + " filler").repeat(2).slice(0, 12_000);
  const parts = splitThread(PREFIXES, text, LIMITS, 40)!;
  assert.ok(parts.length >= 25, `${parts.length}`);
  parts.forEach((part, i) => {
    assert.ok(fediLength(part, 23) <= 500, `part ${i + 1}: ${fediLength(part, 23)}`);
    assert.ok(part.endsWith(`\n${i + 1}/${parts.length}`));
  });
  const words = (s: string) => s.split(/\s+/).filter((w) => w !== "");
  assert.deepEqual(words(parts.map(bodyOf).join(" ")), words(text));
  // Cut where a reader would: each part but the last ends a sentence (paragraphs are short).
  for (const [i, part] of parts.slice(0, -1).entries()) {
    assert.match(bodyOf(part, i), /\.$/, `part ${i + 1} ends mid-sentence`);
  }
});

Deno.test("paragraphs first, then sentences, then words", () => {
  const small = { maxCharacters: 120, charactersReservedPerUrl: 23 };
  const p = { first: "", rest: "" };
  const para = `${"a".repeat(70)} end.\n\n${"b".repeat(10)} more. ${"c ".repeat(30)}`;
  const [first] = splitThread(p, para, small, 5)!;
  assert.equal(first, `${"a".repeat(70)} end.\n1/2`);
  const sentence = `${"a ".repeat(35)}stop. ${"b ".repeat(40)}`;
  assert.equal(splitThread(p, sentence, small, 5)![0], `${"a ".repeat(35)}stop.\n1/2`);
  const words = "word ".repeat(50);
  const parts = splitThread(p, words, small, 5)!;
  for (const [i, part] of parts.entries()) assert.match(bodyOf2(part), /^(word ?)+$/, `${i}`);
});

function bodyOf2(part: string): string {
  return part.replace(/\n\d+\/\d+$/, "");
}

Deno.test("a URL counts 23 and is never cut; a long word is cut between characters", () => {
  const url = `https://example.org/${"p".repeat(300)}`;
  const parts = splitThread(PREFIXES, `${"x ".repeat(240)}${url} tail`, LIMITS, 5)!;
  assert.equal(parts.length, 2);
  assert.ok(parts.some((p) => p.includes(url)));
  const emoji = "👩‍👩‍👧".repeat(400);
  const cut = splitThread({ first: "", rest: "" }, emoji, LIMITS, 5)!;
  assert.equal(cut.length, 1 + Math.floor(400 / 496));
  for (const part of cut) {
    const body = bodyOf2(part);
    assert.ok(graphemes(body).every((g) => g === "👩‍👩‍👧"), "a family emoji was split");
  }
});

Deno.test("more parts than allowed: null", () => {
  assert.equal(splitThread(PREFIXES, "word ".repeat(1000), LIMITS, 5), null);
  assert.notEqual(splitThread(PREFIXES, "word ".repeat(1000), LIMITS, 15), null);
  // A prefix that leaves no room at all.
  const tiny = { maxCharacters: 10, charactersReservedPerUrl: 23 };
  assert.equal(splitThread(PREFIXES, "word ".repeat(10), tiny, 5), null);
});
