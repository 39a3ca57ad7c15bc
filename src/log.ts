/**
 * Logging set-up: the only module that configures LogTape. Every other module asks for a logger
 * with {@link logger} and a category of its own, and passes values as properties.
 *
 * Lines go to stderr (journald keeps them under systemd) and, when configured, are appended to
 * `bridge-log-file`. Secrets never reach either: the values registered with {@link
 * redactSecrets} are masked wherever they appear, and properties whose names look like a secret
 * or a message body are masked whatever their value.
 */
import {
  configure,
  getLogger,
  type Logger,
  type LogLevel as LogTapeLevel,
  type LogRecord,
  reset,
  type Sink,
} from "@logtape/logtape";
import type { LogLevel } from "./config/mod.ts";
import { preparePrivateFile } from "./files.ts";

const ROOT = "bridge";
const MASK = "[redacted]";
/** Property names whose values are never written: credentials and message contents. */
const SENSITIVE_KEY = /pass|token|secret|authorization|cookie|^body$|^content$|^text$/i;

const secrets = new Set<string>();

/** Values to mask in every log line from now on (passwords, tokens). Short values are ignored. */
export function redactSecrets(...values: readonly string[]): void {
  for (const v of values) if (v.length >= 4) secrets.add(v);
}

/** A logger for one module: `logger("xmpp")` logs under `bridge.xmpp`. */
export function logger(...category: string[]): Logger {
  return getLogger([ROOT, ...category]);
}

export interface LogSetup {
  readonly level: LogLevel;
  /** Append lines to this file as well (null: stderr only). */
  readonly file: string | null;
  /** Where lines go instead of stderr (tests). */
  readonly write?: (line: string) => void;
}

/** Configures logging for the process; safe to call again (it replaces the previous set-up). */
export async function setupLogging(setup: LogSetup): Promise<void> {
  const write = setup.write ?? stderrWriter();
  const sinks: Record<string, Sink> = { main: lineSink(write) };
  // Created 0600 when missing; an existing file others can read is named in a warning.
  const warning = setup.file ? preparePrivateFile(setup.file) : null;
  if (setup.file) sinks.file = fileSink(setup.file);
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

export async function stopLogging(): Promise<void> {
  await reset();
}

/** Renders one record as a line, with secrets and sensitive properties masked. */
export function formatRecord(record: LogRecord): string {
  const level = LEVEL_LABEL[record.level];
  const category = record.category.join(".");
  const props = record.properties;
  let message: string;
  if (typeof record.rawMessage === "string") {
    message = record.rawMessage.replace(/\{(\w+)\}/g, (whole, key: string) => {
      if (!Object.hasOwn(props, key)) return whole;
      return render(key, props[key]);
    });
  } else {
    message = record.message.map((part, i) => i % 2 === 0 ? String(part) : render("", part))
      .join("");
  }
  const used = typeof record.rawMessage === "string"
    ? new Set([...record.rawMessage.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))
    : new Set<string>();
  const extra = Object.entries(props)
    .filter(([k]) => !used.has(k))
    .map(([k, v]) => `${k}=${render(k, v)}`)
    .join(" ");
  const time = new Date(record.timestamp).toISOString();
  return maskSecrets(`${time} ${level} ${category}: ${message}${extra ? ` ${extra}` : ""}`);
}

const LEVEL_LABEL: Record<LogTapeLevel, string> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARN",
  error: "ERROR",
  fatal: "FATAL",
};

function render(key: string, value: unknown): string {
  if (key && SENSITIVE_KEY.test(key)) return MASK;
  if (value instanceof Error) return value.message;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function maskSecrets(line: string): string {
  let out = line;
  for (const s of secrets) out = out.replaceAll(s, MASK);
  return out.replaceAll("\n", "\\n");
}

function lineSink(write: (line: string) => void): Sink {
  return (record) => write(formatRecord(record) + "\n");
}

function stderrWriter(): (line: string) => void {
  const enc = new TextEncoder();
  return (line) => {
    Deno.stderr.writeSync(enc.encode(line));
  };
}

/** Appends to a file; LogTape closes it (through `Symbol.dispose`) when logging is reset. */
function fileSink(path: string): Sink & Disposable {
  const enc = new TextEncoder();
  const file = Deno.openSync(path, { append: true, create: true });
  const sink = lineSink((line) => {
    file.writeSync(enc.encode(line));
  });
  return Object.assign(sink, { [Symbol.dispose]: () => file.close() });
}
