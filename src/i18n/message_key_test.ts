import assert from "node:assert/strict";
import { loadTranslations, type MessageKey } from "./mod.ts";
import en from "../../locales/en.json" with { type: "json" };

const i18n = loadTranslations({
  translationDir: null,
  unknownLanguage: "en",
  defaultLanguage: "en",
});

Deno.test("message keys are typed from locales/en.json: a misspelt key is a type error", () => {
  const known: MessageKey = "help.intro";
  assert.ok(known in en);
  assert.notEqual(i18n.t("en", known), known);
  // `deno test` type-checks this file: if keys were plain text again, the directive below
  // would be unused, and that is an error.
  // @ts-expect-error "help.intor" is not a key of locales/en.json
  const misspelt = i18n.t("en", "help.intor");
  assert.match(misspelt, /help\.intor/, "at run time a missing key still shows itself");
});
