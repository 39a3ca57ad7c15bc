/**
 * Hand-written fakes for the unit tests of this folder: a clock with timers that only move when
 * told, and notification entities shaped as masto gives them.
 */
import type { mastodon } from "masto";
import type { TimerHandle, Timers } from "./timers.ts";

/** Timers that fire only when {@link ManualTimers.advance} moves the clock past them. */
export class ManualTimers implements Timers {
  #now: number;
  #seq = 0;
  readonly #due = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#due.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#due.delete(handle as number);
  }

  /** How many timers wait. */
  get pending(): number {
    return this.#due.size;
  }

  /** Moves the clock by `ms`, firing what falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      this.#due.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}

export interface FakeAccountInput {
  id: string;
  acct: string;
}

/** An account entity with only what the adapter reads. */
export function fakeAccount(a: FakeAccountInput): mastodon.v1.Account {
  return { id: a.id, acct: a.acct, username: a.acct.split("@")[0] } as mastodon.v1.Account;
}

/** A status entity with only what the adapter reads. */
export function fakeStatus(s: Partial<mastodon.v1.Status> & { id: string }): mastodon.v1.Status {
  return {
    content: "<p>hello</p>",
    visibility: "direct",
    mentions: [],
    mediaAttachments: [],
    spoilerText: "",
    inReplyToId: null,
    language: null,
    poll: null,
    url: `https://social.test/@x/${s.id}`,
    uri: `https://social.test/users/x/statuses/${s.id}`,
    ...s,
  } as mastodon.v1.Status;
}

/** A notification entity. */
export function fakeNotification(
  id: string,
  type: string,
  account: FakeAccountInput,
  status: mastodon.v1.Status | null = null,
): mastodon.v1.Notification {
  return {
    id,
    type,
    createdAt: new Date(0).toISOString(),
    account: fakeAccount(account),
    status,
    groupKey: `ungrouped-${id}`,
  } as unknown as mastodon.v1.Notification;
}
