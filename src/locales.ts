/**
 * The shipped translations, embedded in the binary by static import. English is the reference:
 * every other catalog must have exactly its keys, with the same placeholders.
 */
import type { Catalog } from "./i18n.ts";
import de from "../locales/de.json" with { type: "json" };
import en from "../locales/en.json" with { type: "json" };
import es from "../locales/es.json" with { type: "json" };
import fr from "../locales/fr.json" with { type: "json" };
import it from "../locales/it.json" with { type: "json" };
import nl from "../locales/nl.json" with { type: "json" };
import pt from "../locales/pt.json" with { type: "json" };

export const REFERENCE_LANGUAGE = "en";

export const BUILTIN_CATALOGS: Readonly<Record<string, Catalog>> = { de, en, es, fr, it, nl, pt };
