/**
 * Cutting a text that is too long for one Fediverse status into a thread: each part fits the
 * server's limit as Mastodon counts it (see fedi_length.ts), starts with a prefix of its own (the
 * recipients' mentions, and the header on the first), and ends with its number (`2/3`) when there
 * is more than one. The text is cut at a paragraph break when there is one in the part's second
 * half, else at the end of a sentence, else between words, and only as a last resort inside a
 * word (never inside a character that is drawn as one).
 *
 * @module
 */
import { fediLength } from "./fedi_length.ts";
import type { FediLimits } from "./ports.ts";

/** The number at the end of part `k` (from 1) of `n`. */
export function partNumber(k: number, n: number): string {
  return `\n${k}/${n}`;
}

/** The prefixes of the parts: the first part's, and the one every later part starts with. */
export interface ThreadPrefixes {
  readonly first: string;
  readonly rest: string;
}

/**
 * The parts of the thread for `text` after the prefixes, or null when it needs more than
 * `maxParts` parts (or a prefix alone leaves no room). One part, without a number, when it fits.
 */
export function splitThread(
  prefixes: ThreadPrefixes,
  text: string,
  limits: FediLimits,
  maxParts: number,
): string[] | null {
  const body = text.trim();
  const whole = body === "" ? prefixes.first.trimEnd() : prefixes.first + body;
  if (fediLength(whole, limits.charactersReservedPerUrl) <= limits.maxCharacters) return [whole];
  // The number's width depends on the count: assume 9 parts, then 99, ... until it holds.
  for (let widest = 9; widest < 10 * Math.max(9, maxParts); widest = widest * 10 + 9) {
    const chunks = cutChunks(prefixes, body, limits, widest, maxParts);
    if (chunks === null) return null;
    if (chunks.length <= widest) {
      const n = chunks.length;
      return chunks.map((c, i) =>
        (i === 0 ? prefixes.first : prefixes.rest) + c + partNumber(i + 1, n)
      );
    }
  }
  return null;
}

/** The body's chunks with room for a number as wide as `widest/widest`; null past `maxParts`. */
function cutChunks(
  prefixes: ThreadPrefixes,
  body: string,
  limits: FediLimits,
  widest: number,
  maxParts: number,
): string[] | null {
  const chunks: string[] = [];
  let rest = body;
  while (rest !== "") {
    if (chunks.length >= maxParts) return null;
    const prefix = chunks.length === 0 ? prefixes.first : prefixes.rest;
    const suffix = partNumber(widest, widest);
    const fits = (end: number) =>
      fediLength(prefix + rest.slice(0, end).trimEnd() + suffix, limits.charactersReservedPerUrl) <=
        limits.maxCharacters;
    const end = longestFit(rest, fits);
    if (end === 0) return null;
    const cut = end === rest.length ? end : breakPoint(rest, end);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  return chunks;
}

/** The longest prefix length of `text` (on a character boundary) for which `fits` holds. */
function longestFit(text: string, fits: (end: number) => boolean): number {
  if (fits(text.length)) return text.length;
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return clusterStart(text, lo);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `end`, moved back to the start of the character drawn there (surrogates, marks, emoji). */
function clusterStart(text: string, end: number): number {
  if (end <= 0 || end >= text.length) return end;
  const from = Math.max(0, end - 32);
  let start = from;
  for (const { index } of segmenter.segment(text.slice(from, end + 32))) {
    if (from + index > end) break;
    start = from + index;
  }
  return start;
}

/** Sentence ends: `.`, `!`, `?`, `…` (and their closing quotes or brackets) before a space. */
const SENTENCE_END_RE = /[.!?…。！？]["'»”’)\]]*\s/gu;

/**
 * Where to cut `text` when its first `end` code units fit: after the last paragraph break, else
 * after the last sentence, else at the last space, each only in the second half of what fits
 * (a tiny part helps nobody); else at `end`.
 */
function breakPoint(text: string, end: number): number {
  const window = text.slice(0, end + 1);
  const half = Math.floor(end / 2);
  const paragraph = window.lastIndexOf("\n\n");
  if (paragraph >= half) return paragraph;
  let sentence = -1;
  for (const m of window.matchAll(SENTENCE_END_RE)) sentence = m.index + m[0].length - 1;
  if (sentence >= half) return sentence;
  const space = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\n"));
  if (space >= half) return space;
  return end;
}
