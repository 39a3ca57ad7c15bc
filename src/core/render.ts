/**
 * How a carried message looks on the other side (SPEC §4): the header line naming the sender, the
 * labelled sections for what a Fediverse status holds besides its text, and keeping a status from
 * reaching accounts it does not name as recipients. The length rules are in `fedi_length.ts`.
 *
 * @module
 */
import type { I18n } from "../i18n/mod.ts";
import { displayAddress, skeleton } from "./lookalike.ts";
import type { MediaItem, StatusExtras } from "./types.ts";

/** At signs a Fediverse server may read as the start of a mention (some fold `＠` and `﹫`). */
const AT_SIGN_RE = /[@\uFF20\uFE6B]/g;
/** What makes an at sign inert: an invisible character right after it, where a name must start. */
const DEFUSER = "\u200B";
/**
 * A mention that is kept live when its account is in the `keep` set: `@user` or `@user@domain`,
 * followed by the end of the text, white space, or punctuation that no server reads as part of
 * an address (`.` only before white space or the end: a final dot leaves the domain the same),
 * so every server reads the same account in it.
 */
const KEPT_MENTION_RE =
  /@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([\p{L}\p{M}\p{N}_-]+(?:\.[\p{L}\p{M}\p{N}_-]+)*))?(?=$|[\s,;!?)\]}"'»”’]|\.(?:$|\s))/iuy;

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a);
}

/**
 * Walks the at signs of `text`: `kept` gets each live mention of an account in `keep` (its start
 * and end), `defuse` each at sign to make inert. An `@` right after an ASCII letter or digit
 * (`alice@chat.example`) starts no mention for any server and is left alone.
 */
function walkAtSigns(
  text: string,
  keep: ReadonlySet<string>,
  localDomain: string,
  kept: (start: number, end: number) => void,
  defuse: (at: number) => void,
): void {
  let skipUntil = 0;
  for (const m of text.matchAll(AT_SIGN_RE)) {
    const at = m.index;
    if (at < skipUntil) continue;
    if (m[0] === "@") {
      if (at > 0 && isAsciiAlnum(text.charCodeAt(at - 1))) continue;
      if (keep.size > 0) {
        KEPT_MENTION_RE.lastIndex = at;
        const mention = KEPT_MENTION_RE.exec(text);
        if (mention !== null) {
          const address = `${mention[1]}@${mention[2] ?? localDomain}`.toLowerCase();
          if (keep.has(address)) {
            skipUntil = at + mention[0].length;
            kept(at, skipUntil);
            continue;
          }
        }
      }
    }
    if (text[at + 1] !== DEFUSER) defuse(at);
  }
}

/**
 * Makes every at sign of `text` inert (a zero-width space after it) except the live mentions of
 * the accounts in `keep` and an `@` inside an address (after an ASCII letter or digit), so that
 * a direct status reaches nobody else: Mastodon delivers a direct status to every account
 * mentioned in it, and the servers' mention parsers differ (Mastodon, GoToSocial, Pleroma,
 * Misskey), so every `@`, `＠` and `﹫` that could start one is defused rather than predicted. A
 * mention without a domain means an account of `localDomain` (the bot's server). Linear in the
 * length of the text.
 */
export function defuseMentions(
  text: string,
  keep: ReadonlySet<string>,
  localDomain: string,
): string {
  let out = "";
  let from = 0;
  walkAtSigns(text, keep, localDomain, () => {}, (at) => {
    out += text.slice(from, at + 1) + DEFUSER;
    from = at + 1;
  });
  return out + text.slice(from);
}

/** Whether {@link defuseMentions} keeps a live mention of `address` in `text`. */
export function namesLive(text: string, address: string, localDomain: string): boolean {
  let found = false;
  walkAtSigns(text, new Set([address]), localDomain, () => (found = true), () => {});
  return found;
}

/**
 * The direct status for Fediverse recipients: their mentions and the header on the first line,
 * then the text. The recipients' leading mentions are the only live ones: every other at sign,
 * in the header and in the text, is made inert (see {@link defuseMentions}), and lines of the
 * text that read like a header are marked as quotes (see {@link markHeaderLookalikes}).
 */
export function fediStatusText(
  i18n: I18n,
  recipients: readonly string[],
  header: string,
  text: string,
  localDomain: string,
): string {
  const { mentions, head, body } = fediStatusParts(i18n, recipients, header, text, localDomain);
  return body === "" ? `${mentions} ${head}` : `${mentions} ${head}\n${body}`;
}

/**
 * The pieces of {@link fediStatusText}: the recipients' mentions, the header and the text, the
 * last two with their at signs made inert; a thread (thread.ts) puts them together per part.
 */
