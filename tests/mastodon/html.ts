/**
 * Plain text to Mastodon status HTML, as Mastodon's TextFormatter renders it:
 * paragraphs in `<p>`, single line breaks as `<br />`, links, hashtags and
 * h-card mention links; plus the character count its length validator uses.
 */

const WORD = "\\p{L}\\p{M}\\p{N}\\p{Pc}";
const USERNAME = "[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?";
const MENTION_RE = new RegExp(
  `(?<![=/${WORD}])@(${USERNAME})(?:@([${WORD}.-]+[${WORD}]+))?`,
  "giu",
);
const URL_RE = /https?:\/\/[^\s<>"]+/giu;
const HASHTAG_RE = new RegExp(`(?<![=/)${WORD}])#([${WORD}]*[\\p{L}_][${WORD}]*)`, "gu");
const URL_PREFIX_RE = /^(https?:\/\/(www\.)?|xmpp:)/;

/** What a mention in a text resolves to; `null` leaves it as plain text. */
export interface MentionTarget {
  id: string;
  username: string;
  /** Profile URL used as the link target. */
  url: string;
}

/** Resolves `@username` (`domain` null) or `@username@domain` as written. */
export type MentionResolver = (username: string, domain: string | null) => MentionTarget | null;

export interface RenderedText {
  html: string;
  /** Ids of the resolved mentions, in order of first appearance, without repeats. */
  mentionIds: string[];
  tags: string[];
}

interface Entity {
  start: number;
  end: number;
  html: string;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A URL found in text, without the punctuation that usually ends a sentence. */
function trimUrl(url: string): string {
  let out = url;
  while (/[.,;:!?'")\]]$/.test(out)) {
    if (out.endsWith(")") && (out.match(/\(/g)?.length ?? 0) >= (out.match(/\)/g)?.length ?? 0)) {
      break;
    }
    out = out.slice(0, -1);
  }
  return out;
}

function urlLink(url: string): string {
  const prefix = url.match(URL_PREFIX_RE)?.[0] ?? "";
  const rest = url.slice(prefix.length);
  const display = rest.slice(0, 30);
  const suffix = rest.slice(30);
  const cls = rest.length > 30 ? "ellipsis" : "";
  return `<a href="${escapeHtml(url)}" target="_blank" rel="nofollow noopener" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${cls}">${escapeHtml(display)}</span>` +
    `<span class="invisible">${escapeHtml(suffix)}</span></a>`;
}

function mentionLink(target: MentionTarget): string {
  return `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" ` +
    `class="u-url mention">@<span>${escapeHtml(target.username)}</span></a></span>`;
}

function overlaps(entities: Entity[], start: number, end: number): boolean {
  return entities.some((e) => start < e.end && end > e.start);
}

/** Renders `text` into status HTML; `tagBaseUrl` is the base of hashtag links. */
export function renderStatusText(
  text: string,
  resolve: MentionResolver,
  tagBaseUrl: string,
): RenderedText {
  const entities: Entity[] = [];
  const mentionIds: string[] = [];
  const tags: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    entities.push({ start: m.index, end: m.index + url.length, html: urlLink(url) });
  }
  for (const m of text.matchAll(MENTION_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(entities, start, end)) continue;
    const username = m[1] ?? "";
    const target = resolve(username, m[2]?.toLowerCase() ?? null);
    if (target === null) continue;
    if (!mentionIds.includes(target.id)) mentionIds.push(target.id);
    entities.push({ start, end, html: mentionLink(target) });
  }
  for (const m of text.matchAll(HASHTAG_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(entities, start, end)) continue;
    const tag = m[1] ?? "";
    if (!tags.includes(tag.toLowerCase())) tags.push(tag.toLowerCase());
    const href = `${tagBaseUrl}/tags/${encodeURIComponent(tag)}`;
    entities.push({
      start,
      end,
      html: `<a href="${escapeHtml(href)}" class="mention hashtag" rel="tag">#<span>${
        escapeHtml(tag)
      }</span></a>`,
    });
  }
  entities.sort((a, b) => a.start - b.start);
  let inline = "";
  let last = 0;
  for (const e of entities) {
    inline += escapeHtml(text.slice(last, e.start)) + e.html;
    last = e.end;
  }
  inline += escapeHtml(text.slice(last));
  return { html: simpleFormat(inline), mentionIds, tags };
}

/** Rails' simple_format with the newlines removed afterwards, as Mastodon does. */
function simpleFormat(html: string): string {
  const normalized = html.replace(/\r\n?/g, "\n");
  if (normalized.trim() === "") return "";
  const paragraphs = normalized.split(/\n\n+/).filter((p) => p.length > 0);
  return paragraphs.map((p) => `<p>${p.replace(/\n/g, "<br />")}</p>`).join("");
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function graphemes(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/**
 * Length as Mastodon's status length validator counts it: every URL counts as
 * `urlLength` characters and a remote mention counts only its `@username` part.
 */
export function countableLength(text: string, urlLength: number): number {
  const withoutUrls = text.replace(
    URL_RE,
    (m) => "x".repeat(urlLength) + m.slice(trimUrl(m).length),
  );
  const shortMentions = withoutUrls.replace(MENTION_RE, (_m, user: string) => `@${user}`);
  return graphemes(shortMentions);
}
