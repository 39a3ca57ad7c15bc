/**
 * Turns the HTML of a Fediverse status into the plain text the bridge parses
 * and forwards (SPEC §2).
 *
 * The HTML is read with htmlparser2 into a small tree, then written out:
 * - `<br>` is a line break; `<p>`, `<div>`, `<blockquote>`, `<pre>`, headings
 *   and lists are paragraphs, separated by one blank line (as the author typed
 *   them: Mastodon turns a blank line into a new `<p>`); a list item starts a
 *   line with "- " (or "1. " in an ordered list);
 * - white space collapses as a browser would, except inside `<pre>`;
 * - entities are decoded, a no-break space becomes a plain space;
 * - a mention link becomes `@user@host` (see {@link HtmlToTextOptions});
 * - a hashtag link, an `xmpp:` link and any other link keep their text; the
 *   parts of a URL Mastodon hides (`invisible` spans) are part of the text, so
 *   a shortened URL comes out whole; a link text cut with "…" by its server
 *   (Friendica does this) is replaced by the full address;
 * - `<script>` and `<style>` are dropped, `<img>` gives its `alt` text, any
 *   other tag keeps its text.
 *
 * Never throws: malformed or empty HTML gives whatever text can be read.
 *
 * @module
 */

import { bareText, DROPPED_TAGS, type ElementNode, parseTree, type TreeNode } from "./html_tree.ts";
import { HTML_SPACE, TextWriter } from "./text_writer.ts";

/** A mention as the Mastodon API lists it beside the content (`status.mentions`). */
export interface MentionRef {
  /** Profile URL: the `href` of the mention link. */
  readonly url: string;
  /** `name` for an account of the reading server, `name@host` for a remote one. */
  readonly acct: string;
}

/** Optional knowledge that makes mentions exact. */
export interface HtmlToTextOptions {
  /**
   * The status's `mentions`. When a mention link's `href` equals one of their
   * `url`s, its `acct` gives the address instead of the link's host, which
   * matters for servers whose account domain differs from their web host.
   */
  readonly mentions?: readonly MentionRef[];
  /** Domain of the accounts of the reading server, for an `acct` without host. */
  readonly localDomain?: string;
}

const PARAGRAPH_TAGS: ReadonlySet<string> = new Set([
  "p",
  "div",
  "blockquote",
  "pre",
  "ul",
  "ol",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "section",
  "article",
  "header",
  "footer",
  "figure",
  "table",
  "hr",
]);
const LINE_TAGS: ReadonlySet<string> = new Set(["li", "tr", "dt", "dd", "figcaption"]);

function classTokens(element: ElementNode): string[] {
  return (element.attrs["class"] ?? "").toLowerCase().split(/[ \t\n\r\f]+/).filter((c) => c !== "");
}

function hasClass(element: ElementNode, name: string): boolean {
  return classTokens(element).includes(name);
}

function someDescendant(element: ElementNode, test: (e: ElementNode) => boolean): boolean {
  for (const child of element.children) {
    if (child.kind === "element" && (test(child) || someDescendant(child, test))) return true;
  }
  return false;
}

/** Text of a subtree into `out`, nothing dropped but scripts (one copy of each piece). */
function inlineText(node: TreeNode, out: string[]): void {
  if (node.kind === "text") out.push(node.text);
  else if (DROPPED_TAGS.has(node.name)) return;
  else if (node.name === "br") out.push(" ");
  else if (node.name === "img") out.push(node.attrs["alt"] ?? "");
  else for (const child of node.children) inlineText(child, out);
}

function linkText(element: ElementNode): string {
  const out: string[] = [];
  inlineText(element, out);
  return out.join("").replace(HTML_SPACE, " ").replaceAll("\u00a0", " ").trim();
}

function urlOf(href: string): URL | null {
  try {
    return new URL(href);
  } catch {
    return null;
  }
}

class Renderer {
  readonly #writer = new TextWriter();
  readonly #options: HtmlToTextOptions;
  #preDepth = 0;

  /** The status's mentions by profile URL (the first of each), looked up once per link. */
  readonly #mentionsByUrl = new Map<string, MentionRef>();

  constructor(options: HtmlToTextOptions) {
    this.#options = options;
    for (const m of options.mentions ?? []) {
      if (!this.#mentionsByUrl.has(m.url)) this.#mentionsByUrl.set(m.url, m);
    }
  }

  render(root: ElementNode): string {
    this.#children(root, []);
    return this.#writer.result();
  }

  #children(element: ElementNode, listCounters: number[]): void {
    for (const child of element.children) this.#node(child, listCounters);
  }

