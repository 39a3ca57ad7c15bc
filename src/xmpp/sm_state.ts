/**
 * The XEP-0198 state kept between runs, so that a restarted bridge resumes the session the
 * server still holds for it instead of opening a new one (which would make the server replace
 * the old session and drop what it had queued there): the stream-management id, the server's
 * preferred location if it named one, and `h`, the count of stanzas whose handling committed.
 *
 * Stored as one JSON row of the store's `meta` table; only the XMPP role writes it.
 *
 * @module
 */

/** The `meta` key of the stored state. */
export const SM_STATE_KEY = "xmpp.stream_management";

/** What a resumption needs. */
export interface SmState {
  /** The bot's bare JID the session belongs to (a changed account never resumes it). */
  readonly jid: string;
  /** The stream-management id from `<enabled id=.../>`. */
  readonly id: string;
  /** The `location` attribute of `<enabled/>`, or null. */
  readonly location: string | null;
  /** The full JID the session was bound to, or null. */
  readonly bound: string | null;
  /** Stanzas of that session whose handling committed (XEP-0198 `h`, 0 to 2^32-1). */
  readonly h: number;
}

/** Where the state lives between runs. */
export interface SmStateStore {
  /** The stored state, or null. Throws, naming the problem, when what is stored is unreadable. */
  load(): SmState | null;
  save(state: SmState): void;
  clear(): void;
}

/** Reads a stored state; throws an error saying what is wrong with it. */
export function parseSmState(text: string): SmState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the stored XEP-0198 state (${SM_STATE_KEY}) is not JSON`);
  }
  if (typeof value !== "object" || value === null) {
    throw new Error(`the stored XEP-0198 state (${SM_STATE_KEY}) is not an object`);
  }
  const { jid, id, location, h } = value as Record<string, unknown>;
  const bound = (value as Record<string, unknown>).bound ?? null;
  const bad = (field: string, expected: string) =>
    new Error(`the stored XEP-0198 state (${SM_STATE_KEY}) has no valid ${field}: ${expected}`);
  if (typeof jid !== "string" || jid === "") throw bad("jid", "a non-empty string");
  if (typeof id !== "string" || id === "") throw bad("id", "a non-empty string");
  if (location !== null && typeof location !== "string") throw bad("location", "a string or null");
  if (bound !== null && typeof bound !== "string") throw bad("bound", "a string or null");
  if (typeof h !== "number" || !Number.isInteger(h) || h < 0 || h >= 2 ** 32) {
    throw bad("h", "an integer from 0 to 2^32-1");
  }
  return { jid, id, location, bound, h };
}

/** The part of the store's `Meta` this needs. */
export interface MetaLike {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): boolean;
}

/** The state in the store's `meta` table. */
export class MetaSmStateStore implements SmStateStore {
  readonly #meta: MetaLike;

  constructor(meta: MetaLike) {
    this.#meta = meta;
  }

  load(): SmState | null {
    const text = this.#meta.get(SM_STATE_KEY);
    return text === undefined ? null : parseSmState(text);
  }

  save(state: SmState): void {
    this.#meta.set(SM_STATE_KEY, JSON.stringify(state));
  }

  clear(): void {
    this.#meta.delete(SM_STATE_KEY);
  }
}

/** The state in memory only (tests; a bot without a store): nothing survives the process. */
export class MemorySmStateStore implements SmStateStore {
  state: SmState | null = null;

  load(): SmState | null {
    return this.state;
  }

  save(state: SmState): void {
    this.state = state;
  }

  clear(): void {
    this.state = null;
  }
}
