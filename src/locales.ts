/**
 * The shipped translations, embedded in the binary by static import. English is the reference:
 * every other catalog must have exactly its keys, with the same placeholders.
 */
import type { Catalog } from "./i18n.ts";
import en from "../locales/en.json" with { type: "json" };

export const REFERENCE_LANGUAGE = "en";

export const BUILTIN_CATALOGS: Readonly<Record<string, Catalog>> = {
  en,
};
