/**
 * State files and red/green domain lists (SPEC §6), kept in `bridge-files-dir`
 * in the same format as the old bridge, so an existing folder keeps working.
 *
 * - `xmpp-bridge-start.txt` holds the configured word for "start" or "stop";
 *   `xmpp-bridge-open.txt` the word for "open" or "close". Only the word is
 *   written (the old bridge compares the whole trimmed file with the word).
 * - `xmpp-bridge-red.txt` / `xmpp-bridge-green.txt`: one domain per line;
 *   everything after a `#` is a comment.
 *
 * Hand edits take effect without a restart: every use calls `stat` on the
 * file and re-reads it only when its modification time, size or inode changed.
 * One `stat` costs microseconds, works when the two roles run as two processes
 * and inside a compiled binary, and needs no watcher to keep alive or clean up.
 * (A rename-based save by an editor changes the inode; an in-place save changes
 * the time. An in-place edit of the same size within the same millisecond as
 * the previous write would go unseen until the next change.)
 *
 * Matching is exact: `example.com` listed matches `example.com` only, not
 * `a.example.com`. The old bridge matched exactly and told admins that every
 * subdomain needs its own line, so existing lists keep their meaning; and on
 * the Fediverse the subdomains of a hosting provider are separate servers run
 * by different people, so a parent entry would catch strangers (and, in
 * greenlist mode, let strangers in). A line `*.example.com` opts in to every
 * subdomain of example.com (not example.com itself: list it on its own line).
 * The old bridge sees such a line as a name that never matches, which is harmless.
 *
 * Domains are compared lower-cased, in their ASCII (punycode) form; lists may
 * be written in Unicode. Lines that are not a domain name are reported through
 * `onWarning` (file and line named) and ignored; the rest of the file is used.
 */
import { preparePrivateDir } from "./files.ts";

/** The configured command words that are also the contents of the state files. */
export interface StateWords {
  readonly start: string;
  readonly stop: string;
  readonly open: string;
  readonly close: string;
}

/** Something wrong in a file, worth a log line; never fatal. */
export interface ListWarning {
  readonly file: string;
  /** 1-based line number, when the warning is about one line. */
  readonly line?: number;
  readonly message: string;
}

export interface ListsOptions {
  /** `bridge-files-dir`; created with the files when missing. */
  readonly dir: string;
  readonly words: StateWords;
  /** Clock, for the date written in the comment of a line added by command. */
  readonly now?: () => number;
  /** Receives each warning once per version of the file it is about. */
  readonly onWarning?: (warning: ListWarning) => void;
}

export interface AddResult {
  readonly added: string[];
  readonly already: string[];
  /** Inputs that are not domain names, unchanged. */
  readonly invalid: string[];
}

export interface RemoveResult {
  readonly removed: string[];
  readonly absent: string[];
  readonly invalid: string[];
}

export interface Lists {
  readonly files: {
    readonly start: string;
    readonly open: string;
    readonly red: string;
    readonly green: string;
  };
  isSending(): boolean;
  setSending(on: boolean): void;
  isOpen(): boolean;
  setOpen(on: boolean): void;
  red(): ReadonlySet<string>;
  green(): ReadonlySet<string>;
  isRed(domain: string): boolean;
  isGreen(domain: string): boolean;
  /** Appends the new domains; `note` goes into the line's comment. Throws on I/O failure. */
  addRed(domains: Iterable<string>, note?: string): AddResult;
  addGreen(domains: Iterable<string>, note?: string): AddResult;
  /** Drops every line naming one of the domains; other lines stay as written. */
  delRed(domains: Iterable<string>): RemoveResult;
  delGreen(domains: Iterable<string>): RemoveResult;
}

export const FILE_NAMES = {
  start: "xmpp-bridge-start.txt",
  open: "xmpp-bridge-open.txt",
  red: "xmpp-bridge-red.txt",
  green: "xmpp-bridge-green.txt",
} as const;

