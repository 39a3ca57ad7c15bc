import assert from "node:assert/strict";
import { type Catalog, checkCatalog, createI18n, type I18nOptions, type Problem } from "./mod.ts";

/** Every temporary folder of this file lives here and goes at the end. */
const TMP = Deno.makeTempDirSync({ prefix: "i18n_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

const fixture = (rel: string) =>
  decodeURIComponent(new URL(`../../tests/fixtures/${rel}`, import.meta.url).pathname);
const loadCatalog = (rel: string): Catalog => JSON.parse(Deno.readTextFileSync(fixture(rel)));

const EN = loadCatalog("locales/en.json");
const FR = loadCatalog("locales/fr.json");
const DE = loadCatalog("locales/de.json");
const BUILTIN = { en: EN, fr: FR, de: DE };

function make(extra: Partial<I18nOptions> = {}) {
  const runtime: Problem[] = [];
  const i18n = createI18n({
    builtin: BUILTIN,
    reference: "en",
    unknownLanguage: "en",
    defaultLanguage: "en",
    onProblem: (p) => runtime.push(p),
    ...extra,
  });
  return { i18n, runtime };
}

function tempDir(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ dir: TMP });
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${name}`, text);
  return dir;
}

const kinds = (ps: readonly Problem[]) => ps.map((p) => p.kind);

Deno.test("checkCatalog: a faithful copy of the reference passes", () => {
  assert.deepEqual(checkCatalog(EN, { ...EN }, "copy.json"), []);
  assert.deepEqual(checkCatalog(EN, FR, "locales/fr.json"), []);
  assert.deepEqual(checkCatalog(EN, DE, "locales/de.json"), []);
});

Deno.test("checkCatalog: a removed key is named with its file", () => {
  const copy: Record<string, string> = { ...EN };
  delete copy["reg.count"];
  const problems = checkCatalog(EN, copy, "locales/xx.json");
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.kind, "missing-key");
  assert.equal(problems[0]!.file, "locales/xx.json");
  assert.equal(problems[0]!.key, "reg.count");
  assert.match(problems[0]!.message, /locales\/xx\.json.*"reg\.count"/);
  // An admin's partial file may lack keys.
  assert.deepEqual(checkCatalog(EN, copy, "xx.json", { partial: true }), []);
});

Deno.test("checkCatalog: a removed or added placeholder is named with file and key", () => {
  const missing = checkCatalog(EN, { ...EN, "reg.count": "{count} places are taken." }, "xx.json");
  assert.deepEqual(
    missing.map((p) => [p.kind, p.file, p.key, p.placeholder]),
    [["missing-placeholder", "xx.json", "reg.count", "max"]],
  );
  assert.match(missing[0]!.message, /xx\.json.*"reg\.count".*\{max\}/);

  const extra = checkCatalog(
    EN,
    { ...EN, "send.ok": "Delivered to {recipient} by {bot}." },
    "xx.json",
  );
  assert.deepEqual(
    extra.map((p) => [p.kind, p.key, p.placeholder]),
    [["extra-placeholder", "send.ok", "bot"]],
  );
  assert.match(extra[0]!.message, /\{bot\}.*expected: \{recipient\}/);

  // The same placeholder twice is fine; the set is what counts.
  assert.deepEqual(
    checkCatalog(EN, { ...EN, "send.ok": "{recipient}, {recipient}!" }, "xx.json"),
    [],
  );
});

Deno.test("checkCatalog: unknown keys, non-strings, bad templates, not an object", () => {
  const problems = checkCatalog(
    EN,
    { ...EN, "greting": "typo", "help": 42, "greeting": "Hi {} {user}", "reg.closed": "a } b" },
    "xx.json",
  );
  assert.deepEqual(kinds(problems).sort(), [
    "bad-template",
    "bad-template",
    "not-a-string",
    "unknown-key",
  ]);
  const empty = problems.find((p) => p.key === "greeting")!;
  assert.match(empty.message, /empty \{\}/);
  assert.deepEqual(kinds(checkCatalog(EN, ["a"], "xx.json")), ["not-an-object"]);
  assert.deepEqual(kinds(checkCatalog(EN, null, "xx.json")), ["not-an-object"]);
});

Deno.test("the fixture catalogs load without problems", () => {
  const { i18n } = make();
  assert.deepEqual(i18n.problems, []);
  assert.deepEqual(i18n.languages(), ["de", "en", "fr"]);
  assert.deepEqual(i18n.keys(), Object.keys(EN));
});

Deno.test("t: formats, escapes, picks the language, never throws", () => {
  const { i18n, runtime } = make({ defaultLanguage: "fr", unknownLanguage: "de" });
  assert.equal(
    i18n.t("en", "greeting", { user: "ana@x.example" }),
    "Hello ana@x.example, welcome to the bridge.",
  );
  assert.equal(i18n.t("EN-gb", "reg.count", { count: 3, max: 10 }), "3 of 10 places are taken.");
  assert.equal(
    i18n.t("en", "braces", { name: "Ana" }),
    "Type {name} to see braces; your name is Ana.",
  );
  assert.equal(i18n.t(null, "send.ok", { recipient: "b" }), "Remis à b.");
  assert.equal(i18n.t("xx", "send.ok", { recipient: "b" }), "Zugestellt an b.");
  assert.equal(runtime.length, 0);

  assert.equal(i18n.t("en", "send.ok"), "Delivered to {recipient}.");
  assert.deepEqual(runtime.map((p) => [p.kind, p.key, p.placeholder]), [[
    "missing-param",
    "send.ok",
    "recipient",
  ]]);
  assert.equal(i18n.t("en", "no.such.key"), "[no.such.key]");
  assert.equal(runtime[1]!.kind, "unknown-key");
  assert.equal(runtime[1]!.key, "no.such.key");
  const { text, problems } = i18n.translate("en", "no.such.key");
  assert.equal(text, "[no.such.key]");
  assert.equal(problems.length, 1);
});

Deno.test("a shipped catalog with a faulty key: reported as an error, that key falls back", () => {
  const brokenDe: Record<string, string> = { ...DE, "send.ok": "Zugestellt." };
  delete brokenDe["help"];
  const { i18n } = make({ builtin: { en: EN, fr: FR, de: brokenDe }, unknownLanguage: "fr" });
  assert.deepEqual(
    i18n.problems.map((p) => [p.level, p.kind, p.file, p.key, p.placeholder]),
    [
      ["error", "missing-key", "locales/de.json", "help", undefined],
      ["error", "missing-placeholder", "locales/de.json", "send.ok", "recipient"],
    ],
  );
  assert.equal(i18n.t("de", "send.ok", { recipient: "b" }), "Remis à b.");
  assert.equal(
    i18n.t("de", "help", { prefix: "!" }),
    "Envoyez !help pour voir ce que je sais faire.",
  );
  assert.equal(i18n.t("de", "greeting", { user: "c" }), "Hallo c, willkommen auf der Brücke.");
});

Deno.test("an admin's folder: overrides, added languages, faulty files, all reported", () => {
  const dir = fixture("locales/overrides");
  const { i18n } = make({ overridesDir: dir, unknownLanguage: "de" });
  const byFile = (name: string) => i18n.problems.filter((p) => p.file === `${dir}/${name}`);

  // fr.json changes one text; its faulty key keeps the shipped French text.
  assert.equal(i18n.t("fr", "greeting", { user: "Ana" }), "Salut Ana !");
  assert.equal(i18n.t("fr", "send.ok", { recipient: "b" }), "Remis à b.");
  assert.equal(i18n.t("fr", "reg.closed"), FR["reg.closed"]);
  assert.deepEqual(
    byFile("fr.json").map((p) => [p.level, p.kind, p.key, p.placeholder]),
    [
      ["warning", "missing-placeholder", "send.ok", "recipient"],
      ["warning", "unknown-key", "greetings", undefined],
    ],
  );

  // eo.json adds a language; what it lacks comes from the unknown-language setting.
  assert.ok(i18n.has("eo"));
  assert.equal(i18n.t("eo", "greeting", { user: "Ana" }), "Saluton Ana!");
  assert.equal(i18n.t("eo", "help", { prefix: "!" }), "Schicke !help, um zu sehen, was ich kann.");
  assert.deepEqual(kinds(byFile("eo.json")), ["fallback-keys"]);
  assert.match(byFile("eo.json")[0]!.message, /4 text\(s\) missing.*shown in de/);

  // pt-br.json is the language pt-BR; its key with a wrong placeholder falls back.
  assert.equal(i18n.resolve("pt_br"), "pt-BR");
  assert.equal(i18n.resolve("pt"), "pt-BR");
  assert.equal(i18n.t("pt-BR", "reg.count", { count: 1, max: 2 }), "1 de 2 vagas ocupadas.");
  assert.equal(i18n.t("pt-BR", "send.ok", { recipient: "b" }), "Zugestellt an b.");
  const pt = byFile("pt-br.json");
  assert.ok(pt.some((p) => p.kind === "missing-placeholder" && p.placeholder === "recipient"));
  assert.ok(pt.some((p) => p.kind === "extra-placeholder" && p.placeholder === "destinatario"));

  // it.json is broken JSON: named with line and column, ignored.
  const it = byFile("it.json");
  assert.deepEqual(it.map((p) => [p.kind, p.line, p.column]), [["invalid-json", 4, 3]]);
  assert.match(it[0]!.message, /it\.json is not valid JSON at line 4, column 3/);
  assert.equal(i18n.has("it"), false);

  assert.deepEqual(kinds(byFile("notes.json")), ["bad-file-name"]);
  assert.deepEqual(byFile("README.md"), []);
  assert.deepEqual(i18n.languages(), ["de", "en", "eo", "fr", "pt-BR"]);
  assert.ok(i18n.problems.every((p) => p.level === "warning"));
});

Deno.test("an admin's file overriding the reference language is checked against the shipped one", () => {
  const dir = tempDir({
    "en.json": JSON.stringify({ "greeting": "Hey {name}!", "reg.closed": "Closed." }),
  });
  const { i18n } = make({ overridesDir: dir });
  assert.equal(i18n.t("en", "reg.closed"), "Closed.");
  assert.equal(i18n.t("en", "greeting", { user: "u" }), "Hello u, welcome to the bridge.");
  assert.deepEqual(
    i18n.problems.map((p) => [p.kind, p.key, p.placeholder]),
    [["missing-placeholder", "greeting", "user"], ["extra-placeholder", "greeting", "name"]],
  );
});

Deno.test("an old translation folder without a line this bridge knows: one warning, built-in texts", () => {
  // The fixture's old keys (greeting, regclosed, sendok) are not in the old-key table.
  const dir = fixture("old_translations");
  const { i18n } = make({ overridesDir: dir });
  assert.deepEqual(kinds(i18n.problems), ["old-format"]);
  const [p] = i18n.problems;
  assert.equal(p!.file, dir);
  assert.match(p!.message, /old bridge's format.*bridge-messages-keys\.txt/);
  assert.match(p!.message, /keep the built-in texts: greeting, regclosed, sendok/);
  assert.match(p!.message, /no usable text for en, fr, ru/);
  assert.equal(i18n.t("fr", "greeting", { user: "A" }), "Bonjour A, bienvenue sur la passerelle.");
  assert.deepEqual(i18n.languages(), ["de", "en", "fr"]);
});

Deno.test("a translation folder that is missing or is a file is a warning only", () => {
  const missing = make({ overridesDir: "/nonexistent/translations" }).i18n;
  assert.deepEqual(kinds(missing.problems), ["unreadable"]);
  assert.match(missing.problems[0]!.message, /does not exist/);
  const file = fixture("locales/en.json");
  const notDir = make({ overridesDir: file }).i18n;
  assert.deepEqual(kinds(notDir.problems), ["unreadable"]);
  assert.equal(notDir.t("en", "reg.closed"), EN["reg.closed"]);
  assert.deepEqual(make({ overridesDir: null }).i18n.problems, []);
});

Deno.test("duplicate keys and a second file for the same language are reported", () => {
  const dir = tempDir({
    "fr.json": '{\n  "reg.closed": "Fermé.",\n  "reg.closed": "Complet."\n}\n',
    "DE.JSON": '{ "reg.closed": "Zu." }',
    "de.json": '{ "reg.closed": "Geschlossen." }',
    "xx.json": "{}",
  });
  const { i18n } = make({ overridesDir: dir });
  const dup = i18n.problems.find((p) => p.kind === "duplicate-key");
  assert.deepEqual([dup?.file, dup?.key, dup?.line, dup?.column], [
    `${dir}/fr.json`,
    "reg.closed",
    3,
    3,
  ]);
  assert.equal(i18n.t("fr", "reg.closed"), "Complet.");
  // Names are read in sorted order: DE.JSON comes first, de.json is the second one.
  assert.ok(
    i18n.problems.some((p) => p.kind === "duplicate-language" && p.file === `${dir}/de.json`),
  );
  assert.equal(i18n.t("de", "reg.closed"), "Zu.");
  assert.ok(i18n.problems.some((p) => p.kind === "fallback-keys" && p.file === `${dir}/xx.json`));
  assert.equal(i18n.has("xx"), false);
});

Deno.test("configured languages without texts fall back, with a warning", () => {
  const { i18n } = make({ defaultLanguage: "ja", unknownLanguage: "fr-CA" });
  assert.equal(i18n.unknownLanguage, "fr");
  assert.equal(i18n.defaultLanguage, "fr");
  assert.deepEqual(
    i18n.problems.map((p) => [p.kind, p.file]),
    [["unknown-language", "bridge-default-language"]],
  );
  const noUnknown = make({ unknownLanguage: "ja" }).i18n;
  assert.equal(noUnknown.unknownLanguage, "en");
  assert.throws(() => make({ reference: "xx" }), /reference language "xx"/);
});
