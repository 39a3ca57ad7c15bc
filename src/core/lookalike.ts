/**
 * Look-alike text (SPEC §4, header of a carried message): how an address is shown so that it
 * cannot pass for another one, and the "skeleton" of a text used to recognise a line written to
 * look like the bridge's own header.
 *
 * Domains are shown as browsers show them: a label that mixes scripts (Latin with Cyrillic, say),
 * that is written wholly in letters that look like Latin ones from another script (`соm` in
 * Cyrillic), that holds a Latin look-alike letter (dotless `ı`, small capitals, `ɑ`), a non-ASCII
 * symbol or punctuation, or an invisible character makes the whole domain show in its A-label
 * (punycode) form, `xn--...`. The scripts that may share a label are those of UTS #39's "highly
 * restrictive" level: Latin with Han and the Japanese kana, with Han and Bopomofo, or with Han and
 * Hangul. Any other domain is shown as it is.
 *
 * A local part (the name before `@`) has no A-label form. When it fails the same test, each of its
 * non-ASCII characters is shown as its code point in brackets (`[U+0430]dmin@...`): readable
 * enough, and it can never pass for an ASCII name. A local part in one script (`алиса`) is shown
 * as it is.
 *
 * Every function here is linear in the length of its input.
 *
 * @module
 */
import { domainToUnicode } from "node:url";

/** Characters that look like Latin letters, with the letter they pass for (lower case keys). */
const LOOKALIKES: ReadonlyMap<string, string> = new Map([
  // Cyrillic
  ..."аaвbеeёeкkмmнhоoрpсcтtуyхxѕsіiїiјjһhԁdԛqԝwӏlүyьbпnгrҽeԍgҷyɡg".match(/../gu)!
    .map((p) => [p[0]!, p[1]!] as [string, string]),
  // Greek
  ..."αaβbγyεeηnιiκkνvοoρpτtυuχxωwϲcϳjςc".match(/../gu)!
    .map((p) => [p[0]!, p[1]!] as [string, string]),
  // Armenian
  ..."օoոnսuհhցgզqաw".match(/../gu)!.map((p) => [p[0]!, p[1]!] as [string, string]),
  // Latin letters that pass for other Latin letters
  ..."ıiȷjɑaɩiɪiʀrʏyƅbꞵbᴀaʙbᴄcᴅdᴇeꜰfɢgʜhᴊjᴋkʟlᴍmɴnᴏoᴘpꞯqꜱsᴛtᴜuᴠvᴡwᴢz".match(/../gu)!
    .map((p) => [p[0]!, p[1]!] as [string, string]),
]);

/** Scripts told apart; a letter of any other script counts as "Other". */
const SCRIPTS = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Hebrew",
  "Arabic",
  "Georgian",
  "Han",
  "Hiragana",
  "Katakana",
  "Bopomofo",
  "Hangul",
  "Thai",
  "Devanagari",
  "Bengali",
  "Tamil",
  "Ethiopic",
  "Cherokee",
  "Lisu",
  "Canadian_Aboriginal",
].map((name) => ({ name, re: new RegExp(`^\\p{Script=${name}}$`, "u") }));

/** Scripts whose letters mostly copy Latin capitals: a label in them alone is suspicious. */
const MIMIC_SCRIPTS: ReadonlySet<string> = new Set(["Cherokee", "Lisu", "Canadian_Aboriginal"]);

/** The script sets one label may mix (UTS #39, highly restrictive). */
const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

const COMMON_RE = /^\p{Script=Common}$/u;
const INHERITED_RE = /^\p{Script=Inherited}$/u;
const INVISIBLE_RE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cs}\p{Co}\p{Cn}]$/u;
// deno-lint-ignore no-control-regex
const ASCII_RE = /^[\x00-\x7f]*$/;

function scriptOf(ch: string): string {
  for (const script of SCRIPTS) if (script.re.test(ch)) return script.name;
  return "Other";
}

