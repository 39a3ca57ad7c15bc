/**
 * JSON parsing for hand-edited locale files. `JSON.parse` decides what is valid; the `yaml`
 * parser (JSON is YAML) finds keys that appear twice in one object, which `JSON.parse` silently
 * resolves to the last one. For a broken file, where it breaks is the shortest prefix that
 * `JSON.parse` rejects for a reason other than running out of text (found by bisection), and
 * why is read from what stands there: the engine's own messages name neither the line nor,
 * always, the place.
 */
import { isScalar, LineCounter, parseDocument, visit } from "yaml";

export interface JsonPosition {
  readonly line: number;
  readonly column: number;
}

export type JsonResult =
  | {
    readonly ok: true;
    readonly value: unknown;
    readonly duplicates: ReadonlyArray<JsonPosition & { readonly key: string }>;
  }
  | ({ readonly ok: false; readonly reason: string } & Partial<JsonPosition>);

/** Parses `source` (a leading byte-order mark is allowed). */
export function parseJson(source: string): JsonResult {
  const text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { at, reason } = explain(text, firstBadIndex(text));
    return { ok: false, reason, ...position(text, at) };
  }
  return { ok: true, value, duplicates: duplicateKeys(text) };
}

function position(text: string, at: number): JsonPosition {
  const before = text.slice(0, at);
  return { line: before.split("\n").length, column: at - before.lastIndexOf("\n") };
}

/** Every key found again in the same object, with the place of the repeated one. */
function duplicateKeys(text: string): (JsonPosition & { key: string })[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const found: (JsonPosition & { key: string })[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value) && key.range) {
          const { line, col } = lines.linePos(key.range[0]);
          found.push({ key: String(key.value), line, column: col });
        }
        seen.add(key.value);
      }
    },
  });
  // Should the two parsers disagree on a valid file, trust JSON.parse and report nothing.
  if (doc.errors.length > 0) return [];
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Whether `JSON.parse` rejects the prefix for what it holds, not for where it stops. */
function wrongSoFar(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/end of JSON input/.test(message)) return false;
    const at = /at position (\d+)/.exec(message);
    return at === null || Number(at[1]) < prefix.length;
  }
}

/** The index of the first character that makes the text invalid (its length: it ends early). */
function firstBadIndex(text: string): number {
  let low = 1;
  let high = text.length + 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (wrongSoFar(text.slice(0, mid))) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}

type Problem = { at: number; reason: string };

interface Context {
  /** The last character before the place that is not white space or inside a string. */
  readonly prev: string;
  /** The innermost open object or array. */
  readonly top: { object: boolean; afterKey: boolean } | undefined;
  /** Whether a whole value stands before the place. */
  readonly done: boolean;
}

/** Says what was expected at `bad`, the first character `JSON.parse` rejects. */
function explain(text: string, bad: number): Problem {
  const context = contextAt(text, bad);
  if ("reason" in context) return context;
  // A word or number that starts well and then goes wrong is named at its start, as a bad value;
  // a number followed by a stray character ends at its longest valid part.
  let start = bad;
  while (start > 0 && SCALAR_CHAR.test(text[start - 1]!)) start--;
  if (start === bad) return expectation(text, bad, context);
  const word = ["true", "false", "null"].find((w) => text.startsWith(w, start));
  NUMBER.lastIndex = start;
  const end = word ? start + word.length : NUMBER.test(text) ? NUMBER.lastIndex : start;
  if (end === start) {
    return { at: start, reason: `expected a value but found ${found(text, start)}` };
  }
  if (end === bad) return expectation(text, bad, context);
  return expectation(text, end, contextAt(text, end) as Context);
}

const SCALAR_CHAR = /[A-Za-z0-9.+-]/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function found(text: string, at: number): string {
  return at >= text.length ? "the end of the file" : JSON.stringify(text[at]);
}

function expectation(text: string, at: number, { prev, top, done }: Context): Problem {
  if (prev === "," && top?.object && text[at] === "}") {
    return { at, reason: 'a "," before "}" (JSON allows no trailing comma)' };
  }
  const expected = prev === ""
    ? "a value"
    : done
    ? "nothing more after the end of the JSON value"
    : expectedIn(top, prev);
  return { at, reason: `expected ${expected} but found ${found(text, at)}` };
}

/** Walks the (valid) text before `at`; a problem when `at` lies inside a string. */
function contextAt(text: string, at: number): Context | Problem {
  const stack: { object: boolean; afterKey: boolean }[] = [];
  let prev = "";
  let done = false;
  for (let i = 0; i < at; i++) {
    const c = text[i]!;
    if (" \t\n\r".includes(c)) continue;
    if (c === '"') {
      const string = stringAt(text, i, at);
      if (string.end === null) return string.problem;
      i = string.end;
    }
    const top = stack.at(-1);
    if (c === "{" || c === "[") stack.push({ object: c === "{", afterKey: false });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ":" && top) top.afterKey = false;
    else if (c === '"' && top?.object && (prev === "{" || prev === ",")) top.afterKey = true;
    prev = c;
    done = stack.length === 0;
  }
  return { prev, top: stack.at(-1), done };
}

/** What may follow `prev` inside the innermost open object or array. */
function expectedIn(top: Context["top"], prev: string): string {
  if (prev === ":" || prev === "[" || (prev === "," && !top?.object)) return "a value";
  if (prev === "{" || prev === ",") return "a key in double quotes";
  if (top?.afterKey) return '":" after the key';
  return top?.object ? '"," or "}" after the text' : '"," or "]"';
}

/**
 * The string starting at `start`: its closing quote, or (`end` null) what is wrong in it when
 * the first bad character `bad` lies inside it.
 */
function stringAt(
  text: string,
  start: number,
  bad: number,
): { end: number; problem?: never } | { end: null; problem: Problem } {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      const escapeEnd = i + (text[i + 1] === "u" ? 5 : 1);
      if (bad > i && bad <= escapeEnd) {
        const reason = "a backslash that starts no valid escape (write \\\\ for one)";
        return { end: null, problem: { at: i, reason } };
      }
      i++;
    } else if (c === '"') return { end: i };
    else if (i === bad) {
      const reason = c === "\n"
        ? "a line break inside a string (write \\n instead)"
        : "a control character inside a string";
      return { end: null, problem: { at: i, reason } };
    }
  }
  return { end: null, problem: { at: start, reason: "a string is opened here and never closed" } };
}
