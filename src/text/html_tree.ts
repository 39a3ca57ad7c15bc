/**
 * HTML into a small tree, in time linear in the input however it is nested: the reading half of
 * src/text/html.ts.
 *
 * @module
 */
import { Tokenizer } from "htmlparser2";

/** An element of the tree. */
export interface ElementNode {
  readonly kind: "element";
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: TreeNode[];
}

/** A run of text (entities decoded). */
export interface TextNode {
  readonly kind: "text";
  readonly text: string;
}

/** A node of the tree. */
export type TreeNode = ElementNode | TextNode;

/** Elements whose text is dropped. */
export const DROPPED_TAGS: ReadonlySet<string> = new Set(["script", "style", "template", "head"]);

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
export function parseTree(html: string): ElementNode {
  const tree = new TreeBuilder();
  let tagName = "";
  let attrs: Record<string, string> = {};
  let attrName = "";
  let attrValue = "";
  const slice = (start: number, end: number): string => html.slice(start, end);
  const ignore = (): void => {};
  const tokenizer = new Tokenizer({ decodeEntities: true }, {
    ontext: (start, end) => tree.addText(slice(start, end)),
    ontextentity: (codePoint) => tree.addText(String.fromCodePoint(codePoint)),
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
    onopentagend: () => tree.openElement(tagName, attrs),
    onselfclosingtag: () => tree.selfClosing(tagName, attrs),
    onclosetag: (start, end) => tree.closeElement(slice(start, end).toLowerCase()),
    // CDATA is text in SVG and MathML, a comment elsewhere.
    oncdata: (start, end, offset) => {
      if (tree.inForeign()) tree.addText(slice(start, end - offset));
    },
    isInForeignContext: () => tree.inForeign(),
    oncomment: ignore,
    ondeclaration: ignore,
    onprocessinginstruction: ignore,
    onend: ignore,
  });
  tokenizer.write(html);
  tokenizer.end();
  return tree.root;
}

/** The tree under construction and its stack of open elements (see {@link parseTree}). */
class TreeBuilder {
  readonly root: ElementNode = { kind: "element", name: "#root", attrs: {}, children: [] };
  /** Open elements, innermost last; `node` is null for a flattened one. */
  readonly #open: { name: string; node: ElementNode | null; foreign: string | null }[] = [];
  /** For each open SVG/MathML root or HTML island in one: `svg`, `math` or `html`. */
  readonly #foreign: string[] = [];
  /** How many elements of each name are open. */
  readonly #openCount = new Map<string, number>();
  /** The tree nodes of the open elements that were not flattened; root first. */
  readonly #nodes: ElementNode[] = [this.root];
  /** Open flattened elements whose text is dropped. */
  #droppedOpen = 0;

  /** Whether the innermost open context is SVG or MathML. */
  inForeign(): boolean {
    const foreign = this.#foreign;
    return foreign.length > 0 && foreign[foreign.length - 1] !== "html";
  }

  addText(text: string): void {
    if (this.#droppedOpen > 0 || text === "") return;
    this.#top().children.push({ kind: "text", text });
  }

  openElement(name: string, attributes: Record<string, string>): void {
    const open = this.#open;
    if (name === "form" && (this.#openCount.get("form") ?? 0) > 0) return;
    const ends = IMPLIED_ENDS.get(name);
    while (ends !== undefined && open.length > 0 && ends.has(open[open.length - 1]!.name)) {
      this.#pop();
    }
    if (VOID_TAGS.has(name)) {
      this.#append(name, attributes);
      return;
    }
    let foreignState: string | null = null;
    const context = this.#foreign[this.#foreign.length - 1];
    if (HTML_INSIDE_FOREIGN.has(name)) foreignState = name;
    else if (context !== undefined && HTML_INSIDE_FOREIGN.get(context)?.has(name)) {
      foreignState = "html";
    }
    if (foreignState !== null) this.#foreign.push(foreignState);
    let node: ElementNode | null = null;
    if (this.#nodes.length <= MAX_DEPTH && this.#droppedOpen === 0) {
      node = { kind: "element", name, attrs: attributes, children: [] };
      this.#top().children.push(node);
      this.#nodes.push(node);
    } else if (DROPPED_TAGS.has(name)) {
      this.#droppedOpen++;
    }
    open.push({ name, node, foreign: foreignState });
    this.#openCount.set(name, (this.#openCount.get(name) ?? 0) + 1);
  }

  /** `<x/>`: closes itself inside SVG or MathML; elsewhere in HTML it opens like `<x>`. */
  selfClosing(name: string, attributes: Record<string, string>): void {
    const closes = this.inForeign();
    const depth = this.#open.length;
    this.openElement(name, attributes);
    if (closes && this.#open.length > depth) this.#pop();
  }

  closeElement(name: string): void {
    const open = this.#open;
    if ((this.#openCount.get(name) ?? 0) > 0) {
      // Each open element is popped once: linear over the whole document.
      while (open.length > 0 && open[open.length - 1]!.name !== name) this.#pop();
      this.#pop();
    } else if (name === "br") {
      this.#append("br", {});
    } else if (name === "p") {
      // A stray `</p>` is an empty paragraph in HTML.
      this.#append("p", {});
    }
  }

  #top(): ElementNode {
    return this.#nodes[this.#nodes.length - 1]!;
  }

  #pop(): void {
    const element = this.#open.pop();
    if (element === undefined) return;
    this.#openCount.set(element.name, (this.#openCount.get(element.name) ?? 1) - 1);
    if (element.foreign !== null) this.#foreign.pop();
    if (element.node !== null) this.#nodes.pop();
    else if (DROPPED_TAGS.has(element.name)) this.#droppedOpen--;
  }

  #append(name: string, attributes: Record<string, string>): void {
    const element: ElementNode = { kind: "element", name, attrs: attributes, children: [] };
    if (this.#droppedOpen === 0) this.#top().children.push(element);
  }
}

/** Only the text of the document, for the unexpected case where rendering fails. */
export function bareText(html: string): string {
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
