/**
 * Translations (SPEC §9). The shipped catalogs are handed in (main.ts imports
 * `locales/*.json`), checked against the reference catalog when loading, and
 * optionally completed by an admin's folder (`translation-dir`) of `xx.json`
 * files that change some texts of a shipped language or add a language.
 *
 * Where a text comes from, for language L and key K:
 * 1. L's admin file, when it has K with the right placeholders;
 * 2. L's shipped catalog, when it has K with the right placeholders;
 * 3. the same for the unknown-language setting (`bridge-unknown-language`),
 * 4. then for the reference language.
 * So a key missing from an admin's file changes nothing for a shipped language
 * and shows the unknown-language text for an added one.
 *
 * Nothing here logs: load problems are in `problems`, problems at send time
 * go to `onProblem` (and are returned by `translate`); `t` never throws.
 */

import en from "../../locales/en.json" with { type: "json" };
import type { Problem } from "./check.ts";
import type { I18nOptions } from "./types.ts";

export type { Catalog, I18nOptions } from "./types.ts";
import { type AddedLanguage, type Layer, loadLayers } from "./layers.ts";
import { normalizeLanguage } from "./lang.ts";
import { formatTemplate, type Params } from "./template.ts";

/**
 * A key of the reference catalog (`locales/en.json`): a misspelt key in `t("...")` fails
 * `deno check`. Texts of an admin's translation folder use the same keys.
 */
export type MessageKey = keyof typeof en;

export interface I18n<K extends string = MessageKey> {
  /** The text of `key` in `lang` (null: the default language), filled with `params`. */
  t(lang: string | null | undefined, key: K, params?: Params): string;
  /** As `t`, also returning what went wrong. */
  translate(
    lang: string | null | undefined,
    key: K,
    params?: Params,
  ): { text: string; problems: Problem[] };
  /** Whether some catalog serves `lang` (after {@link normalizeLanguage}). */
  has(lang: string): boolean;
  /** The catalog code serving `lang`, or null. */
  resolve(lang: string | null | undefined): string | null;
  /** Every language with texts, sorted. */
  languages(): string[];
  /** The reference keys. */
  keys(): string[];
  readonly defaultLanguage: string;
  readonly unknownLanguage: string;
  /** What loading found, for the caller to log; errors come first. */
  readonly problems: readonly Problem[];
}

/**
 * Loads and checks the catalogs. `K` is the key type of `t`: {@link MessageKey} for the
 * shipped catalogs (see `loadTranslations`), any text for catalogs made elsewhere (tests).
 */
export function createI18n<K extends string = string>(opts: I18nOptions): I18n<K> {
  const loaded = loadLayers(opts);
  const { layers, problems, reference, referenceCode } = loaded;
  const available = [...layers.keys()].sort();
  const pick = (configured: string, setting: string, fallback: string): string => {
    const code = normalizeLanguage(configured, available);
    if (code !== null) return code;
    problems.push({
      level: "warning",
      kind: "unknown-language",
      file: setting,
      message: `${setting} "${configured}" has no texts (available: ${
        available.join(", ")
      }); ${fallback} is used`,
    });
    return fallback;
  };
  const unknownLanguage = pick(opts.unknownLanguage, "bridge-unknown-language", referenceCode);
  const defaultLanguage = pick(opts.defaultLanguage, "bridge-default-language", unknownLanguage);
  problems.push(...missingTextNotes(loaded.added, unknownLanguage));
  problems.sort((a, b) => (a.level === b.level ? 0 : a.level === "error" ? -1 : 1));

  const resolve = (lang: string | null | undefined) => normalizeLanguage(lang, available);
  const lookup = translator(layers, loaded.refFile);
  const translate = (lang: string | null | undefined, key: string, params?: Params) => {
    const code = lang ? (resolve(lang) ?? unknownLanguage) : defaultLanguage;
    return lookup([code, unknownLanguage, referenceCode], key, params);
  };

  return {
    t(lang, key, params) {
      const { text, problems: found } = translate(lang, key, params);
      if (opts.onProblem) { for (const p of found) opts.onProblem(p); }
      return text;
    },
    translate,
    has: (lang) => resolve(lang) !== null,
    resolve,
    languages: () => [...available],
    keys: () => Object.keys(reference),
    defaultLanguage,
    unknownLanguage,
    problems,
  };
}

/** The text of `key` from the first language of `chain` that has it, filled with `params`. */
function translator(layers: ReadonlyMap<string, readonly Layer[]>, refFile: string) {
  return (
    chain: readonly string[],
    key: string,
    params?: Params,
  ): { text: string; problems: Problem[] } => {
    for (const c of chain) {
      for (const layer of layers.get(c) ?? []) {
        const template = layer.texts.get(key);
        if (template === undefined) continue;
        const { text, missing } = formatTemplate(template, params);
        const found: Problem[] = missing.map((name) => ({
          level: "error",
          kind: "missing-param",
          file: layer.file,
          key,
          placeholder: name,
          message: `${layer.file}: key "${key}" was used without a value for {${name}}`,
        }));
        return { text, problems: found };
      }
    }
    const problem: Problem = {
      level: "error",
      kind: "unknown-key",
      file: refFile,
      key,
      message: `${refFile}: there is no message with the key "${key}"`,
    };
    return { text: `[${key}]`, problems: [problem] };
  };
}

/** A warning for each added language that lacks some texts. */
function missingTextNotes(added: readonly AddedLanguage[], unknownLanguage: string): Problem[] {
  return added.filter(({ missing }) => missing.length > 0).map(({ code, file, missing }) => {
    const shown = missing.slice(0, 8).join(", ") + (missing.length > 8 ? ", ..." : "");
    return {
      level: "warning",
      kind: "fallback-keys",
      file,
      message:
        `${file}: ${missing.length} text(s) missing (${shown}); they are shown in ${unknownLanguage} for ${code}`,
    };
  });
}
