/**
 * Reads `translation-dir`: one `xx.json` (or `pt-BR.json`) per language, each a
 * JSON object of key -> text. The old bridge's layout (a
 * `bridge-messages-keys.txt` plus positional `xx.txt` files) is read too, through
 * old_format.ts; a `xx.json` of the same language wins over its `xx.txt`.
 * Nothing here throws: every failure becomes a problem.
 */

import type { Problem } from "./check.ts";
import { canonicalLanguage } from "./lang.ts";
import { parseJson } from "./json.ts";
import { OLD_KEYS_FILE, readOldFolder } from "./old_format.ts";

export { OLD_KEYS_FILE };

export interface OverrideFile {
  /** Canonical language code from the file name. */
  readonly code: string;
  readonly file: string;
  /** The parsed JSON value, not yet checked against the reference. */
  readonly data: unknown;
}

export interface OverrideScan {
  readonly files: OverrideFile[];
  readonly problems: Problem[];
}

/** The `xx.json` files of an admin's translation folder, parsed; problems are warnings. */
export function readOverrideDir(dir: string, builtinLanguages: readonly string[]): OverrideScan {
  const files: OverrideFile[] = [];
  const problems: Problem[] = [];
  const warn: Warn = (p) => problems.push({ level: "warning", file: dir, ...p });
  const names = listFolder(dir, warn);
  if (names === null) return { files, problems };

  const oldFormat = names.includes(OLD_KEYS_FILE) || names.some((n) => /\.txt$/i.test(n));
  if (oldFormat) files.push(...readOldFormat(dir, names, builtinLanguages, warn));
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = `${dir.replace(/[/\\]+$/, "")}/${name}`;
    const json = /^(.+)\.json$/i.exec(name);
    if (!json) continue;
    const code = languageOfFile(json[1]!, path, seen, warn);
    if (code === null) continue;
    const data = readJsonFile(path, warn);
    if (data === NOTHING) continue;
    seen.set(code, path);
    files.push({ code, file: path, data });
  }
  return { files, problems };
}

type Warn = (p: Omit<Problem, "level" | "file"> & { file?: string }) => void;

const NOTHING = Symbol("nothing");

/** The folder's entry names, sorted; null (and a warning) when it cannot be listed. */
function listFolder(dir: string, warn: Warn): string[] | null {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "does not exist"
      : e instanceof Deno.errors.NotADirectory
      ? "is not a folder"
      : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
    warn({
      kind: "unreadable",
      message: `translation folder ${dir} ${why}; the built-in texts are used`,
    });
    return null;
  }
}

/** The language a file name gives, or null (and a warning) for a bad or repeated one. */
function languageOfFile(
  stem: string,
  path: string,
  seen: ReadonlyMap<string, string>,
  warn: Warn,
): string | null {
  const code = canonicalLanguage(stem);
  if (code === null) {
    warn({
      kind: "bad-file-name",
      file: path,
      message:
        `${path}: the name is not a language code (such as de.json or pt-BR.json); file ignored`,
    });
    return null;
  }
  const earlier = seen.get(code);
  if (earlier !== undefined) {
    warn({
      kind: "duplicate-language",
      file: path,
      message: `${path}: ${earlier} is already read for the language ${code}; file ignored`,
    });
    return null;
  }
  return code;
}

/** The file's JSON value, or {@link NOTHING} (and a warning) when it cannot be used. */
function readJsonFile(path: string, warn: Warn): unknown {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    warn({
      kind: "unreadable",
      file: path,
      message: `${path} cannot be read (${
        e instanceof Error ? e.message : String(e)
      }); file ignored`,
    });
    return NOTHING;
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const where = parsed.line === undefined
      ? ""
      : ` at line ${parsed.line}, column ${parsed.column}`;
    warn({
      kind: "invalid-json",
      file: path,
      ...(parsed.line === undefined ? {} : { line: parsed.line, column: parsed.column! }),
      message: `${path} is not valid JSON${where}: ${parsed.reason}; file ignored`,
    });
    return NOTHING;
  }
  for (const d of parsed.duplicates) {
    warn({
      kind: "duplicate-key",
      file: path,
      key: d.key,
      line: d.line,
      column: d.column,
      message: `${path}: the key "${d.key}" appears again at line ${d.line}; the last one is used`,
    });
  }
  return parsed.value;
}

/**
 * The old bridge's files as override files (before the JSON ones, so that those win), and one
 * warning naming the folder, what was read, and the old keys that keep the built-in texts.
 */
function readOldFormat(
  dir: string,
  names: readonly string[],
  builtinLanguages: readonly string[],
  warn: Warn,
): OverrideFile[] {
  const old = readOldFolder(dir, names);
  const usable = old.languages.filter((l) => Object.keys(l.texts).length > 0);
  const codes = usable.map((l) => l.code);
  const empty = old.languages.filter((l) => !usable.includes(l)).map((l) => l.code);
  const extra = codes.filter((c) => !builtinLanguages.includes(c));
  const parts = [
    `translation folder ${dir} is in the old bridge's format (${OLD_KEYS_FILE} and one ` +
    `positional xx.txt per language)`,
  ];
  if (!names.includes(OLD_KEYS_FILE)) {
    parts.push(`${OLD_KEYS_FILE} is missing, so its xx.txt files cannot be read`);
  } else {
    parts.push(`texts read for ${codes.join(", ") || "no language"}`);
  }
  if (extra.length > 0) parts.push(`languages added: ${extra.join(", ")}`);
  if (empty.length > 0) parts.push(`no usable text for ${empty.join(", ")}`);
  if (old.unmapped.length > 0) {
    parts.push(
      `these old texts have no counterpart here (or other placeholders) and keep the built-in ` +
        `texts: ${old.unmapped.join(", ")}`,
    );
  }
  if (old.unreadable.length > 0) parts.push(`unreadable: ${old.unreadable.join("; ")}`);
  warn({
    kind: "old-format",
    message: parts.join("; ") +
      ". To change any text, put files such as de.json in this folder (see docs/operators.md).",
  });
  return usable.map((l) => ({ code: l.code, file: l.file, data: l.texts }));
}
