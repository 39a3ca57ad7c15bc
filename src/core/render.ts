/**
 * How a carried message looks on the other side (SPEC §4): the header line naming the sender, the
 * labelled sections for what a Fediverse status holds besides its text, and the Fediverse length
 * rules (counting as Mastodon does, cutting a bot notice, keeping a status from reaching accounts
 * it does not name as recipients).
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
import type { I18n } from "../i18n.ts";
import type { FediLimits } from "./ports.ts";
import type { MediaItem, StatusExtras } from "./types.ts";

/** Characters that may not come right before a URL for Mastodon to see one. */
const URL_RE =
  /(?<![A-Za-z0-9@$#\uFF20\uFF03])(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini):\/\/[\p{L}\p{N}][^\s<>]*/giu;
/** What a URL may not end with (Mastodon leaves trailing punctuation out of the link). */
const URL_BAD_END = /[?!*"'「」<>;:=,.$%[\]~&|@(]$/u;
/** Mastodon's mention: not after `=`, `/` or a word character; the domain part is optional. */
const MENTION_RE =
  /(?<![=/\p{L}\p{M}\p{N}\p{Pc}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(@[\p{L}\p{M}\p{N}\p{Pc}]+(?:[.-]+[\p{L}\p{M}\p{N}\p{Pc}]+)*)?/giu;
/** After a mention, these make it no mention (an address glued to more, or a URL). */
const MENTION_BAD_FOLLOW = /^(?:@|:\/\/|[\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F])/u;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The grapheme clusters of a text (what a reader sees as characters). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** Where Mastodon sees URLs in `text` (code unit offsets). */
function urlSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Trim what cannot end a URL; a closing parenthesis stays only when it closes one inside.
    for (;;) {
      if (URL_BAD_END.test(url)) {
        url = url.slice(0, -1);
      } else if (url.endsWith(")") && count(url, "(") < count(url, ")")) {
        url = url.slice(0, -1);
      } else break;
    }
    spans.push({ start: m.index, end: m.index + url.length });
  }
  return spans;
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

/** A mention Mastodon would see: where it is, the user name and the domain (or null). */
export interface MentionMatch extends Span {
  readonly user: string;
  readonly domain: string | null;
}

/** The mentions Mastodon would find in `text`, URLs excluded. */
export function fediMentions(text: string): MentionMatch[] {
  const urls = urlSpans(text);
  const found: MentionMatch[] = [];
  for (const m of text.matchAll(MENTION_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (MENTION_BAD_FOLLOW.test(text.slice(end))) continue;
    if (urls.some((u) => start < u.end && end > u.start)) continue;
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
  return graphemes(countable).length;
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
  const parts = graphemes(text);
  const cut = (n: number) => parts.slice(0, n).join("").trimEnd() + tail;
  const fits = (n: number) => fediLength(cut(n), perUrl) <= max;
  // The longest fitting prefix; lo always fits (0 does, as checked above).
  let lo = 0;
  let hi = parts.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  // Rather end on a whole word, when a break is close.
  for (let k = lo; k > 0 && k > lo - 30; k--) {
    if (/^\s+$/u.test(parts[k] ?? "") && fits(k)) return cut(k);
  }
  return cut(lo);
}

/**
 * Makes every mention in `text` whose account is not in `keep` inert (a zero-width space after
 * the `@`), so that a direct status reaches only its recipients: Mastodon delivers a direct status
 * to every account mentioned in it, quotes included. A mention without a domain means an account
 * of `localDomain` (the bot's server), as it would for Mastodon.
 */
export function defuseMentions(
  text: string,
  keep: ReadonlySet<string>,
  localDomain: string,
): string {
  let out = "";
  let from = 0;
  for (const m of fediMentions(text)) {
    const address = `${m.user}@${m.domain ?? localDomain}`.toLowerCase();
    if (keep.has(address)) continue;
    out += text.slice(from, m.start + 1) + "\u200B";
    from = m.start + 1;
  }
  return out + text.slice(from);
}

/** Whether the header introduces an answer to the recipient or a new message. */
export type HeaderKind = "new" | "reply";

/** The header line: who sends, from which app, and whether it answers the recipient. */
export function renderHeader(
  i18n: I18n,
  lang: string,
  kind: HeaderKind,
  app: string,
  user: string,
): string {
  return i18n.t(lang, kind === "reply" ? "header.reply" : "header.new", { app, user });
}

/** Mastodon's attachment types that have a label of their own. */
const MEDIA_KINDS = new Set(["image", "gifv", "video", "audio"]);

function mediaLine(i18n: I18n, lang: string, item: MediaItem): string {
  const kind = i18n.t(
    lang,
    `render.media_kind.${MEDIA_KINDS.has(item.type) ? item.type : "other"}`,
  );
  const description = item.description?.replace(/\s+/gu, " ").trim() ?? "";
  return description === ""
    ? i18n.t(lang, "render.media_item", { kind, url: item.url })
    : i18n.t(lang, "render.media_item_described", { kind, url: item.url, description });
}

/**
 * The text of a Fediverse status as an XMPP user reads it: the content warning first, then the
 * text, then the attachments as labelled links, then the poll as a link to the original; the
 * labels are in `lang`. Sections are separated by a blank line.
 */
export function renderStatusBody(
  i18n: I18n,
  lang: string,
  text: string,
  extras: StatusExtras | null,
): string {
  const sections: string[] = [];
  const spoiler = extras?.spoiler?.trim() ?? "";
  if (spoiler !== "") sections.push(i18n.t(lang, "render.content_warning", { text: spoiler }));
  if (text.trim() !== "") sections.push(text);
  const media = extras?.media ?? [];
  if (media.length > 0) {
    sections.push(
      [i18n.t(lang, "render.media"), ...media.map((m) => `- ${mediaLine(i18n, lang, m)}`)]
        .join("\n"),
    );
  }
  if (extras?.pollUrl) sections.push(i18n.t(lang, "render.poll", { url: extras.pollUrl }));
  return sections.join("\n\n");
}

/** Whether a status holds anything to carry besides its text. */
export function hasExtras(extras: StatusExtras | null): boolean {
  return extras !== null &&
    ((extras.spoiler?.trim() ?? "") !== "" || extras.media.length > 0 || extras.pollUrl !== null);
}
