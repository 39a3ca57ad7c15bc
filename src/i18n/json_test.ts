import assert from "node:assert/strict";
import { parseJson } from "./json.ts";

/** Each text is refused at that line and column, for a reason matching the pattern. */
function assertJsonErrors(cases: readonly [string, number, number, RegExp][]): void {
  for (const [text, line, column, reason] of cases) {
    const r = parseJson(text);
    assert.equal(r.ok, false, text);
    if (r.ok) continue;
    assert.deepEqual([r.line, r.column], [line, column], text);
    assert.match(r.reason, reason, text);
  }
}

Deno.test("parseJson: line and column of the first error, duplicates, BOM", () => {
  const cases: [string, number, number, RegExp][] = [
    ['{\n  "a": "b",\n  "c": }', 3, 8, /expected a value/],
    ['{\n  "a": "b",\n}', 3, 1, /trailing comma/],
    ['{\n  "a": "line\nbreak"\n}', 2, 13, /line break inside a string/],
    ["{\n  'a': 'b'\n}", 2, 3, /key in double quotes/],
    ['{ "a": "b" } x', 1, 14, /nothing more/],
    ['{ "a": "open', 1, 8, /never closed/],
    ['{ "a": "\\q" }', 1, 9, /backslash/],
    ["", 1, 1, /the end of the file/],
  ];
  assertJsonErrors(cases);
  const ok = parseJson(
    '\uFEFF{ "a": [1, -2.5e3, true, null, {"x": "\\u00e9"}], "b": "c", "a": 0 }',
  );
  assert.ok(ok.ok);
  if (ok.ok) {
    assert.deepEqual(ok.value, { a: 0, b: "c" });
    assert.deepEqual(ok.duplicates, [{ key: "a", line: 1, column: 60 }]);
  }
});

Deno.test("parseJson: bad words and numbers are named where they start, duplicates in text order", () => {
  const cases: [string, number, number, RegExp][] = [
    ["[1, tru, 2]", 1, 5, /expected a value but found "t"/],
    ['{"a": nu-ll}', 1, 7, /expected a value but found "n"/],
    ["[1.]", 1, 3, /expected "," or "]" but found "."/],
    ['{"a" "b"}', 1, 6, /expected ":" after the key/],
    ['{"a": 1 "b": 2}', 1, 9, /expected "," or "}" after the text/],
    ['{"a": "\\u12"}', 1, 8, /backslash/],
    ['{"a": "x\u0001"}', 1, 9, /control character/],
    ['{"a": "\\', 1, 8, /backslash/],
  ];
  assertJsonErrors(cases);
  const ok = parseJson('{"a": {"x": 1,\n "x": 2}, "a": 3}');
  assert.ok(ok.ok);
  if (ok.ok) {
    assert.deepEqual(ok.duplicates, [{ key: "x", line: 2, column: 2 }, {
      key: "a",
      line: 2,
      column: 11,
    }]);
  }
});