  #node(node: TreeNode, listCounters: number[]): void {
    if (node.kind === "text") {
      this.#writer.text(node.text, this.#preDepth > 0);
      return;
    }
    const name = node.name;
    if (DROPPED_TAGS.has(name)) return;
    if (name === "br") {
      this.#writer.lineBreak();
      return;
    }
    if (name === "img") {
      const alt = node.attrs["alt"];
      if (alt) this.#writer.text(alt);
      return;
    }
    if (name === "a") {
      this.#writer.text(this.#link(node));
      return;
    }
    if (name === "li") {
      this.#writer.softBreak(1);
      const depth = listCounters.length - 1;
      const counter = listCounters[depth];
      if (counter === undefined || counter < 0) {
        this.#writer.text("- ");
      } else {
        this.#writer.text(`${counter}. `);
        listCounters[depth] = counter + 1;
      }
      this.#children(node, listCounters);
      this.#writer.softBreak(1);
      return;
    }
    if (PARAGRAPH_TAGS.has(name)) {
      this.#writer.softBreak(2);
      let counters = listCounters;
      if (name === "ul") counters = [...listCounters, -1];
      if (name === "ol") {
        const start = Number.parseInt(node.attrs["start"] ?? "1", 10);
        counters = [...listCounters, Number.isFinite(start) ? start : 1];
      }
      if (name === "pre") this.#preDepth++;
      this.#children(node, counters);
      if (name === "pre") this.#preDepth--;
      this.#writer.softBreak(2);
      return;
    }
    if (LINE_TAGS.has(name)) {
      this.#writer.softBreak(1);
      this.#children(node, listCounters);
      this.#writer.softBreak(1);
      return;
    }
    this.#children(node, listCounters);
  }

  /** The text one `<a>` stands for. */
  #link(element: ElementNode): string {
    const text = linkText(element);
    const href = (element.attrs["href"] ?? "").trim();
    const classes = classTokens(element);
    const url = urlOf(href);
    const scheme = url?.protocol.toLowerCase() ?? "";

    if (classes.includes("hashtag") || /(^|\s)tag(\s|$)/i.test(element.attrs["rel"] ?? "")) {
      return text;
    }
    if (classes.includes("mention") || someDescendant(element, (e) => hasClass(e, "mention"))) {
      return this.#mention(text, href, url);
    }
    if (scheme === "xmpp:") {
      if (text === "") return href;
      // Some servers link a JID with its bare address as text: put the scheme
      // back so the address still reads as an XMPP recipient.
      const target = href.slice("xmpp:".length).split("?")[0] ?? "";
      return text.toLowerCase() === target.toLowerCase() ? `xmpp:${text}` : text;
    }
    if (scheme === "http:" || scheme === "https:") {
      if (text === "") return href;
      if (isCutCopyOf(text, href)) return href;
    }
    return text;
  }

  #mention(text: string, href: string, url: URL | null): string {
    const atCount = [...text].filter((c) => c === "@").length;
    const known = this.#mentionsByUrl.get(href);
    let address: string | null = null;
    if (known !== undefined && known.acct !== "") {
      const acct = known.acct.replace(/^@/, "");
      if (acct.includes("@")) address = acct;
      else if (this.#options.localDomain) address = `${acct}@${this.#options.localDomain}`;
    }
    const host = url?.hostname.toLowerCase() ?? "";
    if (atCount === 1 && text.startsWith("@") && text.length > 1) {
      if (address !== null) return `@${address}`;
      return host === "" ? text : `${text}@${host}`;
    }
    // Friendica of old puts the "@" before the link: `@<a ...>name</a>`.
    if (atCount === 0 && text !== "" && this.#writer.endsWith("@")) {
      if (address !== null) return address;
      return host === "" ? text : `${text}@${host}`;
    }
    return text;
  }
}

/** True when `text` is `href` shortened by its server and ended with an ellipsis. */
function isCutCopyOf(text: string, href: string): boolean {
  const match = /^(.*?)(…|\.\.\.)$/su.exec(text);
  if (match === null) return false;
  const strip = (s: string): string => s.replace(/^https?:\/\/(www\.)?/i, "");
  const head = strip(match[1] ?? "");
  return head !== "" && strip(href).startsWith(head);
}

/** Converts the HTML content of a status to plain text (see the module doc). */
export function htmlToText(html: string, options: HtmlToTextOptions = {}): string {
  try {
    return new Renderer(options).render(parseTree(html));
  } catch {
    // htmlparser2 recovers from any markup; this only guards against surprises.
    try {
      return bareText(html);
    } catch {
      return "";
    }
  }
}

/**
 * Cleans a plain-text field of a status (content warning, media description,
 * poll option): line endings unified, control characters removed, white space
 * at both ends trimmed. The text is not HTML: nothing is decoded.
 */
export function cleanPlainText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replaceAll("\u00a0", " ")
    .trim();
}
