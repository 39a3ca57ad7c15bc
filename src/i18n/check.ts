/**
 * The load-time check of a catalog against the reference catalog: same keys,
 * texts that are strings, well-formed templates and the same placeholder set
 * per key. Pure: it returns problems and leaves reporting to the caller.
 */

import { parseTemplate } from "./template.ts";

export type ProblemLevel = "error" | "warning";

export type ProblemKind =
  /** A reference key the catalog lacks. */
  | "missing-key"
  /** A key the reference does not have. */
  | "unknown-key"
  | "not-a-string"
  | "bad-template"
  | "missing-placeholder"
  | "extra-placeholder"
  /** The file is not one JSON object. */
  | "not-an-object"
  | "invalid-json"
  | "duplicate-key"
  | "bad-file-name"
  | "duplicate-language"
  | "unreadable"
  /** A translation folder in the old bridge's positional format. */
  | "old-format"
  /** An added language lacks keys: they are shown in the fallback language. */
  | "fallback-keys"
  /** A configured language that no catalog provides. */
  | "unknown-language"
  /** At send time: a parameter the text needs was not given. */
  | "missing-param";

export interface Problem {
  readonly level: ProblemLevel;
  readonly kind: ProblemKind;
  /** The file (or configuration key) the problem is about. */
  readonly file: string;
  readonly key?: string;
  readonly placeholder?: string;
  readonly line?: number;
  readonly column?: number;
  /** A complete sentence naming the file and, when there is one, the key and placeholder. */
  readonly message: string;
}

export interface CheckOptions {
  /** Missing keys are allowed (an admin's file that changes a few texts). */
  readonly partial?: boolean;
  /** Level of the problems found; "error" by default. */
  readonly level?: ProblemLevel;
}

/**
 * Compares `candidate` (a parsed JSON value) with `reference`. Every problem
 * that concerns one key names it; a key named by any problem must not be used.
 */
export function checkCatalog(
  reference: Readonly<Record<string, string>>,
  candidate: unknown,
  fileName: string,
  options: CheckOptions = {},
): Problem[] {
  const level = options.level ?? "error";
  const problems: Problem[] = [];
  if (typeof candidate !== "object" || candidate === null || Array.isArray(candidate)) {
    problems.push({
      level,
      kind: "not-an-object",
      file: fileName,
      message: `${fileName}: expected one JSON object of "key": "text" pairs`,
    });
    return problems;
  }
  const entries = candidate as Record<string, unknown>;
  if (!options.partial) {
    for (const key of Object.keys(reference)) {
      if (!Object.hasOwn(entries, key)) {
        problems.push({
          level,
          kind: "missing-key",
          file: fileName,
          key,
          message: `${fileName}: the key "${key}" is missing`,
        });
      }
    }
  }
  for (const [key, value] of Object.entries(entries)) {
    const at = `${fileName}: key "${key}"`;
    if (!Object.hasOwn(reference, key)) {
      problems.push({
        level,
        kind: "unknown-key",
        file: fileName,
        key,
        message: `${at} is not a message of this bridge (misspelt or outdated?); ignored`,
      });
      continue;
    }
    if (typeof value !== "string") {
      problems.push({
        level,
        kind: "not-a-string",
        file: fileName,
        key,
        message: `${at}: the text must be a string in double quotes`,
      });
      continue;
    }
    problems.push(...textProblems(reference[key]!, value, { file: fileName, key, level, at }));
  }
  return problems;
}

/** What is wrong with one text against its reference text: template syntax, placeholders. */
function textProblems(
  referenceText: string,
  value: string,
  where: { file: string; key: string; level: ProblemLevel; at: string },
): Problem[] {
  const { file, key, level, at } = where;
  const problems: Problem[] = [];
  const got = parseTemplate(value);
  for (const error of got.errors) {
    problems.push({ level, kind: "bad-template", file, key, message: `${at}: ${error}` });
  }
  const want = parseTemplate(referenceText).names;
  for (const name of want) {
    if (!got.names.has(name)) {
      problems.push({
        level,
        kind: "missing-placeholder",
        file,
        key,
        placeholder: name,
        message: `${at}: the placeholder {${name}} is missing`,
      });
    }
  }
  for (const name of got.names) {
    if (!want.has(name)) {
      problems.push({
        level,
        kind: "extra-placeholder",
        file,
        key,
        placeholder: name,
        message: `${at}: the placeholder {${name}} is unknown here (expected: ${
          [...want].map((n) => `{${n}}`).join(", ") || "none"
        })`,
      });
    }
  }
  return problems;
}

/** The keys of `candidate` that can be used: strings, known, with no problem. */
export function usableEntries(
  reference: Readonly<Record<string, string>>,
  candidate: unknown,
  problems: readonly Problem[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof candidate !== "object" || candidate === null || Array.isArray(candidate)) return out;
  const bad = new Set(problems.map((p) => p.key).filter((k) => k !== undefined));
  for (const [key, value] of Object.entries(candidate as Record<string, unknown>)) {
    if (typeof value === "string" && Object.hasOwn(reference, key) && !bad.has(key)) {
      out.set(key, value);
    }
  }
  return out;
}