/**
 * Whether a domain label or a local part could pass for another one: see the module doc. ASCII
 * text never does.
 */
export function isLookalike(part: string): boolean {
  if (ASCII_RE.test(part)) return false;
  const scripts = new Set<string>();
  let asciiLetters = false;
  let allMimic = true;
  for (const ch of part.normalize("NFC")) {
    if (ch.charCodeAt(0) < 0x80) {
      if (/[a-z]/i.test(ch)) {
        scripts.add("Latin");
        asciiLetters = true;
      }
      continue;
    }
    if (INVISIBLE_RE.test(ch)) return true;
    if (INHERITED_RE.test(ch)) continue;
    if (COMMON_RE.test(ch)) return true;
    const script = scriptOf(ch);
    const mimic = LOOKALIKES.has(ch.toLowerCase());
    if (script === "Latin" && mimic) return true;
    if (!mimic) allMimic = false;
    scripts.add(script);
  }
  if (scripts.size > 1 && !ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)))) {
    return true;
  }
  const only = scripts.size === 1 ? [...scripts][0]! : null;
  if (only !== null && MIMIC_SCRIPTS.has(only)) return true;
  return only !== null && only !== "Latin" && !asciiLetters && allMimic;
}

/** Non-ASCII characters as `[U+XXXX]`. */
function escapeNonAscii(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp < 0x80 ? ch : `[U+${cp.toString(16).toUpperCase().padStart(4, "0")}]`;
  }
  return out;
}

/** The A-label form of a domain, or null when it has none. */
function aLabel(domain: string): string | null {
  if (/[\s/?#@:\\[\]%]/u.test(domain)) return null;
  try {
    const host = new URL(`http://${domain}/`).hostname;
    return host !== "" && ASCII_RE.test(host) ? host : null;
  } catch {
    return null;
  }
}

/** A domain as a header shows it: as it is, or its A-label form when a label could mislead. */
export function displayDomain(domain: string): string {
  if (ASCII_RE.test(domain)) {
    // Addresses are kept in A-label form: a safe internationalised name is shown in its letters.
    if (!/(^|\.)xn--/i.test(domain)) return domain;
    const unicode = domainToUnicode(domain);
    if (unicode === "" || unicode.split(".").some(isLookalike)) return domain;
    return unicode;
  }
  if (!domain.split(".").some(isLookalike)) return domain;
  return aLabel(domain) ?? escapeNonAscii(domain);
}

/** A local part as a header shows it: as it is, or with its non-ASCII characters spelt out. */
export function displayLocal(local: string): string {
  return isLookalike(local) ? escapeNonAscii(local) : local;
}

/**
 * An account as a header shows it (`xmpp:name@domain`, `@name@domain`, any prefix): the prefix
 * unchanged, the local part and the domain through {@link displayLocal} and
 * {@link displayDomain}. A text without `@` is returned unchanged.
 */
export function displayAddress(text: string): string {
  const at = text.lastIndexOf("@");
  if (at < 0) return text;
  const localStart = Math.max(text.lastIndexOf(":", at - 1), text.lastIndexOf("@", at - 1)) + 1;
  const prefix = text.slice(0, localStart);
  return `${prefix}${displayLocal(text.slice(localStart, at))}@${
    displayDomain(text.slice(at + 1))
  }`;
}

/**
 * What a text looks like, for comparing texts that should not look alike: compatibility forms
 * folded (NFKC: full-width and mathematical letters become plain ones), invisible characters
 * dropped, lower case, look-alike letters of other scripts replaced by the Latin ones they pass
 * for, white space collapsed to one space and trimmed.
 */
export function skeleton(text: string): string {
  const folded = text.normalize("NFKC").replace(/[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu, "")
    .toLowerCase();
  let out = "";
  for (const ch of folded) out += LOOKALIKES.get(ch) ?? ch;
  return out.replace(/\s+/gu, " ").trim();
}
