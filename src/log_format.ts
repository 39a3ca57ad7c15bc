/**
 * The layouts of a log line besides the plain text one of src/log.ts: one JSON object per line
 * (`--log-format json`), and the `<N>` priority prefix journald reads from standard error when
 * it runs the bridge (`JOURNAL_STREAM` set).
 *
 * @module
 */
import type { LogLevel as LogTapeLevel, LogRecord } from "@logtape/logtape";

export const LOG_FORMATS = ["text", "json"] as const;
/** `--log-format`. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How lines are laid out for one destination. */
export interface LineStyle {
  readonly format: LogFormat;
  /** journald's priority prefix, no timestamp (the journal keeps its own). */
  readonly journal: boolean;
}

/** sd-daemon(3) priorities: 2 critical, 3 error, 4 warning, 6 info, 7 debug. */
const PRIORITY: Record<LogTapeLevel, number> = {
  trace: 7,
  debug: 7,
  info: 6,
  warning: 4,
  error: 3,
  fatal: 2,
};

/** `<6>` for an info line and so on. */
export function journalPrefix(level: LogTapeLevel): string {
  return `<${PRIORITY[level]}>`;
}

/** Whether standard error is journald's: systemd sets `JOURNAL_STREAM` for a unit's output. */
export function underJournald(getEnv: (name: string) => string | undefined): boolean {
  return (getEnv("JOURNAL_STREAM") ?? "") !== "";
}

/**
 * `{"time":…,"level":"info","logger":"bridge.main","message":…,…}` (without `time` for
 * journald): the message with its placeholders filled, then every property; values are rendered as in text lines (an error as
 * its message), numbers and booleans stay JSON numbers and booleans.
 */
export function jsonLine(
  record: LogRecord,
  render: (value: unknown) => string,
  { time = true }: { time?: boolean } = {},
): string {
  const message = record.message
    .map((part, i) => i % 2 === 0 ? String(part) : render(part))
    .join("");
  const fields: Record<string, unknown> = {
    ...(time ? { time: new Date(record.timestamp).toISOString() } : {}),
    level: record.level,
    logger: record.category.join("."),
    message,
  };
  for (const [key, value] of Object.entries(record.properties)) {
    if (key in fields) continue;
    const plain = typeof value === "number" || typeof value === "boolean" || value === null;
    fields[key] = plain ? value : render(value);
  }
  return JSON.stringify(fields);
}
