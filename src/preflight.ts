/**
 * What a start needs from the file system, checked before anything opens: the database's folder
 * and the log's folder exist and can be written, `bridge-files-dir` is (or can become) a
 * writable folder, its state and list files and the XMPP CA file can be read. `--check` prints
 * the problems and a start refuses to begin with them, each naming its key and how to fix it.
 *
 * The probes stay within the permission set the launcher derives (src/permissions.ts): they
 * write only the paths it grants (the database's `-journal` beside it, a file in
 * `bridge-files-dir`, the log file), each removed again when the probe created it.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Config, Role } from "./config/mod.ts";
import { errorText } from "./text/errors.ts";
import { EXIT_CONFIG, EXIT_NOPERM } from "./exit_codes.ts";

/** One thing a start would fail on. */
export interface PreflightProblem {
  /** The configuration key whose path is at fault. */
  readonly key: string;
  readonly problem: string;
  readonly fix: string;
  /** Refused by the process's permission set (exit 77) rather than by the file system (78). */
  readonly permission: boolean;
}

/** The state and list files in `bridge-files-dir` (src/lists/mod.ts names them the same). */
const LIST_FILES = [
  "xmpp-bridge-start.txt",
  "xmpp-bridge-open.txt",
  "xmpp-bridge-red.txt",
  "xmpp-bridge-green.txt",
];

type Found = PreflightProblem | null;

/** Turns a failed file operation into a problem naming the key; rethrows nothing. */
function failure(key: string, path: string, action: string, e: unknown): PreflightProblem {
  if (e instanceof Deno.errors.NotCapable) {
    return {
      key,
      permission: true,
      problem: `the permission set of this process does not allow to ${action} ${path}`,
      fix: "run it with the flags derived from this configuration (deno task flags), or add " +
        `${path} to --allow-read/--allow-write`,
    };
  }
  if (e instanceof Deno.errors.NotFound) {
    return {
      key,
      permission: false,
      problem: `${path} does not exist`,
      fix: `create it (mkdir -p ${path}) or correct "${key}"`,
    };
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return {
      key,
      permission: false,
      problem: `the user running the bridge may not ${action} ${path}`,
      fix: `give that user access (chown or chmod ${path})`,
    };
  }
  return { key, permission: false, problem: `cannot ${action} ${path}: ${errorText(e)}`, fix: "" };
}

/** `path` is an existing folder; else the problem. */
function folder(key: string, path: string): Found {
  try {
    if (Deno.statSync(path).isDirectory) return null;
    return {
      key,
      permission: false,
      problem: `${path} is not a folder`,
      fix: `point "${key}" at a folder`,
    };
  } catch (e) {
    return failure(key, path, "look at", e);
  }
}

/** Creates `probe` empty and removes it again; a file that exists already is opened instead. */
function writable(key: string, probe: string, shownPath: string): Found {
  try {
    const f = Deno.openSync(probe, { write: true, createNew: true });
    f.close();
    Deno.removeSync(probe);
    return null;
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) return failure(key, shownPath, "write in", e);
  }
  try {
    Deno.openSync(probe, { read: true, write: true }).close();
    return null;
  } catch (e) {
    return failure(key, probe, "write", e);
  }
}

/** A file that must be read (`required`) or may be absent. */
function readable(key: string, path: string, required: boolean): Found {
  try {
    Deno.readFileSync(path);
    return null;
  } catch (e) {
    if (!required && e instanceof Deno.errors.NotFound) return null;
    if (e instanceof Deno.errors.NotFound) {
      return {
        key,
        permission: false,
        problem: `${path} does not exist`,
        fix: `correct "${key}" or remove it`,
      };
    }
    return failure(key, path, "read", e);
  }
}

function databaseProblems(config: Config): Found[] {
  const key = "bridge-database-file";
  const dir = dirname(config.databaseFile);
  // The -journal beside the database is in the permission set; probing with it writes nothing
  // that SQLite would read (a journal is only ever read when it is not empty).
  return [
    folder(key, dir) ?? writable(key, `${config.databaseFile}-journal`, dir) ??
      writable(key, config.databaseFile, config.databaseFile),
  ];
}

function logProblems(config: Config): Found[] {
  if (config.logFile === null) return [];
  // The permission set names the log file, not its folder: probing the file tells both.
  return [writable("bridge-log-file", config.logFile, dirname(config.logFile))];
}

function filesDirProblems(config: Config): Found[] {
  const key = "bridge-files-dir";
  const dir = config.filesDir;
  let exists = true;
  try {
    Deno.statSync(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return [failure(key, dir, "look at", e)];
    exists = false;
  }
  if (!exists) {
    // A start creates it: check that it can, and leave nothing behind. A missing parent is
    // created too at start (which --check does not do, so that it leaves nothing behind).
    try {
      Deno.mkdirSync(dir);
      Deno.removeSync(dir);
      return [];
    } catch (e) {
      return e instanceof Deno.errors.NotFound ? [] : [failure(key, dir, "create", e)];
    }
  }
  const isFolder = folder(key, dir);
  if (isFolder) return [isFolder];
  return [
    writable(key, `${dir}/.xmpp-ap-bridge-check`, dir),
    ...LIST_FILES.map((name) => readable(key, `${dir}/${name}`, false)),
  ];
}

/** Every problem a start of `roles` would meet in the file system; empty when there is none. */
export function preflight(config: Config, roles: readonly Role[]): PreflightProblem[] {
  const found = [...databaseProblems(config), ...logProblems(config), ...filesDirProblems(config)];
  if (roles.includes("xmpp") && config.xmppCaFile) {
    found.push(readable("xmpp-tls-ca-file", config.xmppCaFile, true));
  }
  return found.filter((p): p is PreflightProblem => p !== null);
}

/** One line per problem: the key, what is wrong, how to fix it. */
export function preflightText(p: PreflightProblem): string {
  return `key "${p.key}": ${p.problem}` + (p.fix ? `. Fix: ${p.fix}` : "");
}

/** 77 when the permission set refused something, else 78. */
export function preflightExitCode(problems: readonly PreflightProblem[]): number {
  return problems.some((p) => p.permission) ? EXIT_NOPERM : EXIT_CONFIG;
}
