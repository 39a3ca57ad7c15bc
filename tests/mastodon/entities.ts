/**
 * Records to the JSON entities of the Mastodon API (4.3 shapes): Account,
 * CredentialAccount, Status (with Mention, MediaAttachment, Poll),
 * Notification and Relationship.
 */

import { dateOnly, isoDay, isoTime } from "./http.ts";
import type { ServerState } from "./state.ts";
import type {
  AccountRecord,
  MediaRecord,
  NotificationRecord,
  StatusRecord,
  StatusSnapshot,
} from "./types.ts";

export type Json = Record<string, unknown>;

function stripTags(html: string): string {
  return html.replace(/<br\s*\/?>/g, "\n").replace(/<\/p><p>/g, "\n\n").replace(/<[^>]+>/g, "");
}

export function accountEntity(state: ServerState, a: AccountRecord): Json {
  const host = `https://${state.domain}`;
  const last = state.lastStatusAt(a);
  const entity: Json = {
    id: a.id,
    username: a.username,
    acct: state.acct(a),
    display_name: a.displayName,
    locked: a.locked,
    bot: a.bot,
    discoverable: a.discoverable,
    indexable: false,
    group: a.group,
    created_at: isoDay(a.createdAt),
    note: a.note,
    url: state.profileUrl(a),
    uri: state.actorUri(a),
    avatar: `${host}/avatars/original/missing.png`,
    avatar_static: `${host}/avatars/original/missing.png`,
    header: `${host}/headers/original/missing.png`,
    header_static: `${host}/headers/original/missing.png`,
    followers_count: state.followersCount(a),
    following_count: state.followingCount(a),
    statuses_count: state.statusesCount(a),
    last_status_at: last === null ? null : dateOnly(last),
    hide_collections: false,
    emojis: [],
    fields: a.fields,
  };
  if (a.domain === null) {
    entity.noindex = false;
    entity.roles = [];
  }
  return entity;
}

/** `verify_credentials`: the Account plus `source` and `role`. */
export function credentialAccountEntity(state: ServerState, a: AccountRecord): Json {
  return {
    ...accountEntity(state, a),
    source: {
      privacy: "public",
      sensitive: false,
      language: "",
      note: stripTags(a.note),
      fields: a.fields.map((f) => ({ ...f })),
      follow_requests_count: state.requests.filter((r) => r.targetId === a.id).length,
      hide_collections: false,
      discoverable: a.discoverable,
      indexable: false,
    },
    role: { id: "-99", name: "", permissions: "65536", color: "", highlighted: false },
  };
}

/**
 * A MediaAttachment. While processing, `url` is null (as Mastodon serves a
 * 202 upload); `meta` has `original` when the size is known and `focus` when
 * one was given.
 */
export function mediaEntity(m: MediaRecord): Json {
  const ready = m.processing === undefined || m.processing === "done";
  const meta: Json = {};
  if (m.width && m.height) {
    const small = Math.min(1, 640 / Math.max(m.width, m.height));
    const size = (w: number, h: number) => ({
      width: w,
      height: h,
      size: `${w}x${h}`,
      aspect: w / h,
    });
    meta.original = size(m.width, m.height);
    meta.small = size(Math.round(m.width * small), Math.round(m.height * small));
  }
  if (m.focus) meta.focus = { x: m.focus.x, y: m.focus.y };
  return {
    id: m.id,
    type: m.type,
    url: ready ? m.url : null,
    preview_url: ready ? m.url : null,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta,
    description: m.description,
    blurhash: null,
  };
}

function pollEntity(state: ServerState, s: StatusRecord): Json | null {
  const p = s.poll;
  if (p === null) return null;
  return {
    id: p.id,
    expires_at: p.expiresAt === null ? null : isoTime(p.expiresAt),
    expired: p.expiresAt !== null && p.expiresAt <= state.now(),
    multiple: p.multiple,
    votes_count: 0,
    voters_count: p.multiple ? 0 : null,
    options: p.options.map((title) => ({ title, votes_count: p.hideTotals ? null : 0 })),
    emojis: [],
    voted: false,
    own_votes: [],
  };
}

/**
 * A Status as `viewerId` sees it (`null`: no token). `withSource` adds the
 * `text` source, as the answer to a deletion does.
 */
