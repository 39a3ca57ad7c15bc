/**
 * The two state files: `xmpp-bridge-start.txt` holds the configured word for "start" or
 * "stop", `xmpp-bridge-open.txt` the word for "open" or "close" (only the word is written).
 */
import { clip, type FileCache, splitLines, stripComments, writeAtomic } from "./disk.ts";
import type { ListWarning, StateWords } from "./types.ts";

/** The word meaning "on" and the one meaning "off" of one state file. */
export interface WordPair {
  readonly on: string;
  readonly off: string;
}

/** The words lower-cased and trimmed; throws when one is empty, has a space or `#`, or a pair is equal. */
export function checkWords(w: StateWords): StateWords {
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

/** Reads and writes one state file; anything but the two words (or no file) reads as "on". */
export function stateFile(
  path: string,
  pair: WordPair,
  cache: FileCache,
  warn: (warning: ListWarning) => void,
): { get(): boolean; set(on: boolean): void } {
  const parse = (text: string | null): boolean => {
    if (text === null) {
      warn({ file: path, message: `is missing; using "${pair.on}" until it is written again` });
      return true;
    }
    const word = splitLines(text).map(stripComments).join(" ").trim().toLowerCase();
    if (word === pair.on) return true;
    if (word === pair.off) return false;
    warn({
      file: path,
      message: `holds "${clip(word)}" instead of "${pair.on}" or "${pair.off}"; using "${pair.on}"`,
    });
    return true;
  };
  return {
    get: () => cache.load(path, parse),
    set(on) {
      writeAtomic(path, `${on ? pair.on : pair.off}\n`);
      cache.forget(path);
    },
  };
}
