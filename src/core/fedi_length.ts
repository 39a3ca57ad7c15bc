/**
 * Fediverse length rules: counting a status as Mastodon does and cutting a text to fit.
 *
 * Mastodon's count (its `StatusLengthValidator`): the text is measured in grapheme clusters, after
 * every URL with a known scheme (`http`, `https`, `dat`, `dweb`, `ipfs`, `ipns`, `ssb`, `gopher`,
 * `gemini`) is replaced by `charactersReservedPerUrl` characters and every mention `@user@domain`
 * by `@user` (the domain is free). `xmpp:` URIs and bare domains count in full. The URL and mention
 * patterns below follow Mastodon's closely enough for a bridge: they may differ on exotic input
 * (odd trailing punctuation, internationalised top-level domains), never on ordinary text.
 *
 * @module
 */
import type { FediLimits } from "./ports.ts";

/** Characters that may not come right before a URL for Mastodon to see one. */
const URL_RE =
  /(?<![A-Za-z0-9@$#\uFF20\uFF03])(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini):\/\/[\p{L}\p{N}][^\s<>]*/giu;
/** Mastodon's mention: not after `=`, `/` or a word character; the domain part is optional. */
const MENTION_RE =
  /(?<![=/\p{L}\p{M}\p{N}\p{Pc}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(@[\p{L}\p{M}\p{N}\p{Pc}]+(?:[.-]+[\p{L}\p{M}\p{N}\p{Pc}]+)*)?/giu;
/** After a mention, these make it no mention (an address glued to more, or a URL). */
const MENTION_BAD_FOLLOW = /@|:\/\/|[\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]/uy;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The grapheme clusters of a text (what a reader sees as characters). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** Stretches that hold non-ASCII text: the only places where clusters need the segmenter. */
// deno-lint-ignore no-control-regex
const NON_ASCII_STRETCH_RE = /(?:[^\x00-\x7f]|[\x00-\x7f](?=[^\x00-\x7f]))+/g;

/** Clusters in ASCII text: one per character, `\r\n` being one. */
function asciiClusters(text: string, start: number, end: number): number {
  let count = end - start;
  for (
    let i = text.indexOf("\r\n", start);
    i >= 0 && i + 1 < end;
    i = text.indexOf("\r\n", i + 2)
  ) {
    count--;
  }
  return count;
}

/**
 * The number of grapheme clusters of `text`, as `graphemes(text).length`, but the segmenter only
 * sees the stretches around non-ASCII characters (two ASCII characters side by side are always
 * two clusters, but for `\r\n`), which makes counting mostly-ASCII text several times faster.
 */
export function countGraphemes(text: string): number {
  let count = 0;
  let pos = 0;
  // The stretch being gathered: stretches a few ASCII characters apart are segmented together
  // (each call of the segmenter has a cost of its own).
  let from = -1;
  let to = -1;
  const flush = (): void => {
    if (from < 0) return;
    count += asciiClusters(text, pos, from);
    for (const _ of segmenter.segment(text.slice(from, to))) count++;
    pos = to;
  };
  for (const m of text.matchAll(NON_ASCII_STRETCH_RE)) {
    let start = m.index;
    let end = start + m[0].length;
    // The ASCII character before a non-ASCII one may share its cluster (`e` + U+0301), and so
    // may the one after (after a prepended mark); `\r\n` stays whole.
    if (end < text.length) end++;
    if (end < text.length && text[end - 1] === "\r" && text[end] === "\n") end++;
    if (from >= 0 && start - to < 64) {
      to = end;
      continue;
    }
    flush();
    if (start > pos && text.charCodeAt(start) >= 0x80) start--;
    if (start > pos && text[start] === "\n" && text[start - 1] === "\r") start--;
    from = start;
    to = end;
  }
  flush();
  return count + asciiClusters(text, pos, text.length);
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** Where Mastodon sees URLs in `text` (code unit offsets). */
function urlSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(URL_RE)) {
    spans.push({ start: m.index, end: trimUrlEnd(text, m.index, m.index + m[0].length) });
  }
  return spans;
}

/** The characters a URL may not end with (Mastodon leaves trailing punctuation out). */
const URL_BAD_END = new Set("?!*\"'「」<>;:=,.$%[]~&|@(");

/**
 * Where the URL `text[start, end)` really ends: trailing punctuation is left out, and a closing
 * parenthesis stays only when it closes one opened inside. One pass over the URL (the counts are
 * kept up to date while trimming), so a URL ending in thousands of `)` costs no more than its
 * length.
 */
function trimUrlEnd(text: string, start: number, end: number): number {
  let open = 0;
  let close = 0;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x28) open++;
    else if (c === 0x29) close++;
  }
  while (end > start) {
    const last = text[end - 1]!;
    if (URL_BAD_END.has(last)) {
      if (last === "(") open--;
      end--;
    } else if (last === ")" && open < close) {
      close--;
      end--;
    } else break;
  }
  return end;
}

/** A mention Mastodon would see: where it is, the user name and the domain (or null). */
export interface MentionMatch extends Span {
  readonly user: string;
  readonly domain: string | null;
}

/** The mentions Mastodon would find in `text`, URLs excluded. Linear in the text's length. */
export function fediMentions(text: string): MentionMatch[] {
  const urls = urlSpans(text);
  const found: MentionMatch[] = [];
  let u = 0;
  for (const m of text.matchAll(MENTION_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    MENTION_BAD_FOLLOW.lastIndex = end;
    if (MENTION_BAD_FOLLOW.test(text)) continue;
    // URLs are sorted and apart: only the first one ending after `start` can overlap.
    while (u < urls.length && urls[u]!.end <= start) u++;
    const url = urls[u];
    if (url !== undefined && url.start < end) continue;
    const domain = m[2] === undefined ? null : m[2].slice(1);
    found.push({ start, end, user: m[1]!, domain });
  }
  return found;
}

/**
 * The length of a status text as Mastodon counts it: URLs count `charactersReservedPerUrl`,
 * mentions only their `@user` part, everything else one per grapheme cluster.
 */
export function fediLength(text: string, charactersReservedPerUrl: number): number {
  if (text.trim() === "") return 0;
  const urls = urlSpans(text);
  const mentions = fediMentions(text);
  const spans = [
    ...urls.map((s) => ({ ...s, replacement: "x".repeat(charactersReservedPerUrl) })),
    ...mentions.map((s) => ({ ...s, replacement: `@${s.user}` })),
  ].sort((a, b) => a.start - b.start);
  let countable = "";
  let from = 0;
  for (const span of spans) {
    if (span.start < from) continue;
    countable += text.slice(from, span.start) + span.replacement;
    from = span.end;
  }
  countable += text.slice(from);
  return countGraphemes(countable);
}

/**
 * Cuts a bot notice so that it fits in one status of the Fediverse server, counted as Mastodon
 * does: the kept part (cut at a word break when one is near), `…`, and on its own line `notice`
 * (the translated "truncated" text, `render.truncated`). A text that fits is returned unchanged.
 * The caller passes the text as it will be posted (with the mention it starts with, if any).
 */
export function truncateForFedi(text: string, limits: FediLimits, notice: string): string {
  const max = limits.maxCharacters;
  const perUrl = limits.charactersReservedPerUrl;
  if (fediLength(text, perUrl) <= max) return text;
  const tail = `…\n${notice}`;
  if (fediLength(tail, perUrl) > max) {
    return graphemes(notice).slice(0, Math.max(0, max)).join("");
  }
  // The graphemes of the longest prefix whose estimated count fits (see keptGraphemes), then
  // checked exactly: a few exact counts instead of one per step of a search, and only the kept
  // part is split into graphemes, so a long notice costs time in proportion to its length.
  const parts = keptGraphemes(text, perUrl, max - fediLength(tail, perUrl));
  const cut = (n: number) => parts.slice(0, n).join("").trimEnd() + tail;
  const fits = (n: number) => fediLength(cut(n), perUrl) <= max;
  let lo = Math.max(0, parts.length - 1);
  // The estimate can be a little short of the exact count (a cut mention or URL reads
  // differently): step back until it fits, then search what is left if that takes long.
  for (let steps = 0; lo > 0 && !fits(lo); steps++) {
    if (steps >= 16) {
      let hi = lo - 1;
      lo = 0;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(mid)) lo = mid;
        else hi = mid - 1;
      }
      break;
    }
    lo--;
  }
  // Rather end on a whole word, when a break is close.
  for (let k = lo; k > 0 && k > lo - 30; k--) {
    if (/^\s+$/u.test(parts[k] ?? "")) {
      if (fits(k)) return cut(k);
      break;
    }
  }
  return cut(lo);
}

/**
 * The graphemes of the longest prefix of `text` whose estimated count is within `budget`, and the
 * grapheme after it. Each grapheme's share of the count is 1, except that a URL counts `perUrl`
 * on its first grapheme and nothing on the others, and a mention's domain counts nothing.
 */
function keptGraphemes(text: string, perUrl: number, budget: number): string[] {
  const spans = [
    ...urlSpans(text).map((s) => ({ ...s, free: s.start + 1, first: perUrl })),
    ...fediMentions(text).map((s) => ({ ...s, free: s.start + 1 + s.user.length, first: 1 })),
  ].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let used = 0;
  let k = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    parts.push(segment);
    while (k < spans.length && spans[k]!.end <= index) k++;
    const span = spans[k];
    let cost = 1;
    if (span !== undefined && index >= span.start) {
      if (index === span.start) cost = span.first;
      else cost = index < span.free && span.first === 1 ? 1 : 0;
    }
    used += cost;
    if (used > budget) break;
  }
  return parts;
}
