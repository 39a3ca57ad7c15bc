/**
 * The lexical pieces of {@link parseMessage}: where a word starts, host names, the ordered sets
 * it collects into, and cutting spans out of the text.
 *
 * @module
 */

/** Characters after which a word starts (besides white space and the text start). */
const WORD_OPENERS = new Set(["(", "[", "{", "<", '"', "'", "«", "“", "‘", "„", ",", ";"]);

const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?`;
/** One or more labels joined by dots; anchored (sticky) where used. */
const HOST_RE = new RegExp(`${LABEL}(?:\\.${LABEL})*`, "uy");
/** Last label of a bare domain; an address (after its prefix) may have a one-letter one. */
const TLD_RE = /^(?:\p{L}{2,}|xn--[a-z0-9-]+)$/iu;
const ADDRESS_TLD_RE = /^(?:\p{L}+|xn--[a-z0-9-]+)$/iu;

/** Whether `ch` is white space (a missing character is not). */
export function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/u.test(ch);
}

/** Whether a word starts at `i`: at the text start, after white space or an opener. */
export function isWordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = text[i - 1];
  return before !== undefined && (isSpace(before) || WORD_OPENERS.has(before));
}

/** Sticky match of `re` at `i`, or null. */
export function matchAt(re: RegExp, text: string, i: number): string | null {
  re.lastIndex = i;
  const m = re.exec(text);
  return m === null ? null : m[0];
}

/** Whether `prefix` (never the empty one) stands at `i`, compared case-insensitively. */
export function startsWithAt(text: string, i: number, prefix: string): boolean {
  return prefix !== "" &&
    text.slice(i, i + prefix.length).toLowerCase() === prefix.toLowerCase();
}

/**
 * A host name at `i` (trailing dots and hyphens are never part of it), for an
 * address (`forAddress`: `localhost` and one-letter last labels allowed) or a
 * bare domain.
 */
export function hostAt(text: string, i: number, forAddress: boolean): string | null {
  const host = matchAt(HOST_RE, text, i);
  if (host === null) return null;
  const labels = host.split(".");
  const last = labels[labels.length - 1] ?? "";
  if (labels.length >= 2 && (forAddress ? ADDRESS_TLD_RE : TLD_RE).test(last)) return host;
  if (forAddress && host.toLowerCase() === "localhost") return host;
  return null;
}

/** May a bare domain end right before `i`? */
export function domainMayEndAt(text: string, i: number): boolean {
  const next = text[i];
  if (next === undefined || isSpace(next)) return true;
  if (next === ":") return text[i + 1] === undefined || isSpace(text[i + 1]);
  if (next === ".") return !/[\p{L}\p{N}]/u.test(text[i + 1] ?? "");
  return /[,;!?)\]}>"'»”’]/u.test(next);
}

/** The host of a configured server (a URL is accepted), lower-cased. */
export function normaliseHost(value: string): string {
  return value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[/?#].*$/s, "")
    .toLowerCase();
}

/** Ordered set of strings. */
export class OrderedSet {
  readonly #items: string[] = [];
  readonly #seen = new Set<string>();
  add(value: string): void {
    if (this.#seen.has(value)) return;
    this.#seen.add(value);
    this.#items.push(value);
  }
  get values(): readonly string[] {
    return this.#items;
  }
}

/** A stretch of the text, in code units: `start` inclusive, `end` exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Removes the spans from the text, with the white space and `,:;` right after
 * each so no gap is left, then tidies line ends and blank lines at both ends.
 */
export function cutSpans(text: string, spans: readonly Span[]): string {
  let out = "";
  let from = 0;
  // Whether `out` ends in a line holding only white space so far (kept up to date piece by
  // piece: looking back through `out` at each span would be quadratic).
  let blankLine = true;
  const append = (piece: string): void => {
    const lastBreak = piece.lastIndexOf("\n");
    const tail = lastBreak < 0 ? piece : piece.slice(lastBreak + 1);
    blankLine = (lastBreak >= 0 || blankLine) && tail.trim() === "";
    out += piece;
  };
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < from) continue;
    append(text.slice(from, span.start));
    let end = span.end;
    while (end < text.length && /[,:;]/.test(text[end] ?? "")) end++;
    while (end < text.length && /[^\S\n]/u.test(text[end] ?? "")) end++;
    // A line that held nothing else goes away with its line break.
    if (text[end] === "\n" && blankLine) end++;
    from = end;
  }
  out += text.slice(from);
  // trimEnd, not a regular expression: `/\s+$/` is quadratic on long runs of spaces.
  return out.split("\n").map((line) => line.trimEnd()).join("\n")
    .replace(/^\s*\n/, "").trim();
}