export function statusEntity(
  state: ServerState,
  s: StatusRecord,
  viewerId: string | null,
  withSource = false,
): Json {
  const author = state.account(s.accountId);
  const host = author.domain ?? state.domain;
  const entity: Json = {
    id: s.id,
    created_at: isoTime(s.createdAt),
    in_reply_to_id: s.inReplyToId,
    in_reply_to_account_id: s.inReplyToAccountId,
    sensitive: s.sensitive,
    spoiler_text: s.spoilerText,
    visibility: s.visibility,
    language: s.language,
    uri: `https://${host}/users/${author.username}/statuses/${s.id}`,
    url: `https://${host}/@${author.username}/${s.id}`,
    replies_count: [...state.statuses.values()].filter((r) => r.inReplyToId === s.id).length,
    reblogs_count: s.rebloggedBy.length,
    favourites_count: s.favouritedBy.length,
    edited_at: s.editedAt === null ? null : isoTime(s.editedAt),
    content: s.content,
    reblog: null,
    application: s.application === null ? null : { name: s.application, website: null },
    account: accountEntity(state, author),
    media_attachments: s.mediaIds.flatMap((id) => {
      const m = state.media.get(id);
      return m === undefined ? [] : [mediaEntity(m)];
    }),
    mentions: s.mentionIds.flatMap((id) => {
      const m = state.accounts.get(id);
      if (m === undefined) return [];
      return [{ id: m.id, username: m.username, url: state.profileUrl(m), acct: state.acct(m) }];
    }),
    tags: s.tags.map((name) => ({ name, url: `https://${host}/tags/${name}` })),
    emojis: [],
    card: null,
    poll: pollEntity(state, s),
  };
  if (withSource) {
    delete entity.content;
    entity.text = s.text;
  }
  if (viewerId !== null) {
    entity.favourited = s.favouritedBy.includes(viewerId);
    entity.reblogged = s.rebloggedBy.includes(viewerId);
    entity.muted = false;
    entity.bookmarked = false;
    if (s.accountId === viewerId && (s.visibility === "public" || s.visibility === "unlisted")) {
      entity.pinned = false;
    }
    entity.filtered = [];
  }
  return entity;
}

/**
 * `GET /api/v1/statuses/:id/history`: StatusEdit entities, oldest first. A
 * status never edited has one, its current version (as Mastodon answers).
 */
export function statusEditEntities(state: ServerState, s: StatusRecord): Json[] {
  const versions: StatusSnapshot[] = s.edits.length > 0 ? s.edits : [{
    content: s.content,
    spoilerText: s.spoilerText,
    sensitive: s.sensitive,
    mediaIds: s.mediaIds,
    pollOptions: s.poll === null ? null : s.poll.options,
    at: s.createdAt,
  }];
  const account = accountEntity(state, state.account(s.accountId));
  return versions.map((v) => {
    const entity: Json = {
      content: v.content,
      spoiler_text: v.spoilerText,
      sensitive: v.sensitive,
      created_at: isoTime(v.at),
      account,
      media_attachments: v.mediaIds.flatMap((id) => {
        const m = state.media.get(id);
        return m === undefined ? [] : [mediaEntity(m)];
      }),
      emojis: [],
    };
    if (v.pollOptions !== null) {
      entity.poll = { options: v.pollOptions.map((title) => ({ title })) };
    }
    return entity;
  });
}

export function notificationEntity(state: ServerState, n: NotificationRecord): Json {
  const entity: Json = {
    id: n.id,
    type: n.type,
    created_at: isoTime(n.createdAt),
    group_key: `ungrouped-${n.id}`,
    account: accountEntity(state, state.account(n.fromAccountId)),
  };
  const s = n.statusId === null ? undefined : state.statuses.get(n.statusId);
  if (s !== undefined) entity.status = statusEntity(state, s, n.accountId);
  return entity;
}

export function relationshipEntity(state: ServerState, viewerId: string, otherId: string): Json {
  const r = state.relationship(viewerId, otherId);
  const row = r.following ?? r.requested;
  return {
    id: otherId,
    following: r.following !== undefined,
    showing_reblogs: row?.reblogs ?? false,
    notifying: row?.notify ?? false,
    languages: null,
    followed_by: r.followedBy,
    blocking: false,
    blocked_by: false,
    muting: false,
    muting_notifications: false,
    requested: r.requested !== undefined,
    requested_by: r.requestedBy,
    domain_blocking: false,
    endorsed: false,
    note: "",
  };
}
