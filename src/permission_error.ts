/**
 * Telling a refused permission apart from other failures, so that the process can stop with a
 * clear message and exit code 77 instead of retrying what the permission set will never allow.
 *
 * @module
 */

/**
 * Raised when Deno's permission set refuses a host or file the bridge needs. The message names
 * the configuration key that leads there and what to do.
 */
export class PermissionRefusedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PermissionRefusedError";
  }
}

/**
 * Whether `error` is Deno refusing an operation for want of a permission: thrown by Deno's own
 * APIs (`NotCapable`), or reported by `node:net` as `EPERM` (a host outside `--allow-net`).
 */
export function isPermissionError(error: unknown): boolean {
  if (error instanceof PermissionRefusedError || error instanceof Deno.errors.NotCapable) {
    return true;
  }
  return typeof error === "object" && error !== null &&
    (error as { code?: unknown }).code === "EPERM";
}
