/**
 * Hand-written fakes for the unit tests of this folder: notification entities shaped as masto gives them
 * (the clock that moves only when told is tests/support/manual_clock.ts).
 */
import type { mastodon } from "masto";

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
