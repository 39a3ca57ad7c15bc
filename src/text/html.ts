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

import { Tokenizer } from "htmlparser2";

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

/** Elements that never have content (HTML's void elements, old ones included). */
const VOID_TAGS: ReadonlySet<string> = new Set(
  "area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr"
    .split(" "),
);

/**
 * HTML's implied end tags: opening the key ends the open elements named in its value while one of
 * them is the innermost (`<p>a<p>b` is two paragraphs, `<li>` ends the item before it).
 */
const IMPLIED_ENDS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const rules: [string, string][] = [
    [
      "address article aside blockquote details div dl fieldset figcaption figure footer form " +
      "header hr main nav ol p pre section table ul",
      "p",
    ],
    ["h1 h2 h3 h4 h5 h6", "h1 h2 h3 h4 h5 h6 p"],
    ["a", "a"],
    ["li", "li"],
    ["dd dt", "dd dt"],
    ["tr", "tr th td"],
    ["th", "th"],
    ["td", "thead th td"],
    ["tbody tfoot", "thead tbody"],
    ["body", "head link script"],
    ["option", "option"],
    ["optgroup", "optgroup option"],
    [
      "select input output button datalist textarea",
      "input option optgroup select button datalist textarea",
    ],
    ["rt rp", "rt rp"],
  ];
  const map = new Map<string, ReadonlySet<string>>();
  for (const [opened, ended] of rules) {
    for (const name of opened.split(" ")) map.set(name, new Set(ended.split(" ")));
  }
  return map;
})();

/**
 * SVG and MathML (inside them `<x/>` closes itself and CDATA is text, as in HTML), with their
 * elements whose content is HTML again.
 */
const HTML_INSIDE_FOREIGN: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["svg", new Set(["foreignobject", "desc", "title"])],
  ["math", new Set(["mi", "mo", "mn", "ms", "mtext", "annotation-xml"])],
]);

/**
 * Parses HTML into a tree, from htmlparser2's tokenizer (which decodes entities and recovers from
 * any markup). The tree is built here rather than by htmlparser2's parser, whose stack of open
 * elements costs time in proportion to its depth at every tag: deeply nested hostile HTML would
 * take quadratic time. Here every tag costs constant time (amortised): the open elements are a
 * stack with a count per name, elements deeper than {@link MAX_DEPTH} are flattened into their
 * ancestor (their text stays, the text of a flattened `<script>` or `<style>` is dropped).
 */
function parseTree(html: string): ElementNode {
  const root: ElementNode = { kind: "element", name: "#root", attrs: {}, children: [] };
  /** Open elements, innermost last; `node` is null for a flattened one. */
  const open: { name: string; node: ElementNode | null; foreign: string | null }[] = [];
  /** For each open SVG/MathML root or HTML island in one: `svg`, `math` or `html`. */
  const foreign: string[] = [];
  const inForeign = (): boolean => foreign.length > 0 && foreign[foreign.length - 1] !== "html";
  /** How many elements of each name are open. */
  const openCount = new Map<string, number>();
  /** The tree nodes of the open elements that were not flattened; root first. */
  const nodes: ElementNode[] = [root];
  /** Open flattened elements whose text is dropped. */
  let droppedOpen = 0;

  let tagName = "";
  let attrs: Record<string, string> = {};
  let attrName = "";
  let attrValue = "";

  const top = (): ElementNode => nodes[nodes.length - 1]!;
  const addText = (text: string): void => {
    if (droppedOpen > 0 || text === "") return;
    top().children.push({ kind: "text", text });
  };
  const pop = (): void => {
    const element = open.pop();
    if (element === undefined) return;
    openCount.set(element.name, (openCount.get(element.name) ?? 1) - 1);
    if (element.foreign !== null) foreign.pop();
    if (element.node !== null) nodes.pop();
    else if (DROPPED_TAGS.has(element.name)) droppedOpen--;
  };
  const appendElement = (name: string, attributes: Record<string, string>): void => {
    const element: ElementNode = { kind: "element", name, attrs: attributes, children: [] };
    if (droppedOpen === 0) top().children.push(element);
  };
  const openElement = (name: string, attributes: Record<string, string>): void => {
    if (name === "form" && (openCount.get("form") ?? 0) > 0) return;
    const ends = IMPLIED_ENDS.get(name);
    while (ends !== undefined && open.length > 0 && ends.has(open[open.length - 1]!.name)) pop();
    if (VOID_TAGS.has(name)) {
      appendElement(name, attributes);
      return;
    }
    let foreignState: string | null = null;
    const context = foreign[foreign.length - 1];
    if (HTML_INSIDE_FOREIGN.has(name)) foreignState = name;
    else if (context !== undefined && HTML_INSIDE_FOREIGN.get(context)?.has(name)) {
      foreignState = "html";
    }
    if (foreignState !== null) foreign.push(foreignState);
    let node: ElementNode | null = null;
    if (nodes.length <= MAX_DEPTH && droppedOpen === 0) {
      node = { kind: "element", name, attrs: attributes, children: [] };
      top().children.push(node);
      nodes.push(node);
    } else if (DROPPED_TAGS.has(name)) {
      droppedOpen++;
    }
    open.push({ name, node, foreign: foreignState });
    openCount.set(name, (openCount.get(name) ?? 0) + 1);
  };
  /** `<x/>`: closes itself inside SVG or MathML; elsewhere in HTML it opens like `<x>`. */
  const selfClosing = (name: string, attributes: Record<string, string>): void => {
    const closes = inForeign();
    const depth = open.length;
    openElement(name, attributes);
    if (closes && open.length > depth) pop();
  };
  const closeElement = (name: string): void => {
    if ((openCount.get(name) ?? 0) > 0) {
      // Each open element is popped once: linear over the whole document.
      while (open.length > 0 && open[open.length - 1]!.name !== name) pop();
      pop();
    } else if (name === "br") {
      appendElement("br", {});
    } else if (name === "p") {
      // A stray `</p>` is an empty paragraph in HTML.
      appendElement("p", {});
    }
  };

  const slice = (start: number, end: number): string => html.slice(start, end);
  const ignore = (): void => {};
  const tokenizer = new Tokenizer({ decodeEntities: true }, {
    ontext: (start, end) => addText(slice(start, end)),
    ontextentity: (codePoint) => addText(String.fromCodePoint(codePoint)),
    onopentagname: (start, end) => {
      tagName = slice(start, end).toLowerCase();
      attrs = {};
    },
    onattribname: (start, end) => {
      attrName = slice(start, end).toLowerCase();
      attrValue = "";
    },
    onattribdata: (start, end) => {
      attrValue += slice(start, end);
    },
    onattribentity: (codePoint) => {
      attrValue += String.fromCodePoint(codePoint);
    },
    onattribend: () => {
      if (!Object.hasOwn(attrs, attrName)) {
        Object.defineProperty(attrs, attrName, {
          value: attrValue,
          enumerable: true,
          writable: true,
        });
      }
      attrValue = "";
    },
    onopentagend: () => openElement(tagName, attrs),
    onselfclosingtag: () => selfClosing(tagName, attrs),
    onclosetag: (start, end) => closeElement(slice(start, end).toLowerCase()),
    // CDATA is text in SVG and MathML, a comment elsewhere.
    oncdata: (start, end, offset) => {
      if (inForeign()) addText(slice(start, end - offset));
    },
    isInForeignContext: inForeign,
    oncomment: ignore,
    ondeclaration: ignore,
    onprocessinginstruction: ignore,
    onend: ignore,
  });
  tokenizer.write(html);
  tokenizer.end();
  return root;
}

