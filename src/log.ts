/**
 * Logging set-up: the only module that configures LogTape. Every other module asks for a logger
 * with {@link logger} and a category of its own, and passes values as properties.
 *
 * Lines go to stderr (journald keeps them under systemd) and, when configured, are appended to
 * `bridge-log-file` through `@logtape/file`; {@link reopenLogFile} opens that file again (after
 * logrotate moved it). Secrets never reach either: `@logtape/redaction` masks properties whose
 * names look like a secret or a message body, whatever their value, and the values registered
 * with {@link redactSecrets} wherever they appear in a line.
 */
import {
  configure,
  getLogger,
  getTextFormatter,
  type Logger,
  type LogLevel as LogTapeLevel,
  type LogRecord,
  reset,
  type Sink,
  type TextFormatter,
} from "@logtape/logtape";
import { getFileSink } from "@logtape/file";
import { redactByField, redactByPattern, type RedactionPattern } from "@logtape/redaction";
import type { LogLevel } from "./config/mod.ts";
import { preparePrivateFile } from "./files.ts";
import { journalPrefix, jsonLine, type LineStyle, type LogFormat } from "./log_format.ts";

export { LOG_FORMATS, type LogFormat } from "./log_format.ts";

const ROOT = "bridge";
const MASK = "[redacted]";
/** Property names whose values are never written: credentials and message contents. */
const SENSITIVE_KEY = /pass|token|secret|authorization|cookie|^body$|^content$|^text$/i;
const PLACEHOLDER = /\{(\w+)\}/g;

const secrets = new Set<string>();
/** The line layout of each destination, wrapped in the masking of {@link secrets}. */
const lineFormatters = new Map<string, TextFormatter>();
/** The layout chosen by {@link setupLogging}: text or JSON, journald's prefixes on stderr. */
let style: LineStyle = { format: "text", journal: false };
/** The open log file sink, if any (for {@link reopenLogFile}). */
let logFile: ReopenableSink | null = null;

/** Values to mask in every log line from now on (passwords, tokens). Short values are ignored. */
export function redactSecrets(...values: readonly string[]): void {
  for (const v of values) if (v.length >= 4) secrets.add(v);
  lineFormatters.clear();
}

/** A logger for one module: `logger("xmpp")` logs under `bridge.xmpp`. */
export function logger(...category: string[]): Logger {
  return getLogger([ROOT, ...category]);
}

/** What {@link setupLogging} needs: the lowest level written and where lines go. */
export interface LogSetup {
  readonly level: LogLevel;
  /** Append lines to this file as well (null: stderr only). */
  readonly file: string | null;
  /** Where lines go instead of stderr (tests). */
  readonly write?: (line: string) => void;
  /** `--log-format`: plain text lines (the default) or one JSON object per line. */
  readonly format?: LogFormat;
  /**
   * Standard error goes to journald (`JOURNAL_STREAM` is set): no timestamp there (the journal
   * adds its own) and a `<N>` priority prefix journald reads. The log file keeps timestamps.
   */
  readonly journal?: boolean;
}

/** Configures logging for the process; safe to call again (it replaces the previous set-up). */
export async function setupLogging(setup: LogSetup): Promise<void> {
  const write = setup.write ?? stderrWriter();
  style = { format: setup.format ?? "text", journal: setup.journal ?? false };
  lineFormatters.clear();
  const sinks: Record<string, Sink> = {
    main: redacting((record) => write(formatRecord(record, style))),
  };
  // Created 0600 when missing; an existing file others can read is named in a warning.
  const warning = setup.file ? preparePrivateFile(setup.file) : null;
  logFile = setup.file ? reopenableFileSink(setup.file) : null;
  if (logFile) sinks.file = redacting(logFile);
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: [ROOT], lowestLevel: setup.level, sinks: Object.keys(sinks) },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["main"] },
    ],
  });
  if (warning !== null) logger("log").warn("{warning}", { warning });
}

/**
 * Closes the log file and opens it again under its configured path (created 0600 when missing),
 * for a SIGHUP after logrotate moved the file away. Does nothing when no log file is configured.
 */
