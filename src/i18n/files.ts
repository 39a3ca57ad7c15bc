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

export function readOverrideDir(dir: string, builtinLanguages: readonly string[]): OverrideScan {
  const files: OverrideFile[] = [];
  const problems: Problem[] = [];
  const warn = (p: Omit<Problem, "level" | "file"> & { file?: string }) =>
    problems.push({ level: "warning", file: dir, ...p });

  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
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
    return { files, problems };
  }

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
    const code = canonicalLanguage(json[1]!);
    if (code === null) {
      warn({
        kind: "bad-file-name",
        file: path,
        message:
          `${path}: the name is not a language code (such as de.json or pt-BR.json); file ignored`,
      });
      continue;
    }
    const earlier = seen.get(code);
    if (earlier !== undefined) {
      warn({
        kind: "duplicate-language",
        file: path,
        message: `${path}: ${earlier} is already read for the language ${code}; file ignored`,
      });
      continue;
    }
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
      continue;
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
      continue;
    }
    for (const d of parsed.duplicates) {
      warn({
        kind: "duplicate-key",
        file: path,
        key: d.key,
        line: d.line,
        column: d.column,
        message:
          `${path}: the key "${d.key}" appears again at line ${d.line}; the last one is used`,
      });
    }
    seen.set(code, path);
    files.push({ code, file: path, data: parsed.value });
  }

  if (oldKeys || oldLanguages.length > 0) {
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
  return { files, problems };
}
