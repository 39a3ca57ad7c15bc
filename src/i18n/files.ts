/**
 * Reads `translation-dir`: one `xx.json` (or `pt-BR.json`) per language, each a
 * JSON object of key -> text. Recognises the old bridge's layout (a
 * `bridge-messages-keys.txt` plus positional `xx.txt` files) and only warns
 * about it. Nothing here throws: every failure becomes a problem.
 */

import type { Problem } from "./check.ts";
import { canonicalLanguage } from "./lang.ts";
import { parseJson } from "./json.ts";

export const OLD_KEYS_FILE = "bridge-messages-keys.txt";

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

  let oldKeys = false;
  const oldLanguages: string[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = `${dir.replace(/[/\\]+$/, "")}/${name}`;
    if (name === OLD_KEYS_FILE) {
      oldKeys = true;
      continue;
    }
    const txt = /^(.+)\.txt$/i.exec(name);
    if (txt) {
      const code = canonicalLanguage(txt[1]!);
      if (code) oldLanguages.push(code);
      continue;
    }
    const json = /^(.+)\.json$/i.exec(name);
    if (!json) continue;
    const code = languageOfFile(json[1]!, path, seen, warn);
    if (code === null) continue;
    const data = readJsonFile(path, warn);
    if (data === NOTHING) continue;
    seen.set(code, path);
    files.push({ code, file: path, data });
  }
  if (oldKeys || oldLanguages.length > 0) warnOldFormat(dir, oldLanguages, builtinLanguages, warn);
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

function warnOldFormat(
  dir: string,
  oldLanguages: readonly string[],
  builtinLanguages: readonly string[],
  warn: Warn,
): void {
  const extra = oldLanguages.filter((l) => !builtinLanguages.includes(l));
  warn({
    kind: "old-format",
    message: `translation folder ${dir} holds texts in the old bridge's format (` +
      `${OLD_KEYS_FILE} and one positional xx.txt per language), which this bridge does not read; ` +
      `the built-in texts are used` +
      (extra.length > 0
        ? `, and these languages found there are not built in: ${extra.join(", ")}`
        : "") +
      `. To change or add texts, put files such as de.json in this folder, or remove ` +
      `translation-dir from the configuration.`,
  });
}
