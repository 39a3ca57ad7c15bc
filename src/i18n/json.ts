/**
 * JSON parsing for hand-edited locale files: `JSON.parse` does the work, and a
 * small scanner finds where a broken file breaks (line and column, which the
 * engine's messages give only sometimes) and which keys appear twice in one
 * object (where `JSON.parse` silently keeps the last one).
 */

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

export function parseJson(source: string): JsonResult {
  const text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const found = scan(text);
    if (found.error) {
      return { ok: false, reason: found.error.reason, ...position(text, found.error.at) };
    }
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const found = scan(text);
  // Should the scanner disagree with the engine on a valid file, trust the engine.
  const duplicates = found.error
    ? []
    : found.duplicates.map((d) => ({ key: d.key, ...position(text, d.at) }));
  return { ok: true, value, duplicates };
}

function position(text: string, at: number): JsonPosition {
  const before = text.slice(0, at);
  const lastBreak = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: at - lastBreak };
}

class Stop {
  constructor(readonly at: number, readonly reason: string) {}
}

interface ScanResult {
  error?: { at: number; reason: string };
  duplicates: { key: string; at: number }[];
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 256;

function scan(s: string): ScanResult {
  const duplicates: { key: string; at: number }[] = [];
  let i = 0;

  const describe = (at: number) =>
    at >= s.length ? "the end of the file" : `${JSON.stringify(s[at])}`;
  const skipSpace = () => {
    while (i < s.length && " \t\n\r".includes(s[i]!)) i++;
  };
  const expect = (what: string): never => {
    throw new Stop(i, `expected ${what} but found ${describe(i)}`);
  };

  const string = (): string => {
    const start = i++;
    for (;;) {
      if (i >= s.length) throw new Stop(start, "a string is opened here and never closed");
      const c = s[i]!;
      if (c === '"') {
        i++;
        return JSON.parse(s.slice(start, i)) as string;
      }
      if (c === "\\") {
        const n = s[i + 1];
        if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2;
        else if (n === "u" && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) i += 6;
        else throw new Stop(i, "a backslash that starts no valid escape (write \\\\ for one)");
        continue;
      }
      if (c < " ") {
        throw new Stop(
          i,
          c === "\n"
            ? "a line break inside a string (write \\n instead)"
            : "a control character inside a string",
        );
      }
      i++;
    }
  };

  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new Stop(i, "values nested too deeply");
    skipSpace();
    const c = s[i];
    if (c === "{") return object(depth);
    if (c === "[") return array(depth);
    if (c === '"') {
      string();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (c !== undefined && NUMBER.test(s)) {
      i = NUMBER.lastIndex;
      return;
    }
    expect("a value");
  };

  const object = (depth: number): void => {
    i++;
    const seen = new Set<string>();
    skipSpace();
    if (s[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (s[i] !== '"') expect("a key in double quotes");
      const at = i;
      const key = string();
      if (seen.has(key)) duplicates.push({ key, at });
      seen.add(key);
      skipSpace();
      if (s[i] !== ":") expect('":" after the key');
      i++;
      value(depth + 1);
      skipSpace();
      if (s[i] === "}") {
        i++;
        return;
      }
      if (s[i] !== ",") expect('"," or "}" after the text');
      i++;
      skipSpace();
      if (s[i] === "}") throw new Stop(i, 'a "," before "}" (JSON allows no trailing comma)');
    }
  };

  const array = (depth: number): void => {
    i++;
    skipSpace();
    if (s[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      value(depth + 1);
      skipSpace();
      if (s[i] === "]") {
        i++;
        return;
      }
      if (s[i] !== ",") expect('"," or "]"');
      i++;
    }
  };

  try {
    value(0);
    skipSpace();
    if (i < s.length) expect("nothing more after the end of the JSON value");
    return { duplicates };
  } catch (e) {
    if (e instanceof Stop) return { error: { at: e.at, reason: e.reason }, duplicates };
    throw e;
  }
}
