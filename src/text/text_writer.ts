/**
 * The output side of src/text/html.ts: text collected in pieces, line breaks decided lazily.
 *
 * @module
 */

/** Collapsible HTML white space (no-break space is not part of it). */
export const HTML_SPACE = /[ \t\n\r\f]+/g;

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
export class TextWriter {
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
