/**
 * The file operations of the lists: create once, read raw, replace atomically, and the
 * `stat`-keyed cache that re-reads a file only when it changed on disk (see mod.ts).
 */
import type { ListWarning } from "./types.ts";

/** `dir/name`, without doubling a trailing separator. */
export function join(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

/** Writes `content` unless the file exists; when both roles start at once, the first one wins. */
export function createIfMissing(path: string, content: string): void {
  try {
    Deno.lstatSync(path);
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    Deno.writeTextFileSync(path, content, { createNew: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
}

/** The file's text, or null when it does not exist; other errors are thrown. */
export function readRaw(path: string): string | null {
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
export function writeAtomic(path: string, content: string): void {
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

/** Parsed files, each re-read only when its modification time, size or inode changed. */
export interface FileCache {
  /** The parsed file (`parse` gets null when the file is missing or unreadable). */
  load<T>(path: string, parse: (text: string | null) => T): T;
  /** Forgets a file after this process wrote it. */
  forget(path: string): void;
}

/** A {@link FileCache}; read failures other than "missing" are reported through `warn`. */
export function fileCache(warn: (warning: ListWarning) => void): FileCache {
  const cache = new Map<string, { key: string; value: unknown }>();
  return {
    load<T>(path: string, parse: (text: string | null) => T): T {
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
    },
    forget: (path) => void cache.delete(path),
  };
}

function statKey(path: string): string {
  try {
    const s = Deno.statSync(path);
    return `${s.mtime?.getTime() ?? "?"}|${s.size}|${s.ino ?? "?"}`;
  } catch {
    return "missing";
  }
}

/** The line without its `#` comment (and without a byte-order mark). */
export function stripComments(line: string): string {
  const i = line.indexOf("#");
  return (i === -1 ? line : line.slice(0, i)).replace(/^\uFEFF/, "");
}

export function splitLines(text: string): string[] {
  return text.split("\n");
}

export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A file's content shortened for a warning. */
export function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
