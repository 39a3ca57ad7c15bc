/**
 * What tests get back from the server (accounts with their token, statuses
 * in plain form) and the waiting machinery behind `waitForStatus`,
 * `nextStatus` and `waitUntil`.
 */

import type { ServerState } from "./state.ts";
import type { AccountRecord, StatusRecord, Visibility } from "./types.ts";

export interface TestAccount {
  readonly id: string;
  readonly username: string;
  /** As this server shows it: `name` for a local account, `name@domain` otherwise. */
  readonly acct: string;
  /** Always `name@domain`. */
  readonly address: string;
  readonly local: boolean;
  /** Bearer token; `null` for accounts of other servers. */
  readonly token: string | null;
}

/** A status in the form tests assert on. */
export interface PostedStatus {
  readonly id: string;
  readonly accountId: string;
  readonly text: string;
  /** The rendered HTML content. */
  readonly content: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly visibility: Visibility;
  readonly language: string | null;
  readonly inReplyToId: string | null;
  readonly inReplyToAccountId: string | null;
  /** Mentioned accounts as `name@domain`. */
  readonly mentions: string[];
  readonly mediaIds: string[];
  readonly poll: { options: string[]; expiresAt: number | null; multiple: boolean } | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: number;
  readonly editedAt: number | null;
}

export function toTestAccount(state: ServerState, a: AccountRecord): TestAccount {
  return {
    id: a.id,
    username: a.username,
    acct: state.acct(a),
    address: state.fullAcct(a),
    local: a.domain === null,
    token: a.token,
  };
}

export function toPosted(state: ServerState, s: StatusRecord): PostedStatus {
  return {
    id: s.id,
    accountId: s.accountId,
    text: s.text,
    content: s.content,
    spoilerText: s.spoilerText,
    sensitive: s.sensitive,
    visibility: s.visibility,
    language: s.language,
    inReplyToId: s.inReplyToId,
    inReplyToAccountId: s.inReplyToAccountId,
    mentions: s.mentionIds.flatMap((id) => {
      const a = state.accounts.get(id);
      return a === undefined ? [] : [state.fullAcct(a)];
    }),
    mediaIds: [...s.mediaIds],
    poll: s.poll === null
      ? null
      : { options: [...s.poll.options], expiresAt: s.poll.expiresAt, multiple: s.poll.multiple },
    idempotencyKey: s.idempotencyKey,
    createdAt: s.createdAt,
    editedAt: s.editedAt,
  };
}

interface Pending {
  settle(): boolean;
  reject(e: Error): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Promises that settle on server events, each with a real-time safety timeout. */
export class Waiters {
  #statusListeners = new Set<(s: PostedStatus) => void>();
  #conditions = new Set<Pending>();

  onStatus(listener: (s: PostedStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  status(s: PostedStatus): void {
    for (const l of [...this.#statusListeners]) l(s);
  }

  changed(): void {
    for (const p of [...this.#conditions]) if (p.settle()) this.#conditions.delete(p);
  }

  nextStatus(
    match: (s: PostedStatus) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<PostedStatus> {
    const { promise, resolve, reject } = Promise.withResolvers<PostedStatus>();
    const timer = setTimeout(() => {
      off();
      this.#conditions.delete(pending);
      reject(new Error(`no matching status within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = this.onStatus((s) => {
      if (!match(s)) return;
      clearTimeout(timer);
      off();
      this.#conditions.delete(pending);
      resolve(s);
    });
    const pending: Pending = {
      settle: () => false,
      reject: (e) => {
        clearTimeout(timer);
        off();
        reject(e);
      },
    };
    this.#conditions.add(pending);
    return promise;
  }

  until(predicate: () => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (predicate()) return Promise.resolve();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      this.#conditions.delete(pending);
      reject(new Error(`condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const pending: Pending = {
      settle: () => {
        if (!predicate()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    };
    this.#conditions.add(pending);
    return promise;
  }

  /** Rejects every pending wait (the server is closing). */
  cancelAll(error: Error): void {
    for (const p of [...this.#conditions]) p.reject(error);
    this.#conditions.clear();
  }
}
