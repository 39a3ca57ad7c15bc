/**
 * The typed reads of single keys for the configuration reader: each returns the value or the
 * fallback, and records a problem naming the key, its line, what was expected and what was found.
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { LoadOptions } from "./types.ts";
import { describe, isDomain, isHttpUrl, isLanguageCode } from "./values.ts";

const YAML11_TRUE: readonly string[] = ["true", "yes", "y", "on"];
const YAML11_FALSE: readonly string[] = ["false", "no", "n", "off"];

/** The file's top-level map, key to plain value. */
export type Raw = Record<string, unknown>;

/** Collects values and problems key by key. */
export class FieldReader {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  readonly baseDir: string;

  constructor(
    readonly file: string,
    readonly data: Raw,
    readonly lineOf: Map<string, number>,
    readonly opts: LoadOptions,
  ) {
    this.baseDir = dirname(file);
  }

  where(key: string): string {
    const line = this.lineOf.get(key);
    return line ? `key "${key}" (line ${line})` : `key "${key}"`;
  }

  bad(key: string, expected: string, found: unknown): void {
    this.problems.push(`${this.where(key)}: expected ${expected}, found ${describe(found)}`);
  }

  missing(key: string, what: string, envName?: string): void {
    const alt = envName ? ` or in the environment variable ${envName}` : "";
    this.problems.push(`key "${key}" is missing: set ${what} in the file${alt}`);
  }

  present(key: string): boolean {
    const v = this.data[key];
    return v !== undefined && v !== null && v !== "";
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback: string | null): string | null;
  string(key: string, fallback: string | null): string | null {
    const v = this.data[key];
    if (v === undefined || v === null || v === "") return fallback;
    if (typeof v === "string") return v.trim();
    if (typeof v === "number") return String(v);
    this.bad(key, "a text value", v);
    return fallback;
  }

  required(key: string, what: string, envName?: string): string {
    const fromEnv = envName ? this.opts.env[envName] : undefined;
    if (fromEnv) return fromEnv.trim();
    const v = this.string(key, null);
    if (v === null) {
      this.missing(key, what, envName);
      return "";
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.data[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === "boolean") return v;
    // The old bridge's YAML 1.1 loader also read yes/no, on/off and y/n (any case) as booleans.
    if (typeof v === "string") {
      const word = v.trim().toLowerCase();
      if (YAML11_TRUE.includes(word)) return true;
      if (YAML11_FALSE.includes(word)) return false;
    }
    this.bad(key, "true or false (yes/no and on/off are read too)", v);
    return fallback;
  }

  int(key: string, fallback: number, min = 0): number {
    const v = this.data[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number" && Number.isInteger(v) && v >= min) return v;
    this.bad(key, `a whole number of at least ${min}`, v);
    return fallback;
  }

  path(key: string, fallback: string | null): string | null {
    const v = this.string(key, fallback);
    if (v === null) return null;
    return isAbsolute(v) ? v : resolve(this.baseDir, v);
  }

  requiredPath(key: string, what: string): string {
    const v = this.path(key, null);
    if (v === null) this.missing(key, what);
    return v ?? "";
  }

  domain(key: string): string {
    const v = this.required(key, "the domain name of the server, such as example.org");
    if (v && !isDomain(v)) this.bad(key, "a domain name such as example.org", v);
    return v.toLowerCase();
  }

  stringList(key: string): string[] {
    const v = this.data[key];
    if (v === undefined || v === null || v === "") return [];
    if (typeof v === "string") return [v.trim()];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
      return v.map((x: string) => x.trim()).filter((x) => x !== "");
    }
    this.bad(key, "a list of text values", v);
    return [];
  }

  /** A list of host names, each with an optional port (`files.example:8443`), lower-cased. */
  hosts(key: string): string[] {
    const out: string[] = [];
    for (const entry of this.stringList(key)) {
      const m = /^([^:/\s]+)(?::(\d{1,5}))?$/.exec(entry);
      const port = m?.[2] === undefined ? null : Number(m[2]);
      if (m === null || !isDomain(m[1]!) || (port !== null && (port < 1 || port > 65535))) {
        this.bad(key, "host names, each with an optional :port (files.example.org:8443)", entry);
        continue;
      }
      out.push(entry.toLowerCase());
    }
    return out;
  }

  urlMap(key: string): Record<string, string> {
    const v = this.data[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      this.bad(key, "a map of language code to web address", v);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [lang, url] of Object.entries(v as Raw)) {
      if (!isLanguageCode(lang)) {
        this.bad(key, `language codes such as "en" as map keys`, lang);
      } else if (typeof url !== "string" || !isHttpUrl(url)) {
        this.bad(`${key}.${lang}`, "an http(s) web address", url);
      } else {
        out[lang.toLowerCase()] = url;
      }
    }
    return out;
  }

  language(key: string, fallback: string): string {
    const v = this.string(key, fallback);
    if (!isLanguageCode(v)) {
      this.bad(key, `a language code such as "en"`, v);
      return fallback;
    }
    return v.toLowerCase();
  }
}
