import assert from "node:assert/strict";
import { checkCatalog, createI18n } from "./mod.ts";
import { BUILTIN_CATALOGS, REFERENCE_LANGUAGE } from "./mod.ts";

Deno.test("the seven shipped languages load with no problem", () => {
  const i18n = createI18n({
    builtin: BUILTIN_CATALOGS,
    reference: REFERENCE_LANGUAGE,
    unknownLanguage: "en",
    defaultLanguage: "en",
  });
  assert.deepEqual(i18n.languages(), ["de", "en", "es", "fr", "it", "nl", "pt"]);
  assert.deepEqual(i18n.problems.map((p) => p.message), []);
});

Deno.test("a copy of en missing one key or one placeholder fails the check, naming it", () => {
  const en = BUILTIN_CATALOGS.en!;
  const [key] = Object.entries(en).find(([, text]) => /\{\w+\}/.test(text))!;
  const placeholder = /\{(\w+)\}/.exec(en[key]!)![1]!;

  const withoutKey = { ...en };
  delete withoutKey[key];
  const missing = checkCatalog(en, withoutKey, "copy.json");
  assert.equal(missing.length, 1);
  assert.equal(missing[0]!.file, "copy.json");
  assert.equal(missing[0]!.key, key);
  assert.match(missing[0]!.message, /copy\.json/);
  assert.ok(missing[0]!.message.includes(key));

  const withoutPlaceholder = { ...en, [key]: en[key]!.replace(`{${placeholder}}`, "") };
  const found = checkCatalog(en, withoutPlaceholder, "copy.json");
  assert.equal(found.length, 1);
  assert.equal(found[0]!.key, key);
  assert.equal(found[0]!.placeholder, placeholder);
  assert.ok(
    found[0]!.message.includes(`{${placeholder}}`) || found[0]!.message.includes(placeholder),
  );
});
