/**
 * The texts of each language as layers, most specific first: an admin's file over the shipped
 * catalog. Every catalog is checked against the reference while loading.
 *
 * @module
 */
import { checkCatalog, type Problem, usableEntries } from "./check.ts";
import { readOverrideDir } from "./files.ts";
import type { Catalog, I18nOptions } from "./types.ts";
import { canonicalLanguage } from "./lang.ts";
import { parseTemplate, type Template } from "./template.ts";

/** The usable texts of one file. */
export interface Layer {
  readonly file: string;
  readonly texts: Map<string, Template>;
}

/** A language that only an admin's file brings, with the reference keys it lacks. */
export interface AddedLanguage {
  readonly code: string;
  readonly file: string;
  readonly missing: string[];
}

/** What loading found: the layers per language, and the problems so far. */
export interface Loaded {
  readonly layers: Map<string, Layer[]>;
  readonly added: AddedLanguage[];
  readonly problems: Problem[];
  readonly reference: Catalog;
  readonly referenceCode: string;
  readonly refFile: string;
}

const compile = (entries: Map<string, string>) =>
  new Map([...entries].map(([k, v]) => [k, parseTemplate(v)]));

/** The shipped catalogs, checked, then the admin's folder over them. */
export function loadLayers(opts: I18nOptions): Loaded {
  const fileName = opts.builtinFileName ?? ((lang: string) => `locales/${lang}.json`);
  const builtin = new Map<string, Catalog>();
  for (const [code, catalog] of Object.entries(opts.builtin)) {
    builtin.set(canonicalLanguage(code) ?? code, catalog);
  }
  const referenceCode = canonicalLanguage(opts.reference) ?? opts.reference;
  const reference = builtin.get(referenceCode);
  if (reference === undefined) {
    throw new Error(
      `i18n: the reference language "${opts.reference}" is not among the built-in catalogs`,
    );
  }
  const refFile = fileName(referenceCode);
  // The reference: only its template syntax can be wrong.
  const problems: Problem[] = templateErrors(reference, refFile);
  const layers = new Map<string, Layer[]>();
  layers.set(referenceCode, [{
    file: refFile,
    texts: compile(new Map(Object.entries(reference))),
  }]);
  for (const [code, catalog] of builtin) {
    if (code === referenceCode) continue;
    const found = checkCatalog(reference, catalog, fileName(code));
    problems.push(...found);
    layers.set(code, [{
      file: fileName(code),
      texts: compile(usableEntries(reference, catalog, found)),
    }]);
  }
  const loaded = { layers, added: [], problems, reference, referenceCode, refFile };
  if (opts.overridesDir) addOverrides(loaded, opts.overridesDir, [...builtin.keys()]);
  return loaded;
}

function templateErrors(reference: Catalog, refFile: string): Problem[] {
  const problems: Problem[] = [];
  for (const [key, text] of Object.entries(reference)) {
    for (const error of parseTemplate(text).errors) {
      problems.push({
        level: "error",
        kind: "bad-template",
        file: refFile,
        key,
        message: `${refFile}: key "${key}": ${error}`,
      });
    }
  }
  return problems;
}

/** Puts each usable file of the admin's folder over its language, or adds the language. */
function addOverrides(loaded: Loaded, dir: string, builtinCodes: readonly string[]): void {
  const { layers, added, problems, reference } = loaded;
  const scan = readOverrideDir(dir, builtinCodes);
  problems.push(...scan.problems);
  for (const { code, file, data } of scan.files) {
    const found = checkCatalog(reference, data, file, { partial: true, level: "warning" });
    problems.push(...found);
    const entries = usableEntries(reference, data, found);
    const shipped = layers.get(code);
    if (shipped !== undefined) {
      shipped.unshift({ file, texts: compile(entries) });
    } else if (entries.size > 0) {
      layers.set(code, [{ file, texts: compile(entries) }]);
      added.push({ code, file, missing: Object.keys(reference).filter((k) => !entries.has(k)) });
    } else {
      problems.push({
        level: "warning",
        kind: "fallback-keys",
        file,
        message: `${file} has no usable text; the language ${code} is not offered`,
      });
    }
  }
}
