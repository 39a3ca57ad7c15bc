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

import { Parser } from "htmlparser2";

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

interface ElementNode {
  readonly kind: "element";
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: TreeNode[];
}

interface TextNode {
  readonly kind: "text";
  readonly text: string;
}

type TreeNode = ElementNode | TextNode;

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
const DROPPED_TAGS: ReadonlySet<string> = new Set(["script", "style", "template", "head"]);

/** Collapsible HTML white space (no-break space is not part of it). */
const HTML_SPACE = /[ \t\n\r\f]+/g;

/** Deeper elements are flattened into their ancestor: the walk is recursive. */
const MAX_DEPTH = 100;

const PARSER_OPTIONS = { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true };

/** Parses HTML into a tree. htmlparser2 recovers from any input. */
function parseTree(html: string): ElementNode {
  const root: ElementNode = { kind: "element", name: "#root", attrs: {}, children: [] };
  const stack: ElementNode[] = [root];
  let flattened = 0;
  const top = (): ElementNode => stack[stack.length - 1] ?? root;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (stack.length > MAX_DEPTH) {
          flattened++;
          return;
        }
        const element: ElementNode = { kind: "element", name, attrs: attribs, children: [] };
        top().children.push(element);
        stack.push(element);
      },
      ontext(text) {
        top().children.push({ kind: "text", text });
      },
      onclosetag() {
        if (flattened > 0) flattened--;
        else if (stack.length > 1) stack.pop();
      },
    },
    PARSER_OPTIONS,
  );
  parser.write(html);
  parser.end();
  return root;
}

/** Only the text of the document, for the unexpected case where rendering fails. */
function bareText(html: string): string {
  let text = "";
  const parser = new Parser({ ontext: (chunk) => (text += chunk) }, PARSER_OPTIONS);
  parser.write(html);
  parser.end();
  return text.replace(/\s+/g, " ").trim();
}

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

/** Text of a subtree, white space collapsed, nothing dropped but scripts. */
function inlineText(node: TreeNode): string {
  if (node.kind === "text") return node.text;
  if (DROPPED_TAGS.has(node.name)) return "";
  if (node.name === "br") return " ";
  if (node.name === "img") return node.attrs["alt"] ?? "";
  return node.children.map(inlineText).join("");
}

function linkText(element: ElementNode): string {
  return inlineText(element).replace(HTML_SPACE, " ").replaceAll("\u00a0", " ").trim();
}

function urlOf(href: string): URL | null {
  try {
    return new URL(href);
  } catch {
    return null;
  }
}

/** Collects the output, deciding line breaks lazily so none lead or trail. */
class TextWriter {
  #out = "";
  #pendingBreaks = 0;

  /** Appends text; collapses white space unless `preformatted`. */
  text(raw: string, preformatted = false): void {
    let text = preformatted ? raw : raw.replace(HTML_SPACE, " ");
    if (text === "") return;
    if (!preformatted && this.#atLineStart() && this.#pendingBreaks === 0) {
      text = text.replace(/^ +/, "");
      if (text === "") return;
    }
    if (this.#pendingBreaks > 0) {
      if (this.#out !== "") this.#newlines(this.#pendingBreaks);
      this.#pendingBreaks = 0;
      if (!preformatted) text = text.replace(/^ +/, "");
      if (text === "") return;
    }
    if (!preformatted && text.startsWith(" ") && this.#out.endsWith(" ")) text = text.slice(1);
    this.#out += text.replaceAll("\u00a0", " ");
  }

  /** A hard line break (`<br>`). */
  lineBreak(): void {
    if (this.#pendingBreaks > 0 && this.#out !== "") this.#newlines(this.#pendingBreaks);
    this.#pendingBreaks = 0;
    this.#out = this.#out.replace(/ +$/, "") + "\n";
  }

  /** Asks for at least `count` line breaks before the next text. */
  softBreak(count: 1 | 2): void {
    this.#pendingBreaks = Math.max(this.#pendingBreaks, count);
  }

  /** True when the text written so far ends with `suffix`. */
  endsWith(suffix: string): boolean {
    return this.#pendingBreaks === 0 && this.#out.endsWith(suffix);
  }

  result(): string {
    return this.#out.split("\n").map((line) => line.replace(/[ \t]+$/, "")).join("\n")
      .replace(/^\n+/, "").replace(/\s+$/, "");
  }

  #atLineStart(): boolean {
    return this.#out === "" || this.#out.endsWith("\n");
  }

  #newlines(count: number): void {
    this.#out = this.#out.replace(/ +$/, "");
    const have = /\n*$/.exec(this.#out)?.[0].length ?? 0;
    if (count > have) this.#out += "\n".repeat(count - have);
  }
}

class Renderer {
  readonly #writer = new TextWriter();
  readonly #options: HtmlToTextOptions;
  #preDepth = 0;

  constructor(options: HtmlToTextOptions) {
    this.#options = options;
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
    const known = this.#options.mentions?.find((m) => m.url === href);
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
