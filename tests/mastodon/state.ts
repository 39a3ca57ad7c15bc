/**
 * The in-memory database of the test server: accounts, tokens, follows,
 * follow requests, statuses, media and notifications, with the rules
 * Mastodon applies when they change (which notifications a follow makes,
 * who may see a status, how a relationship reads).
 */

import { ApiError, NOT_FOUND } from "./http.ts";
import type {
  AccountRecord,
  FollowRecord,
  MediaRecord,
  NotificationRecord,
  NotificationType,
  StatusRecord,
} from "./types.ts";

/** Called by the state when something streams or tests may wait for happens. */
export interface StateHooks {
  notification(n: NotificationRecord): void;
  statusCreated(s: StatusRecord, home: string[]): void;
  statusDeleted(s: StatusRecord, home: string[]): void;
  statusEdited(s: StatusRecord, home: string[]): void;
  changed(): void;
}

export interface NewAccount {
  username: string;
  /** Another server's domain; omitted (or this server's domain) for a local account. */
  domain?: string | null;
  displayName?: string;
  /** Bio as HTML; plain text is wrapped in `<p>`. */
  note?: string;
  bot?: boolean;
  group?: boolean;
  locked?: boolean;
  discoverable?: boolean;
  createdAt?: number;
  extraStatusesCount?: number;
}

export interface RelationshipData {
  following: FollowRecord | undefined;
  requested: FollowRecord | undefined;
  followedBy: boolean;
  requestedBy: boolean;
}

export interface PostStats {
  /** `POST /api/v1/statuses` requests that reached the handler. */
  posts: number;
  /** Statuses actually created (a repeated Idempotency-Key creates none). */
  created: number;
  /** Distinct Idempotency-Key values seen. */
  keys: Set<string>;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class ServerState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly statuses = new Map<string, StatusRecord>();
  readonly media = new Map<string, MediaRecord>();
  readonly notifications = new Map<string, NotificationRecord>();
  follows: FollowRecord[] = [];
  requests: FollowRecord[] = [];
  readonly idempotency = new Map<string, { statusId: string; expiresAt: number }>();
  readonly stats = new Map<string, PostStats>();
  #seq = 0;
  #lastStatusId = 0n;

  constructor(
    readonly domain: string,
    readonly now: () => number,
    readonly hooks: StateHooks,
  ) {}

