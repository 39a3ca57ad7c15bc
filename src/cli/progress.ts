/**
 * How `--import-old-db` (and the in-place import of a first start) shows its progress: on a
 * terminal, one line per old table rewritten in place as rows go by (a bar and a percentage);
 * otherwise nothing until the end, then one summary line.
 *
 * @module
 */

import type { ImportProgress } from "../store/mod.ts";

/** The names the old tables are shown with. */
const TABLE_NAMES: Readonly<Record<string, string>> = {
  users: "users",
  blocks: "personal blocks",
  instb: "bridge-wide blocks",
  comm: "conversation records",
};

const BAR_WIDTH = 24;

/** One progress line: `users                 [#####.....]  42% (420/1000)`. */
export function progressLine(p: ImportProgress): string {
  const share = p.total === 0 ? 1 : Math.min(p.done / p.total, 1);
  const filled = Math.round(share * BAR_WIDTH);
  const name = (TABLE_NAMES[p.table] ?? p.table).padEnd(20);
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `${name} [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${percent} ` +
    `(${p.done}/${p.total})`;
}

/** Receives the import's progress and says how it went at the end. */
export interface ProgressReporter {
  readonly onProgress: (p: ImportProgress) => void;
  /** Ends the display; on a non-terminal writes the one summary line. */
  finish(ok: boolean): void;
}

/**
 * A reporter writing raw text to `write` (standard error). `terminal`: whether that is a
 * terminal; `now`: the clock, for the elapsed time of the summary.
 */
export function progressReporter(
  write: (text: string) => void,
  terminal: boolean,
  now: () => number = Date.now,
): ProgressReporter {
  const started = now();
  let current: string | null = null;
  let rows = 0;
  let tables = 0;
  const doneRows = new Map<string, number>();
  return {
    onProgress(p) {
      if (!doneRows.has(p.table)) tables++;
      doneRows.set(p.table, p.done);
      if (!terminal) return;
      // A new table starts a new line; the same table rewrites its line.
      if (current !== null && current !== p.table) write("\n");
      current = p.table;
      write(`\r${progressLine(p)}`);
    },
    finish(ok) {
      rows = [...doneRows.values()].reduce((a, b) => a + b, 0);
      if (terminal) {
        if (current !== null) write("\n");
        return;
      }
      const seconds = ((now() - started) / 1000).toFixed(1);
      write(
        `${ok ? "import done" : "import stopped"}: ${rows} rows read from ${tables} ` +
          `old tables in ${seconds} s\n`,
      );
    },
  };
}
