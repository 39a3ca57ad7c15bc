/**
 * Translations (SPEC §9), the public face: import from here outside this folder.
 *
 * - `i18n.ts`: {@link createI18n}, the lookup with its fallback order;
 * - `locales.ts`: the shipped catalogs and {@link loadTranslations} for a configuration;
 * - `check.ts`, `template.ts`, `lang.ts`: catalog checks, `{name}` templates, language codes;
 * - `files.ts`, `json.ts`: an admin's translation folder and its JSON with line numbers.
 */
export { type Catalog, createI18n, type I18n, type I18nOptions, type MessageKey } from "./i18n.ts";
export { checkCatalog, type Problem, type ProblemKind, type ProblemLevel } from "./check.ts";
export { canonicalLanguage, normalizeLanguage } from "./lang.ts";
export { formatTemplate, type Params, parseTemplate } from "./template.ts";
export { BUILTIN_CATALOGS, loadTranslations, REFERENCE_LANGUAGE } from "./locales.ts";
