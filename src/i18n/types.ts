/** The shapes shared by the translation modules (see mod.ts). */
import type { Problem } from "./check.ts";

export type Catalog = Readonly<Record<string, string>>;

export interface I18nOptions {
  /** Language code -> catalog, as shipped in the binary. Must hold `reference`. */
  readonly builtin: Readonly<Record<string, Catalog>>;
  /** The catalog every other one is checked against, e.g. "en". */
  readonly reference: string;
  /** `translation-dir`, or null / absent when there is none. */
  readonly overridesDir?: string | null;
  /** `bridge-unknown-language`: for unknown codes and for missing texts. */
  readonly unknownLanguage: string;
  /** `bridge-default-language`: for users without a language. */
  readonly defaultLanguage: string;
  /** How a shipped catalog is named in problems; `locales/xx.json` by default. */
  readonly builtinFileName?: (lang: string) => string;
  /** Receives each problem found at send time (a missing key or parameter). */
  readonly onProblem?: (problem: Problem) => void;
}
