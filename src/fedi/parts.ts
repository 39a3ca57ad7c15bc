/**
 * Numbers of the threads the Fediverse sender posts: how many statuses a notice may become, and
 * the Idempotency-Key of each part.
 *
 * @module
 */

/** The most statuses one notice of the bot becomes (a help text is far shorter). */
export const NOTICE_MAX_PARTS = 12;

/** The Idempotency-Key of part `index` (from 0) of a thread: the row's key for the first. */
export function partKey(key: string, index: number): string {
  return index === 0 ? key : `${key}-${index + 1}`;
}