const RED_HEADER = [
  "# Red list of the XMPP/Fediverse bridge: accounts on these domains may not",
  "# register, and registered ones are unregistered. It applies to both networks",
  "# and wins over the green list. The bots' own domains are never red-listed.",
  "#",
  "# One domain per line; text after a # is a comment. A name matches that exact",
  "# domain only: write each subdomain on its own line, or *.example.org for all",
  "# subdomains of example.org. Changes here apply at once, no restart needed.",
  "",
].join("\n");

const GREEN_HEADER = [
  "# Green list of the XMPP/Fediverse bridge. In greenlist mode only accounts on",
  "# these domains (and the bots' own domains) may register; otherwise Fediverse",
  "# accounts on these domains skip the recent-activity check.",
  "#",
  "# One domain per line; text after a # is a comment. A name matches that exact",
  "# domain only: write each subdomain on its own line, or *.example.org for all",
  "# subdomains of example.org. Changes here apply at once, no restart needed.",
  "",
].join("\n");

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The canonical form of a domain name (lower case, punycode, no trailing dot),
 * or null when `input` is not one. `*.example.org` is kept as a wildcard.
 */
export function normalizeDomain(input: string): string | null {
  let s = input.trim().toLowerCase();
  let wildcard = "";
  if (s.startsWith("*.")) {
    wildcard = "*.";
    s = s.slice(2);
  }
  if (s.endsWith(".")) s = s.slice(0, -1);
  if (s === "" || s.length > 253) return null;
  const chars = [...s];
  if (chars.some((c) => c > "\x7f")) {
    // Beyond ASCII, only letters may come in: URL would also accept a port, a
    // user name or a path, which are not part of a domain.
    if (chars.some((c) => c <= "\x7f" && !/[a-z0-9.-]/.test(c))) return null;
    try {
      s = new URL(`http://${s}`).hostname;
    } catch {
      return null;
    }
  }
  if (s.length > 253 || !s.split(".").every((label) => LABEL.test(label))) return null;
  return wildcard + s;
}

/** Whether the (already normalized) domain is in the set, exactly or by a `*.` entry. */
export function domainListed(domain: string, set: ReadonlySet<string>): boolean {
  if (set.has(domain)) return true;
  for (let i = domain.indexOf("."); i !== -1; i = domain.indexOf(".", i + 1)) {
    if (set.has(`*${domain.slice(i)}`)) return true;
  }
  return false;
}

interface Cached<T> {
  key: string;
  value: T;
}

type Words = { on: string; off: string };

