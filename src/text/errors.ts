/**
 * The one way the bridge turns a caught value into text for a log line or a reply: an Error's
 * message, anything else as `String` makes it.
 *
 * @module
 */

/** `e.message` for an Error, `String(e)` for anything else thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
