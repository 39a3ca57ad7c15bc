/**
 * Ordering of Fediverse ids. Mastodon's ids are decimal numbers of varying length (snowflakes),
 * GoToSocial's are ULIDs and Pleroma's flake ids: all of those sort as text once equal in length,
 * so decimal ids are compared by value and the others as text.
 *
 * @module
 */

const DECIMAL = /^\d+$/;

/** Negative when `a` is older than `b`, positive when newer, 0 when equal. */
export function compareIds(a: string, b: string): number {
  if (DECIMAL.test(a) && DECIMAL.test(b)) {
    const x = a.replace(/^0+(?=\d)/, "");
    const y = b.replace(/^0+(?=\d)/, "");
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newer of two ids (null counts as older than any id). */
export function maxId(a: string | null, b: string): string {
  return a === null || compareIds(b, a) > 0 ? b : a;
}
