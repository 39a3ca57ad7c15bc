/**
 * The bridge's own files are private: the database (with its `-wal`, `-shm` and `-journal`,
 * which SQLite creates with the database's mode) and the log file are created readable by their
 * owner only (0600), the folders it creates 0700, whatever the umask (it is set explicitly after
 * creating). A file that exists already is left as it is, with a warning when its group or
 * others may use it: the operator may have chosen that, and changing modes behind their back
 * would surprise.
 *
 * @module
 */

/** The mode of the files the bridge creates for itself. */
export const PRIVATE_FILE_MODE = 0o600;
/** The mode of the folders the bridge creates. */
export const PRIVATE_DIR_MODE = 0o700;

const POSIX = Deno.build.os !== "windows";

/** The warning for an existing file that others may use, or null. */
function openToOthers(path: string): string | null {
  if (!POSIX) return null;
  const mode = Deno.statSync(path).mode;
  if (mode === null || (mode & 0o077) === 0) return null;
  const octal = (mode & 0o777).toString(8).padStart(3, "0");
  return `${path} can be read by other users (mode ${octal}); consider chmod 600`;
}

/**
 * Creates `path` empty with mode 0600 when it does not exist. Returns a warning when it exists
 * and its group or others have any access, else null.
 */
export function preparePrivateFile(path: string): string | null {
  try {
    Deno.openSync(path, { write: true, createNew: true, mode: PRIVATE_FILE_MODE }).close();
    if (POSIX) Deno.chmodSync(path, PRIVATE_FILE_MODE);
    return null;
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  return openToOthers(path);
}

/**
 * Creates the folder `path` (and missing parents) with mode 0700 when it does not exist. An
 * existing folder is left alone (a folder holds no secret by itself).
 */
export function preparePrivateDir(path: string): void {
  try {
    Deno.statSync(path);
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  Deno.mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (POSIX) Deno.chmodSync(path, PRIVATE_DIR_MODE);
}