export function reopenLogFile(): void {
  logFile?.reopen();
}

/** Ends logging: flushes and closes the sinks (the log file included). */
export async function stopLogging(): Promise<void> {
  logFile = null;
  await reset();
}

/**
 * Renders one record as a line ending in a newline, with secrets masked, in the given layout
 * (by default the log file's: the configured format, with timestamps). Sensitive properties
 * are masked before this by the sinks (see {@link redacting}).
 */
export function formatRecord(
  record: LogRecord,
  layout: LineStyle = { format: style.format, journal: false },
): string {
  const key = `${layout.format}:${layout.journal}`;
  let formatter = lineFormatters.get(key);
  if (!formatter) {
    formatter = maskingFormatter(baseFormatter(layout));
    lineFormatters.set(key, formatter);
  }
  return formatter(record);
}

/** Masks properties (and their placeholders) whose names match {@link SENSITIVE_KEY}. */
function redacting(sink: Sink): Sink {
  return redactByField(sink, { fieldPatterns: [SENSITIVE_KEY], action: () => MASK });
}

const LEVEL_LABEL: Record<LogTapeLevel, string> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARN",
  error: "ERROR",
  fatal: "FATAL",
};

/**
 * `2024-01-02T03:04:05.000Z INFO bridge.xmpp: message key=value`, one line; for journald
 * `<6>INFO bridge.xmpp: message key=value`.
 */
function textFormatter(journal: boolean): TextFormatter {
  return getTextFormatter({
    timestamp: "rfc3339",
    level: (level) => LEVEL_LABEL[level],
    category: ".",
    value: render,
    // Newlines are escaped over the whole line below; other characters stay as they were logged.
    sanitize: false,
    format: ({ timestamp, level, category, message, record }) => {
      const extra = unusedProperties(record);
      const start = journal ? journalPrefix(record.level) : `${timestamp} `;
      const line = `${start}${level} ${category}: ${message}${extra ? ` ${extra}` : ""}`;
      return line.replaceAll("\n", "\\n");
    },
  });
}

function baseFormatter(layout: LineStyle): TextFormatter {
  if (layout.format === "text") return textFormatter(layout.journal);
  return (record) =>
    layout.journal
      ? `${journalPrefix(record.level)}${jsonLine(record, render, { time: false })}\n`
      : `${jsonLine(record, render)}\n`;
}

function maskingFormatter(base: TextFormatter): TextFormatter {
  // A secret is masked as written and as it reads inside a JSON string.
  const forms = new Set([...secrets].flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]));
  const patterns: RedactionPattern[] = [...forms].map((s) => ({
    pattern: new RegExp(RegExp.escape(s), "g"),
    replacement: MASK,
  }));
  return patterns.length === 0 ? base : redactByPattern(base, patterns);
}

/** The properties the message template does not show, as `key=value` pairs. */
function unusedProperties(record: LogRecord): string {
  const used = typeof record.rawMessage === "string"
    ? new Set([...record.rawMessage.matchAll(PLACEHOLDER)].map((m) => m[1]))
    : new Set<string>();
  return Object.entries(record.properties)
    .filter(([k]) => !used.has(k))
    .map(([k, v]) => `${k}=${render(v)}`)
    .join(" ");
}

function render(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function stderrWriter(): (line: string) => void {
  const enc = new TextEncoder();
  return (line) => {
    Deno.stderr.writeSync(enc.encode(line));
  };
}

type ReopenableSink = Sink & Disposable & { reopen(): void };

/**
 * `@logtape/file`'s sink (unbuffered: every line is written when logged), which {@link
 * reopenLogFile} replaces by a fresh one on the same path; LogTape disposes it on reset.
 */
function reopenableFileSink(path: string): ReopenableSink {
  const open = () => getFileSink(path, { formatter: (r) => formatRecord(r), bufferSize: 0 });
  let current = open();
  const sink = (record: LogRecord) => current(record);
  return Object.assign(sink, {
    reopen: () => {
      current[Symbol.dispose]();
      preparePrivateFile(path);
      current = open();
    },
    [Symbol.dispose]: () => current[Symbol.dispose](),
  });
}