export function openLists(opts: ListsOptions): Lists {
  const words = checkWords(opts.words);
  const now = opts.now ?? Date.now;
  const warn = opts.onWarning ?? (() => {});
  const files = {
    start: join(opts.dir, FILE_NAMES.start),
    open: join(opts.dir, FILE_NAMES.open),
    red: join(opts.dir, FILE_NAMES.red),
    green: join(opts.dir, FILE_NAMES.green),
  };

  preparePrivateDir(opts.dir);
  createIfMissing(files.start, `${words.start}\n`);
  createIfMissing(files.open, `${words.open}\n`);
  createIfMissing(files.red, RED_HEADER);
  createIfMissing(files.green, GREEN_HEADER);

  const cache = new Map<string, Cached<unknown>>();

  /** The parsed file, re-read only when stat says it changed. */
  function load<T>(path: string, parse: (text: string | null) => T): T {
    const key = statKey(path);
    const hit = cache.get(path);
    if (hit && hit.key === key) return hit.value as T;
    let text: string | null = null;
    if (key !== "missing") {
      try {
        text = Deno.readTextFileSync(path);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) {
          warn({ file: path, message: `cannot be read (${errorText(e)}); using the default` });
        }
      }
    }
    const value = parse(text);
    cache.set(path, { key, value });
    return value;
  }

  function readState(path: string, pair: Words): boolean {
    return load(path, (text) => {
      if (text === null) {
        warn({ file: path, message: `is missing; using "${pair.on}" until it is written again` });
        return true;
      }
      const word = splitLines(text).map(stripComments).join(" ").trim().toLowerCase();
      if (word === pair.on) return true;
      if (word === pair.off) return false;
      warn({
        file: path,
        message: `holds "${
          clip(word)
        }" instead of "${pair.on}" or "${pair.off}"; using "${pair.on}"`,
      });
      return true;
    });
  }

  function writeState(path: string, word: string): void {
    writeAtomic(path, `${word}\n`);
    cache.delete(path);
  }

  function readList(path: string): ReadonlySet<string> {
    return load(path, (text) => {
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
    });
  }

  function add(path: string, header: string, domains: Iterable<string>, note?: string): AddResult {
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
      cache.delete(path);
    }
    return result;
  }

  function remove(path: string, domains: Iterable<string>): RemoveResult {
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
    if (found.size > 0) {
      writeAtomic(path, kept.join(""));
      cache.delete(path);
    }
    return result;
  }

  const sending: Words = { on: words.start, off: words.stop };
  const open: Words = { on: words.open, off: words.close };
  const check = (path: string, domain: string): boolean => {
    const d = normalizeDomain(domain);
    return d !== null && !d.startsWith("*.") && domainListed(d, readList(path));
  };

  return {
    files,
    isSending: () => readState(files.start, sending),
    setSending: (on) => writeState(files.start, on ? words.start : words.stop),
    isOpen: () => readState(files.open, open),
    setOpen: (on) => writeState(files.open, on ? words.open : words.close),
    red: () => readList(files.red),
    green: () => readList(files.green),
    isRed: (domain) => check(files.red, domain),
    isGreen: (domain) => check(files.green, domain),
    addRed: (domains, note) => add(files.red, RED_HEADER, domains, note),
    addGreen: (domains, note) => add(files.green, GREEN_HEADER, domains, note),
    delRed: (domains) => remove(files.red, domains),
    delGreen: (domains) => remove(files.green, domains),
  };
}

function checkWords(w: StateWords): StateWords {
  const lower = {
    start: w.start.trim().toLowerCase(),
    stop: w.stop.trim().toLowerCase(),
    open: w.open.trim().toLowerCase(),
    close: w.close.trim().toLowerCase(),
  };
  for (const [name, word] of Object.entries(lower)) {
    if (word === "" || /[\s#]/.test(word)) {
      throw new Error(`lists: the "${name}" command word must be one word without "#"`);
    }
  }
  if (lower.start === lower.stop || lower.open === lower.close) {
    throw new Error("lists: the start/stop and open/close command words must differ");
  }
  return lower;
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

function createIfMissing(path: string, content: string): void {
  try {
    Deno.lstatSync(path);
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    // createNew: when both roles start at once, the first one wins.
    Deno.writeTextFileSync(path, content, { createNew: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
}

function statKey(path: string): string {
  try {
    const s = Deno.statSync(path);
    return `${s.mtime?.getTime() ?? "?"}|${s.size}|${s.ino ?? "?"}`;
  } catch {
    return "missing";
  }
}

function readRaw(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Replaces the file in one step (temporary file, then rename), so a reader in
 * another process sees the old or the new file, never half of one. A symbolic
 * link is followed: its target is replaced and the link stays.
 */
function writeAtomic(path: string, content: string): void {
  let target = path;
  let mode: number | undefined;
  try {
    target = Deno.realPathSync(path);
    mode = Deno.statSync(target).mode ?? undefined;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const tmp = `${target}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, content, mode === undefined ? {} : { mode: mode & 0o777 });
    if (mode !== undefined && Deno.build.os !== "windows") Deno.chmodSync(tmp, mode & 0o777);
    Deno.renameSync(tmp, target);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* it may not exist */ }
    throw new Error(`cannot write ${path}: ${errorText(e)}`);
  }
}

function stripComments(line: string): string {
  const i = line.indexOf("#");
  return (i === -1 ? line : line.slice(0, i)).replace(/^\uFEFF/, "");
}

function splitLines(text: string): string[] {
  return text.split("\n");
}

function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
