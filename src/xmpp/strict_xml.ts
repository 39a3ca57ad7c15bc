/**
 * A strict reader of one serialised XML element, for tests: it accepts exactly what an XML 1.0
 * parser such as Prosody's (expat) accepts for the stanzas we write, and throws on anything else:
 * a character outside the `Char` production (also through a character reference), a raw `<` or
 * `&` in text or attribute values, an unknown entity, a duplicate attribute, mismatched tags.
 * ltx's own parser is lenient about these, so it cannot tell whether a stanza would close the
 * stream.
 *
 * @module
 */

/** A parsed element: attribute values after XML attribute-value normalisation. */
export interface StrictElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: (StrictElement | string)[];
}

const CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const NAME = /[A-Za-z_:][A-Za-z0-9._:-]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Parses `xml` (one element, nothing around it) or throws an error saying what is wrong. */
export function parseStrictXml(xml: string): StrictElement {
  if (!CHAR.test(xml)) {
    const bad = [...xml].find((c) => !CHAR.test(c)) ?? "";
    throw new Error(`character U+${bad.codePointAt(0)?.toString(16)} is not allowed in XML 1.0`);
  }
  const reader = new Reader(xml);
  const root = reader.element();
  if (reader.pos !== xml.length) throw new Error(`text after the root element at ${reader.pos}`);
  return root;
}

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(what: string): never {
    throw new Error(
      `${what} at ${this.pos}: ${JSON.stringify(this.src.slice(this.pos, this.pos + 20))}`,
    );
  }

  expect(text: string): void {
    if (!this.src.startsWith(text, this.pos)) this.fail(`expected ${JSON.stringify(text)}`);
    this.pos += text.length;
  }

  match(re: RegExp): string {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    const text = m?.[0] ?? "";
    this.pos += text.length;
    return text;
  }

  name(): string {
    const name = this.match(NAME);
    if (name === "") this.fail("expected a name");
    return name;
  }

  element(): StrictElement {
    this.expect("<");
    const name = this.name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const space = this.match(SPACE);
      if (this.src.startsWith("/>", this.pos)) {
        this.pos += 2;
        return { name, attrs, children: [] };
      }
      if (this.src.startsWith(">", this.pos)) {
        this.pos += 1;
        break;
      }
      if (space === "") this.fail("expected white space before an attribute");
      const attr = this.name();
      if (Object.hasOwn(attrs, attr)) this.fail(`duplicate attribute ${attr}`);
      this.match(SPACE);
      this.expect("=");
      this.match(SPACE);
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") this.fail("expected a quoted attribute value");
      this.pos++;
      const end = this.src.indexOf(quote, this.pos);
      if (end < 0) this.fail("unterminated attribute value");
      const raw = this.src.slice(this.pos, end);
      if (raw.includes("<")) this.fail("raw < in an attribute value");
      // Attribute-value normalisation: each white space character becomes a space.
      attrs[attr] = this.references(raw.replace(/[\t\n\r]/g, " "));
      this.pos = end + 1;
    }
    const children: (StrictElement | string)[] = [];
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`unclosed <${name}>`);
      if (this.src.startsWith("</", this.pos)) {
        this.pos += 2;
        if (this.name() !== name) this.fail(`mismatched end tag for <${name}>`);
        this.match(SPACE);
        this.expect(">");
        return { name, attrs, children };
      }
      if (this.src[this.pos] === "<") {
        children.push(this.element());
        continue;
      }
      const next = this.src.indexOf("<", this.pos);
      const raw = this.src.slice(this.pos, next < 0 ? this.src.length : next);
      if (raw.includes("]]>")) this.fail("]]> in text");
      const text = this.references(raw);
      const last = children[children.length - 1];
      if (typeof last === "string") children[children.length - 1] = last + text;
      else children.push(text);
      this.pos += raw.length;
    }
  }

  /** Replaces the references in `raw`; throws on a bare `&` or a reference to a non-Char. */
  references(raw: string): string {
    return raw.replace(/&([^;]*);|&/g, (whole, body: string | undefined) => {
      if (body === undefined) this.fail("bare & (not a reference)");
      const named = ENTITIES[body];
      if (named !== undefined) return named;
      const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
      if (m === null) this.fail(`unknown entity ${whole}`);
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : "";
      if (ch === "" || !CHAR.test(ch) || (cp >= 0xd800 && cp <= 0xdfff)) {
        this.fail(`character reference ${whole} names no XML 1.0 character`);
      }
      return ch;
    });
  }
}
