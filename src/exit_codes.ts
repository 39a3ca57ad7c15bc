/**
 * The process's exit codes, chosen so that a service manager can tell a fault that restarting
 * cures from one that only the operator can fix (`RestartPreventExitStatus=77 78` in the units):
 *
 * - 78 (`EX_CONFIG` of sysexits.h): the configuration or a credential is wrong (a bad key, a
 *   refused token or password, an untrusted certificate);
 * - 77 (`EX_NOPERM`): the permission set refused something the bridge needs (a host outside
 *   `--allow-net`, typically after the server moved its streaming API or its SRV records);
 * - 2: a bad command line; 1: anything else (a crash).
 *
 * Passing faults (a server down, a lost connection) never end the process: it retries inside.
 *
 * @module
 */
import { ConfigError } from "./config/mod.ts";
import { FediStartupError } from "./fedi/startup_error.ts";
import { isPermanentConnectError } from "./xmpp/errors.ts";
import { isPermissionError } from "./permission_error.ts";

export { isPermissionError, PermissionRefusedError } from "./permission_error.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** A refused permission (sysexits.h `EX_NOPERM`). */
export const EXIT_NOPERM = 77;
/** A configuration or credential error (sysexits.h `EX_CONFIG`). */
export const EXIT_CONFIG = 78;

/** The exit code for an error that ended the start or the run. */
export function exitCodeFor(error: unknown): number {
  if (isPermissionError(error)) return EXIT_NOPERM;
  if (error instanceof ConfigError || error instanceof FediStartupError) return EXIT_CONFIG;
  if (isPermanentConnectError(error)) return EXIT_CONFIG;
  return EXIT_FAILURE;
}
