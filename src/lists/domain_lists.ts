/**
 * The red and green lists: one domain per line, `#` starts a comment. Lines that are not a
 * domain are reported and skipped; additions are appended with a dated comment, removals
 * drop the lines naming a domain and keep every other line as written.
 */
import {
  clip,
  type FileCache,
  readRaw,
  splitLines,
  splitLinesKeepEnds,
  stripComments,
  writeAtomic,
} from "./disk.ts";
import { domainListed, normalizeDomain } from "./domains.ts";
import type { AddResult, ListWarning, RemoveResult } from "./types.ts";

/** The part of both headers that says how to edit the file. */
const HOW_TO_EDIT = [
  "#",
  "# One domain per line; text after a # is a comment. A name matches that exact",
  "# domain only: write each subdomain on its own line, or *.example.org for all",
  "# subdomains of example.org. Changes here apply at once, no restart needed.",
  "",
];

export const RED_HEADER = [
  "# Red list of the XMPP/Fediverse bridge: accounts on these domains may not",
  "# register, and registered ones are unregistered. It applies to both networks",
  "# and wins over the green list. The bots' own domains are never red-listed.",
  ...HOW_TO_EDIT,
].join("\n");

export const GREEN_HEADER = [
  "# Green list of the XMPP/Fediverse bridge. In greenlist mode only accounts on",
  "# these domains (and the bots' own domains) may register; otherwise Fediverse",
  "# accounts on these domains skip the recent-activity check.",
  ...HOW_TO_EDIT,
].join("\n");

/** One domain list file: read (cached), match, add, remove. */
export interface DomainList {
  read(): ReadonlySet<string>;
  has(domain: string): boolean;
  add(domains: Iterable<string>, note?: string): AddResult;
  remove(domains: Iterable<string>): RemoveResult;
}

/** The list kept in `path`; `header` starts the file when an addition creates it. */
export function domainList(
  path: string,
  header: string,
  deps: { cache: FileCache; warn: (w: ListWarning) => void; now: () => number },
): DomainList {
  const read = (): ReadonlySet<string> =>
    deps.cache.load(path, (text) => parse(text, path, deps.warn));
  return {
    read,
    has(domain) {
      const d = normalizeDomain(domain);
      return d !== null && !d.startsWith("*.") && domainListed(d, read());
    },
    add(domains, note) {
      const result = addDomains(path, header, domains, deps.now, note);
      if (result.added.length > 0) deps.cache.forget(path);
      return result;
    },
    remove(domains) {
      const result = removeDomains(path, domains);
      if (result.removed.length > 0) deps.cache.forget(path);
      return result;
    },
  };
}

function parse(text: string | null, path: string, warn: (w: ListWarning) => void): Set<string> {
  const set = new Set<string>();
  if (text === null) {
    warn({ file: path, message: "is missing; treating the list as empty" });
    return set;
  }
  splitLines(text).forEach((line, i) => {
    const content = stripComments(line).trim();
    if (content === "") return;
    const domain = normalizeDomain(content);
    if (domain === null) {
      warn({
        file: path,
        line: i + 1,
        message: `"${clip(content)}" is not a domain name; line ignored`,
      });
    } else set.add(domain);
  });
  return set;
}

function addDomains(
  path: string,
  header: string,
  domains: Iterable<string>,
  now: () => number,
  note?: string,
): AddResult {
  const result: AddResult = { added: [], already: [], invalid: [] };
  const text = readRaw(path) ?? header;
  const present = new Set<string>();
  for (const line of splitLines(text)) {
    const d = normalizeDomain(stripComments(line).trim());
    if (d !== null) present.add(d);
  }
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const date = new Date(now()).toISOString().slice(0, 10);
  const comment = `  # added ${date}${note ? ` (${note.replace(/[\r\n]+/g, " ").trim()})` : ""}`;
  let appended = "";
  for (const input of domains) {
    const d = normalizeDomain(input);
    if (d === null) result.invalid.push(input);
    else if (present.has(d)) {
      if (!result.added.includes(d) && !result.already.includes(d)) result.already.push(d);
    } else {
      present.add(d);
      result.added.push(d);
      appended += d + comment + eol;
    }
  }
  if (appended !== "") {
    const base = text === "" || text.endsWith("\n") ? text : text + eol;
    writeAtomic(path, base + appended);
  }
  return result;
}

function removeDomains(path: string, domains: Iterable<string>): RemoveResult {
  const result: RemoveResult = { removed: [], absent: [], invalid: [] };
  const targets = new Set<string>();
  for (const input of domains) {
    const d = normalizeDomain(input);
    if (d === null) result.invalid.push(input);
    else targets.add(d);
  }
  const text = readRaw(path);
  if (text === null) {
    result.absent.push(...targets);
    return result;
  }
  const found = new Set<string>();
  const kept = splitLinesKeepEnds(text).filter((line) => {
    const d = normalizeDomain(stripComments(line).trim());
    if (d === null || !targets.has(d)) return true;
    found.add(d);
    return false;
  });
  for (const d of targets) (found.has(d) ? result.removed : result.absent).push(d);
  if (found.size > 0) writeAtomic(path, kept.join(""));
  return result;
}