export function fediStatusParts(
  i18n: I18n,
  recipients: readonly string[],
  header: string,
  text: string,
  localDomain: string,
): { mentions: string; head: string; body: string } {
  const none = new Set<string>();
  return {
    mentions: recipients.map((a) => `@${a}`).join(" "),
    head: defuseMentions(header, none, localDomain),
    body: defuseMentions(markHeaderLookalikes(i18n, text), none, localDomain).trim(),
  };
}

/** Whether the header introduces an answer to the recipient or a new message. */
export type HeaderKind = "new" | "reply";

/**
 * The header line: who sends, from which app, and whether it answers the recipient. The address
 * is shown so that it cannot pass for another ({@link displayAddress}: look-alike domains in
 * their A-label form).
 */
export function renderHeader(
  i18n: I18n,
  lang: string,
  kind: HeaderKind,
  app: string,
  user: string,
): string {
  return i18n.t(lang, kind === "reply" ? "header.reply" : "header.new", {
    app,
    user: displayAddress(user),
  });
}

/** Stands for a placeholder while the header texts are cut into their fixed parts. */
const HOLE = "\uE000";
/** Fewer letters than this in a header's fixed parts: too vague to recognise (an admin's text). */
const MIN_HEADER_LETTERS = 4;
const headerShapes = new WeakMap<I18n, readonly (readonly string[])[]>();

/**
 * The fixed parts of every header text, in every language (their skeletons, end punctuation
 * left out), between which the placeholders stand.
 */
function headerShapesOf(i18n: I18n): readonly (readonly string[])[] {
  let shapes = headerShapes.get(i18n);
  if (shapes !== undefined) return shapes;
  const found: string[][] = [];
  for (const lang of i18n.languages()) {
    for (const key of ["header.new", "header.reply"] as const) {
      const text = skeleton(i18n.t(lang, key, { app: HOLE, user: HOLE }));
      const parts = trimEndPunctuation(text).split(HOLE);
      const letters = parts.join("").match(/\p{L}/gu)?.length ?? 0;
      if (letters >= MIN_HEADER_LETTERS) found.push(parts);
    }
  }
  shapes = found;
  headerShapes.set(i18n, shapes);
  return shapes;
}

function trimEndPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && /[\s:.!]/u.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/**
 * Whether a line (its skeleton) holds a header: the fixed parts in order, any text between
 * (and before), the last part at the end. Greedy search, linear in the line's length.
 */
function holdsHeader(line: string, parts: readonly string[]): boolean {
  let pos = 0;
  for (let k = 0; k < parts.length - 1; k++) {
    const part = parts[k]!;
    if (part === "") continue;
    const at = line.indexOf(part, pos);
    if (at < 0) return false;
    pos = at + part.length;
  }
  const last = parts[parts.length - 1] ?? "";
  return line.length - last.length >= pos && line.endsWith(last);
}

/** The marker put before a line of a carried text that reads like the bridge's header. */
export const QUOTE_MARK = "> ";

/**
 * Marks as quoted text (`> ` before it) every line of `text` that would read as the bridge's
 * own header ("New message from ...", "... replied:", in any shipped or configured language),
 * compared on skeletons so that look-alike letters, full-width forms and invisible characters do
 * not hide one. A line already starting with `>` is a quote and stays as it is.
 */
export function markHeaderLookalikes(i18n: I18n, text: string): string {
  if (text === "") return text;
  const shapes = headerShapesOf(i18n);
  return text.split("\n").map((line) => {
    if (line.startsWith(">")) return line;
    const shape = trimEndPunctuation(skeleton(line));
    return shapes.some((parts) => holdsHeader(shape, parts)) ? QUOTE_MARK + line : line;
  }).join("\n");
}

/** Mastodon's attachment types that have a label of their own. */
const MEDIA_KINDS = new Set(["image", "gifv", "video", "audio"]);
type MediaKind = "image" | "gifv" | "video" | "audio" | "other";

function mediaLine(i18n: I18n, lang: string, item: MediaItem): string {
  const kind = i18n.t(
    lang,
    `render.media_kind.${(MEDIA_KINDS.has(item.type) ? item.type : "other") as MediaKind}`,
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
  return markHeaderLookalikes(i18n, sections.join("\n\n"));
}

/** Whether a status holds anything to carry besides its text. */
export function hasExtras(extras: StatusExtras | null): boolean {
  return extras !== null &&
    ((extras.spoiler?.trim() ?? "") !== "" || extras.media.length > 0 || extras.pollUrl !== null);
}