  nextId(): string {
    this.#seq += 1;
    return String(this.#seq);
  }

  /**
   * A snowflake-like status id: time in the high bits. Ids of statuses made
   * now always increase; a backdated status (`at`) gets an id from its own
   * time, as Mastodon gives federated statuses ids from their publication time.
   */
  nextStatusId(at?: number): string {
    if (at !== undefined) {
      let id = BigInt(Math.max(0, Math.floor(at))) << 16n;
      while (this.statuses.has(id.toString())) id += 1n;
      return id.toString();
    }
    let id = BigInt(Math.max(0, Math.floor(this.now()))) << 16n;
    if (id <= this.#lastStatusId) id = this.#lastStatusId + 1n;
    this.#lastStatusId = id;
    return id.toString();
  }

  statsOf(accountId: string): PostStats {
    let s = this.stats.get(accountId);
    if (s === undefined) {
      s = { posts: 0, created: 0, keys: new Set() };
      this.stats.set(accountId, s);
    }
    return s;
  }

  createAccount(input: NewAccount): AccountRecord {
    const domain = input.domain && input.domain.toLowerCase() !== this.domain.toLowerCase()
      ? input.domain.toLowerCase()
      : null;
    if (!/^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$/i.test(input.username)) {
      throw new Error(`invalid username ${input.username}`);
    }
    if (this.findByAcct(input.username, domain) !== undefined) {
      throw new Error(`account ${input.username}@${domain ?? this.domain} exists already`);
    }
    const note = input.note ?? "";
    const account: AccountRecord = {
      id: this.nextId(),
      username: input.username,
      domain,
      displayName: input.displayName ?? "",
      note: note === "" || note.trimStart().startsWith("<") ? note : `<p>${note}</p>`,
      bot: input.bot ?? false,
      group: input.group ?? false,
      locked: input.locked ?? false,
      discoverable: input.discoverable ?? true,
      createdAt: input.createdAt ?? this.now(),
      token: domain === null ? randomToken() : null,
      extraStatusesCount: input.extraStatusesCount ?? 0,
      fields: [],
    };
    this.accounts.set(account.id, account);
    this.hooks.changed();
    return account;
  }

  account(id: string): AccountRecord {
    const a = this.accounts.get(id);
    if (a === undefined) throw new ApiError(404, NOT_FOUND);
    return a;
  }

  accountByToken(token: string): AccountRecord | undefined {
    for (const a of this.accounts.values()) if (a.token === token) return a;
    return undefined;
  }

  findByAcct(username: string, domain: string | null): AccountRecord | undefined {
    const u = username.toLowerCase();
    const d = domain?.toLowerCase() ?? null;
    for (const a of this.accounts.values()) {
      if (a.username.toLowerCase() === u && a.domain === d) return a;
    }
    return undefined;
  }

  /** `GET /api/v1/accounts/lookup`: `name`, `@name`, `name@domain` or `@name@domain`. */
  lookup(acct: string): AccountRecord | undefined {
    const [username = "", domain] = acct.replace(/^@/, "").split("@");
    const d = domain === undefined || domain.toLowerCase() === this.domain.toLowerCase()
      ? null
      : domain;
    return this.findByAcct(username, d);
  }

  acct(a: AccountRecord): string {
    return a.domain === null ? a.username : `${a.username}@${a.domain}`;
  }

  fullAcct(a: AccountRecord): string {
    return `${a.username}@${a.domain ?? this.domain}`;
  }

  profileUrl(a: AccountRecord): string {
    return `https://${a.domain ?? this.domain}/@${a.username}`;
  }

  actorUri(a: AccountRecord): string {
    return `https://${a.domain ?? this.domain}/users/${a.username}`;
  }

  statusesCount(a: AccountRecord): number {
    let n = a.extraStatusesCount;
    for (const s of this.statuses.values()) if (s.accountId === a.id) n++;
    return n;
  }

  lastStatusAt(a: AccountRecord): number | null {
    let last: number | null = null;
    for (const s of this.statuses.values()) {
      if (s.accountId === a.id && (last === null || s.createdAt > last)) last = s.createdAt;
    }
    return last;
  }

  followersCount(a: AccountRecord): number {
    return this.follows.filter((f) => f.targetId === a.id).length;
  }

  followingCount(a: AccountRecord): number {
    return this.follows.filter((f) => f.accountId === a.id).length;
  }

  isFollowing(accountId: string, targetId: string): boolean {
    return this.follows.some((f) => f.accountId === accountId && f.targetId === targetId);
  }

  relationship(viewerId: string, otherId: string): RelationshipData {
    return {
      following: this.follows.find((f) => f.accountId === viewerId && f.targetId === otherId),
      requested: this.requests.find((f) => f.accountId === viewerId && f.targetId === otherId),
      followedBy: this.isFollowing(otherId, viewerId),
      requestedBy: this.requests.some((f) => f.accountId === otherId && f.targetId === viewerId),
    };
  }

  /** Follows `targetId`, or files a follow request when the target is locked. */
  follow(accountId: string, targetId: string, opts: { reblogs?: boolean; notify?: boolean }): void {
    const target = this.account(targetId);
    if (accountId === targetId) throw new ApiError(404, NOT_FOUND);
    const existing = this.relationship(accountId, targetId);
    const row = existing.following ?? existing.requested;
    if (row !== undefined) {
      if (opts.reblogs !== undefined) row.reblogs = opts.reblogs;
      if (opts.notify !== undefined) row.notify = opts.notify;
      this.hooks.changed();
      return;
    }
    const record: FollowRecord = {
      id: this.nextId(),
      accountId,
      targetId,
      reblogs: opts.reblogs ?? true,
      notify: opts.notify ?? false,
      createdAt: this.now(),
    };
    if (target.locked) {
      this.requests.push(record);
      this.notify(targetId, accountId, "follow_request", null);
    } else {
      this.follows.push(record);
      this.notify(targetId, accountId, "follow", null);
    }
    this.hooks.changed();
  }

  unfollow(accountId: string, targetId: string): void {
    this.account(targetId);
    this.follows = this.follows.filter((f) =>
      !(f.accountId === accountId && f.targetId === targetId)
    );
    this.requests = this.requests.filter((f) =>
      !(f.accountId === accountId && f.targetId === targetId)
    );
    this.dropNotifications(targetId, accountId, ["follow", "follow_request"]);
    this.hooks.changed();
  }

  /** Answers the follow request that `requesterId` sent to `targetId`. */
  answerRequest(targetId: string, requesterId: string, accept: boolean): void {
    const request = this.requests.find((f) =>
      f.accountId === requesterId && f.targetId === targetId
    );
    if (request === undefined) throw new ApiError(404, NOT_FOUND);
    this.requests = this.requests.filter((f) => f !== request);
    if (accept) this.follows.push({ ...request, createdAt: this.now() });
    this.dropNotifications(targetId, requesterId, ["follow_request"]);
    this.hooks.changed();
  }

  /** Creates a notification for a local account (accounts elsewhere are not served here). */
  notify(
    accountId: string,
    fromAccountId: string,
    type: NotificationType,
    statusId: string | null,
  ): NotificationRecord | null {
    const target = this.account(accountId);
    if (target.domain !== null || accountId === fromAccountId) return null;
    const n: NotificationRecord = {
      id: this.nextId(),
      accountId,
      fromAccountId,
      type,
      statusId,
      createdAt: this.now(),
    };
    this.notifications.set(n.id, n);
    this.hooks.notification(n);
    return n;
  }

  private dropNotifications(accountId: string, fromId: string, types: NotificationType[]): void {
    for (const [id, n] of this.notifications) {
      if (n.accountId === accountId && n.fromAccountId === fromId && types.includes(n.type)) {
        this.notifications.delete(id);
      }
    }
  }

  notificationsOf(accountId: string): NotificationRecord[] {
    return [...this.notifications.values()].filter((n) => n.accountId === accountId);
  }

  /** Whether `viewerId` (or an anonymous client, `null`) may see the status. */
  canSee(viewerId: string | null, s: StatusRecord): boolean {
    if (s.visibility === "public" || s.visibility === "unlisted") return true;
    if (viewerId === null) return false;
    if (s.accountId === viewerId || s.mentionIds.includes(viewerId)) return true;
    return s.visibility === "private" && this.isFollowing(viewerId, s.accountId);
  }

  /** Local accounts whose home timeline receives the status (Mastodon's fan-out). */
  homeRecipients(s: StatusRecord): string[] {
    const author = this.account(s.accountId);
    const out = new Set<string>();
    if (author.domain === null) out.add(author.id);
    for (const f of this.follows) {
      if (f.targetId !== author.id) continue;
      const follower = this.accounts.get(f.accountId);
      if (follower === undefined || follower.domain !== null) continue;
      if (s.visibility === "direct" && !s.mentionIds.includes(follower.id)) continue;
      out.add(follower.id);
    }
    return [...out];
  }

  /** Mentioned accounts of this server. */
  localMentions(s: StatusRecord): string[] {
    return s.mentionIds.filter((id) => this.accounts.get(id)?.domain === null);
  }

  /** Ends the processing of a pending upload whose time has come (by the server clock). */
  settleMedia(m: MediaRecord): void {
    if (m.processing !== "pending" || m.readyAt === null || m.readyAt === undefined) return;
    if (this.now() < m.readyAt) return;
    this.finishMedia(m);
  }

  /** Ends the processing of a pending upload now: done, or failed when it was set to fail. */
  finishMedia(m: MediaRecord): void {
    if (m.processing !== "pending") return;
    m.processing = m.willFail ? "failed" : "done";
    this.hooks.changed();
  }

  /** A status `viewerId` may see, or 404. */
  visibleStatus(viewerId: string | null, id: string): StatusRecord {
    const s = this.statuses.get(id);
    if (s === undefined || !this.canSee(viewerId, s)) throw new ApiError(404, NOT_FOUND);
    return s;
  }

  /** Favourites a status (once); the author gets a `favourite` notification. */
  favourite(accountId: string, statusId: string): StatusRecord {
    const s = this.visibleStatus(accountId, statusId);
    if (!s.favouritedBy.includes(accountId)) {
      s.favouritedBy.push(accountId);
      this.notify(s.accountId, accountId, "favourite", s.id);
      this.hooks.changed();
    }
    return s;
  }

  /** Takes a favourite back, with its notification, as Mastodon's unfavourite does. */
  unfavourite(accountId: string, statusId: string): StatusRecord {
    const s = this.visibleStatus(accountId, statusId);
    if (s.favouritedBy.includes(accountId)) {
      s.favouritedBy = s.favouritedBy.filter((id) => id !== accountId);
      for (const [nid, n] of this.notifications) {
        if (n.type === "favourite" && n.statusId === s.id && n.fromAccountId === accountId) {
          this.notifications.delete(nid);
        }
      }
      this.hooks.changed();
    }
    return s;
  }

  /** Removes a status with its mention notifications, as Mastodon's removal does. */
  deleteStatus(id: string): StatusRecord {
    const s = this.statuses.get(id);
    if (s === undefined) throw new ApiError(404, NOT_FOUND);
    // Mastodon sends the deletion to the home feeds that hold the status and,
    // on the `user` stream, to every local account the status mentions.
    const home = [...new Set([...this.homeRecipients(s), ...this.localMentions(s)])];
    this.statuses.delete(id);
    for (const [nid, n] of this.notifications) {
      if (n.statusId === id) this.notifications.delete(nid);
    }
    for (const m of this.media.values()) if (m.statusId === id) m.statusId = null;
    this.hooks.statusDeleted(s, home);
    this.hooks.changed();
    return s;
  }
}
