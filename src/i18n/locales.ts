/**
 * The shipped translations, embedded in the binary by static import. English is the reference:
 * every other catalog must have exactly its keys, with the same placeholders.
 */
import type { Config } from "../config/mod.ts";
import { type Catalog, createI18n, type I18n } from "./i18n.ts";
import de from "../../locales/de.json" with { type: "json" };
import en from "../../locales/en.json" with { type: "json" };
import es from "../../locales/es.json" with { type: "json" };
import fr from "../../locales/fr.json" with { type: "json" };
import it from "../../locales/it.json" with { type: "json" };
import nl from "../../locales/nl.json" with { type: "json" };
import pt from "../../locales/pt.json" with { type: "json" };

export const REFERENCE_LANGUAGE = "en";

export const BUILTIN_CATALOGS: Readonly<Record<string, Catalog>> = { de, en, es, fr, it, nl, pt };

/** The shipped texts plus the configuration's translation folder, checked at load. */
export function loadTranslations(
  config: Pick<Config, "translationDir" | "unknownLanguage" | "defaultLanguage">,
): I18n {
  return createI18n({
    builtin: BUILTIN_CATALOGS,
    reference: REFERENCE_LANGUAGE,
    overridesDir: config.translationDir,
    unknownLanguage: config.unknownLanguage,
    defaultLanguage: config.defaultLanguage,
  });
}
