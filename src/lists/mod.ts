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
 *
 * Files: `domains.ts` (names and matching), `state.ts` (the two state files),
 * `domain_lists.ts` (red and green lists), `disk.ts` (atomic writes, the re-read cache).
 */
import { preparePrivateDir } from "../files.ts";
import { createIfMissing, fileCache, join } from "./disk.ts";
import { domainList, GREEN_HEADER, RED_HEADER } from "./domain_lists.ts";
import { checkWords, stateFile } from "./state.ts";
import type { Lists, ListsOptions } from "./types.ts";

export { domainListed, normalizeDomain } from "./domains.ts";

export type {
  AddResult,
  Lists,
  ListsOptions,
  ListWarning,
  RemoveResult,
  StateWords,
} from "./types.ts";

export const FILE_NAMES = {
  start: "xmpp-bridge-start.txt",
  open: "xmpp-bridge-open.txt",
  red: "xmpp-bridge-red.txt",
  green: "xmpp-bridge-green.txt",
} as const;

/** Opens the lists in `opts.dir`, creating missing files with their defaults. */
export function openLists(opts: ListsOptions): Lists {
  const words = checkWords(opts.words);
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

  const cache = fileCache(warn);
  const sending = stateFile(files.start, { on: words.start, off: words.stop }, cache, warn);
  const open = stateFile(files.open, { on: words.open, off: words.close }, cache, warn);
  const deps = { cache, warn, now: opts.now ?? Date.now };
  const red = domainList(files.red, RED_HEADER, deps);
  const green = domainList(files.green, GREEN_HEADER, deps);

  return {
    files,
    isSending: sending.get,
    setSending: sending.set,
    isOpen: open.get,
    setOpen: open.set,
    red: red.read,
    green: green.read,
    isRed: red.has,
    isGreen: green.has,
    addRed: red.add,
    addGreen: green.add,
    delRed: red.remove,
    delGreen: green.remove,
  };
}
