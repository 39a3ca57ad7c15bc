import assert from "node:assert/strict";
import { normalizeLanguage } from "./mod.ts";
import { formatTemplate, parseTemplate } from "./template.ts";

Deno.test("templates: named placeholders and doubled braces", () => {
  const t = parseTemplate("{{a}} {b} }}{c}{{");
  assert.deepEqual([...t.names], ["b", "c"]);
  assert.deepEqual(t.errors, []);
  assert.deepEqual(formatTemplate(t, { b: "B", c: 3 }), { text: "{a} B }3{", missing: [] });
  assert.deepEqual(formatTemplate(t, { b: "{c}" }), { text: "{a} {c} }{c}{", missing: ["c"] });
  assert.equal(parseTemplate("{ x").errors.length, 1);
});

Deno.test("normalizeLanguage", () => {
  const langs = ["de", "en", "pt", "pt-BR", "zh-Hant"];
  const cases: [string | null | undefined, string | null][] = [
    ["DE", "de"],
    ["de-DE", "de"],
    ["de_DE", "de"],
    ["de_DE.UTF-8", "de"],
    ["pt-br", "pt-BR"],
    ["PT_BR", "pt-BR"],
    ["pt-PT", "pt"],
    ["zh-hant-tw", "zh-Hant"],
    ["zh-TW", "zh-Hant"],
    ["fr", null],
    ["", null],
    [null, null],
    ["und", null],
    ["e", null],
    ["english", null],
  ];
  for (const [code, want] of cases) {
    assert.equal(normalizeLanguage(code, langs), want, String(code));
  }
  assert.equal(normalizeLanguage("pt", ["pt-BR"]), "pt-BR");
});