/** Only the text of the document, for the unexpected case where rendering fails. */
function bareText(html: string): string {
  const parts: string[] = [];
  const tokenizer = new Tokenizer({ decodeEntities: true }, {
    ontext: (start, end) => parts.push(html.slice(start, end)),
    ontextentity: (codePoint) => parts.push(String.fromCodePoint(codePoint)),
    onattribdata: () => {},
    onattribentity: () => {},
    onattribend: () => {},
    onattribname: () => {},
    oncdata: () => {},
    onclosetag: () => {},
    oncomment: () => {},
    ondeclaration: () => {},
    onend: () => {},
    onopentagend: () => {},
    onopentagname: () => {},
    onprocessinginstruction: () => {},
    onselfclosingtag: () => {},
  });
  tokenizer.write(html);
  tokenizer.end();
  return parts.join("").replace(/\s+/g, " ").trim();
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

/** `text` without the spaces and tabs at its end (no regular expression: `/[ \t]+$/` is quadratic). */
function trimSpacesEnd(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * Collects the output, deciding line breaks lazily so none lead or trail. The text is kept in
 * pieces, and only its end is ever looked at or changed, so writing costs time in proportion to
 * what is written, however long the text already is.
 */
class TextWriter {
  /** The output so far; no piece is empty. */
  readonly #parts: string[] = [];
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
      if (this.#parts.length > 0) this.#newlines(this.#pendingBreaks);
      this.#pendingBreaks = 0;
      if (!preformatted) text = text.replace(/^ +/, "");
      if (text === "") return;
    }
    if (!preformatted && text.startsWith(" ") && this.#tail(1) === " ") text = text.slice(1);
    if (text !== "") this.#parts.push(text.replaceAll("\u00a0", " "));
  }

  /** A hard line break (`<br>`). */
  lineBreak(): void {
    if (this.#pendingBreaks > 0 && this.#parts.length > 0) this.#newlines(this.#pendingBreaks);
    this.#pendingBreaks = 0;
    this.#trimSpaces();
    this.#parts.push("\n");
  }

  /** Asks for at least `count` line breaks before the next text. */
  softBreak(count: 1 | 2): void {
    this.#pendingBreaks = Math.max(this.#pendingBreaks, count);
  }

  /** True when the text written so far ends with `suffix`. */
  endsWith(suffix: string): boolean {
    return this.#pendingBreaks === 0 && this.#tail(suffix.length) === suffix;
  }

  result(): string {
    return this.#parts.join("").split("\n").map(trimSpacesEnd).join("\n")
      .replace(/^\n+/, "").trimEnd();
  }

  /** The last `count` characters written (fewer when less was written). */
  #tail(count: number): string {
    let tail = "";
    for (let i = this.#parts.length - 1; i >= 0 && tail.length < count; i--) {
      const part = this.#parts[i]!;
      const need = count - tail.length;
      tail = (part.length > need ? part.slice(part.length - need) : part) + tail;
    }
    return tail;
  }

  #atLineStart(): boolean {
    return this.#parts.length === 0 || this.#tail(1) === "\n";
  }

  /** Removes the spaces at the end; each one is removed once, so this is linear overall. */
  #trimSpaces(): void {
    while (this.#parts.length > 0) {
      const last = this.#parts[this.#parts.length - 1]!;
      let end = last.length;
      while (end > 0 && last[end - 1] === " ") end--;
      if (end === last.length) return;
      if (end > 0) {
        this.#parts[this.#parts.length - 1] = last.slice(0, end);
        return;
      }
      this.#parts.pop();
    }
  }

  #newlines(count: number): void {
    this.#trimSpaces();
    const tail = this.#tail(count);
    let have = 0;
    while (have < tail.length && tail[tail.length - 1 - have] === "\n") have++;
    if (count > have) this.#parts.push("\n".repeat(count - have));
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
