/**
 * Posting and editing statuses with Mastodon's rules: validation (blank
 * text, character limit with URLs counted as a fixed length, media and poll
 * limits), mention resolution and rendering, Idempotency-Key reuse, mention
 * and `status` notifications, and fan-out to home timelines.
 */

import { countableLength, type MentionTarget, renderStatusText } from "./html.ts";
import { ApiError, NOT_FOUND } from "./http.ts";
import type { ServerState } from "./state.ts";
import {
  type PollRecord,
  type StatusRecord,
  type StatusSnapshot,
  VISIBILITIES,
  type Visibility,
} from "./types.ts";

export interface StatusLimits {
  maxCharacters: number;
  maxMediaAttachments: number;
  charactersReservedPerUrl: number;
  maxPollOptions: number;
}

export interface NewStatus {
  text: string;
  visibility?: string | null;
  inReplyToId?: string | null;
  /** `undefined` takes the default (`en` for local authors, none for others). */
  language?: string | null;
  spoilerText?: string | null;
  sensitive?: boolean | null;
  mediaIds?: string[];
  poll?: { options: string[]; expiresIn: number; multiple?: boolean; hideTotals?: boolean } | null;
  idempotencyKey?: string | null;
  /** Application name shown on the status; `null` for none. Default "Web" for local authors. */
  application?: string | null;
  /** Backdates the status (epoch ms); default now. */
  createdAt?: number;
}

export interface CreatedStatus {
  status: StatusRecord;
  /** True when an earlier status was returned for a repeated Idempotency-Key. */
  reused: boolean;
}

const IDEMPOTENCY_TTL_MS = 60 * 60 * 1000;

function validation(message: string): ApiError {
  return new ApiError(422, `Validation failed: ${message}`);
}

function parseVisibility(value: string | null | undefined): Visibility {
  if (value === undefined || value === null || value === "") return "public";
  if ((VISIBILITIES as readonly string[]).includes(value)) return value as Visibility;
  throw new ApiError(422, `'${value}' is not a valid visibility`);
}

function mentionResolver(state: ServerState, authorDomain: string | null) {
  return (username: string, written: string | null): MentionTarget | null => {
    // A bare `@name` written on another server names an account of that server.
    const domain = written === null
      ? authorDomain
      : written === state.domain.toLowerCase()
      ? null
      : written;
    const account = state.findByAcct(username, domain);
    if (account === undefined) return null;
    return { id: account.id, username: account.username, url: state.profileUrl(account) };
  };
}

function buildPoll(
  state: ServerState,
  input: NonNullable<NewStatus["poll"]>,
  limits: StatusLimits,
) {
  const options = input.options.map((o) => o.trim());
  if (options.length < 2) throw validation("Poll must have at least 2 options");
  if (options.length > limits.maxPollOptions) {
    throw validation(`Poll can't contain more than ${limits.maxPollOptions} items`);
  }
  const poll: PollRecord = {
    id: state.nextId(),
    options,
    expiresAt: state.now() + input.expiresIn * 1000,
    multiple: input.multiple ?? false,
    hideTotals: input.hideTotals ?? false,
  };
  return poll;
}

/**
 * The `media_ids` checks of Mastodon's post and update services: at most
 * `maxMediaAttachments`, each the author's own and not attached to another
 * status (`statusId` may keep those of the status being edited), each done
 * processing.
 */
function checkMedia(
  state: ServerState,
  limits: StatusLimits,
  accountId: string,
  mediaIds: string[],
  statusId: string | null,
): void {
  if (mediaIds.length > limits.maxMediaAttachments) {
    throw validation(`Cannot attach more than ${limits.maxMediaAttachments} files`);
  }
  const missing = mediaIds.filter((id) => {
    const m = state.media.get(id);
    return m === undefined || m.accountId !== accountId ||
      (m.statusId !== null && m.statusId !== statusId);
  });
  if (missing.length > 0) {
    throw validation(`Media with IDs ${missing.join(", ")} not found or already attached`);
  }
  for (const id of mediaIds) {
    const m = state.media.get(id);
    if (m !== undefined) state.settleMedia(m);
  }
  if (
    mediaIds.some((id) =>
      state.media.get(id)?.processing !== undefined &&
      state.media.get(id)?.processing !== "done"
    )
  ) {
    throw new ApiError(
      422,
      "Cannot attach files that have not finished processing. Try again in a moment!",
    );
  }
}

export function createStatus(
  state: ServerState,
  limits: StatusLimits,
  accountId: string,
  input: NewStatus,
): CreatedStatus {
  const author = state.account(accountId);
  const key = input.idempotencyKey ?? null;
  if (key !== null && key !== "") {
    state.statsOf(accountId).keys.add(key);
    const seen = state.idempotency.get(`${accountId}:${key}`);
    const earlier = seen === undefined ? undefined : state.statuses.get(seen.statusId);
    if (seen !== undefined && earlier !== undefined && seen.expiresAt > state.now()) {
      return { status: earlier, reused: true };
    }
  }
  const visibility = parseVisibility(input.visibility);
  const mediaIds = input.mediaIds ?? [];
  checkMedia(state, limits, accountId, mediaIds, null);
  if (input.poll && mediaIds.length > 0) throw validation("Media cannot be combined with a poll");
  const text = input.text;
  const spoilerText = input.spoilerText ?? "";
  if (text.trim() === "" && mediaIds.length === 0) throw validation("Text can't be blank");
  const length = countableLength(spoilerText + text, limits.charactersReservedPerUrl);
  if (length > limits.maxCharacters) {
    throw validation(`Text character limit of ${limits.maxCharacters} exceeded`);
  }
  let inReplyTo: StatusRecord | undefined;
  if (input.inReplyToId) {
    inReplyTo = state.statuses.get(input.inReplyToId);
    if (inReplyTo === undefined || !state.canSee(accountId, inReplyTo)) {
      throw new ApiError(404, NOT_FOUND);
    }
  }
  const homeDomain = author.domain ?? state.domain;
  const rendered = renderStatusText(
    text,
    mentionResolver(state, author.domain),
    `https://${homeDomain}`,
  );
  const poll = input.poll ? buildPoll(state, input.poll, limits) : null;
  const local = author.domain === null;
  const status: StatusRecord = {
    id: state.nextStatusId(input.createdAt),
    accountId,
    text,
    content: rendered.html,
    spoilerText,
    sensitive: (input.sensitive ?? false) || spoilerText !== "",
    visibility,
    language: input.language === undefined ? (local ? "en" : null) : input.language,
    inReplyToId: inReplyTo?.id ?? null,
    inReplyToAccountId: inReplyTo?.accountId ?? null,
    mentionIds: rendered.mentionIds,
    tags: rendered.tags,
    mediaIds,
    poll,
    createdAt: input.createdAt ?? state.now(),
    editedAt: null,
    edits: [],
    favouritedBy: [],
    rebloggedBy: [],
    idempotencyKey: key,
    application: input.application === undefined ? (local ? "Web" : null) : input.application,
  };
  state.statuses.set(status.id, status);
  for (const id of mediaIds) {
    const m = state.media.get(id);
    if (m !== undefined) m.statusId = status.id;
  }
  if (key !== null && key !== "") {
    state.idempotency.set(`${accountId}:${key}`, {
      statusId: status.id,
      expiresAt: state.now() + IDEMPOTENCY_TTL_MS,
    });
  }
  state.statsOf(accountId).created += 1;
  const home = state.homeRecipients(status);
  state.hooks.statusCreated(status, home);
  for (const id of status.mentionIds) state.notify(id, accountId, "mention", status.id);
  notifySubscribers(state, status);
  state.hooks.changed();
  return { status, reused: false };
}

/** `status` notifications for followers who asked to be told of new posts. */
function notifySubscribers(state: ServerState, status: StatusRecord): void {
  if (status.visibility === "direct") return;
  if (status.inReplyToAccountId !== null && status.inReplyToAccountId !== status.accountId) return;
  for (const f of state.follows) {
    if (f.targetId === status.accountId && f.notify && !status.mentionIds.includes(f.accountId)) {
      state.notify(f.accountId, status.accountId, "status", status.id);
    }
  }
}

/** What an edit may change (`PUT /api/v1/statuses/:id`); omitted fields stay. */
export interface StatusChange {
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  mediaIds?: string[];
  /** A new poll replaces the old one (votes reset); `null` removes it. */
  poll?: NewStatus["poll"];
}

function snapshot(s: StatusRecord, at: number): StatusSnapshot {
  return {
    content: s.content,
    spoilerText: s.spoilerText,
    sensitive: s.sensitive,
    mediaIds: [...s.mediaIds],
    pollOptions: s.poll === null ? null : [...s.poll.options],
    at,
  };
}

/**
 * Edits a status with the rules of Mastodon's update service: the same
 * validation as posting, visibility and reply target unchanged, the first
 * edit keeps a snapshot of the original, every real change a snapshot of the
 * result (`history`), `edited_at` set. Streams `status.update`, sends
 * `update` notifications to local accounts that boosted it and `mention`
 * notifications to accounts newly mentioned. A change that changes nothing
 * is answered with the status as it is.
 */
export function editStatus(
  state: ServerState,
  limits: StatusLimits,
  id: string,
  change: StatusChange,
): StatusRecord {
  const s = state.statuses.get(id);
  if (s === undefined) throw new ApiError(404, NOT_FOUND);
  const author = state.account(s.accountId);
  const text = change.text ?? s.text;
  const spoilerText = change.spoilerText ?? s.spoilerText;
  const mediaIds = change.mediaIds ?? s.mediaIds;
  checkMedia(state, limits, s.accountId, mediaIds, s.id);
  const poll = change.poll === undefined ? undefined : change.poll;
  if (poll && mediaIds.length > 0) throw validation("Media cannot be combined with a poll");
  if (text.trim() === "" && mediaIds.length === 0) throw validation("Text can't be blank");
  const length = countableLength(spoilerText + text, limits.charactersReservedPerUrl);
  if (length > limits.maxCharacters) {
    throw validation(`Text character limit of ${limits.maxCharacters} exceeded`);
  }
  const newPoll = poll === undefined
    ? s.poll
    : poll === null
    ? null
    : buildPoll(state, poll, limits);
  const rendered = renderStatusText(
    text,
    mentionResolver(state, author.domain),
    `https://${author.domain ?? state.domain}`,
  );
  const sensitive =
    (change.sensitive ?? (change.spoilerText === undefined ? s.sensitive : false)) ||
    spoilerText !== "";
  const language = change.language === undefined ? s.language : change.language;
  const samePoll = JSON.stringify(newPoll?.options ?? null) ===
    JSON.stringify(s.poll?.options ?? null);
  const unchanged = rendered.html === s.content && spoilerText === s.spoilerText &&
    sensitive === s.sensitive && language === s.language && samePoll &&
    JSON.stringify(mediaIds) === JSON.stringify(s.mediaIds);
  if (unchanged) return s;
  const now = state.now();
  if (s.edits.length === 0) s.edits.push(snapshot(s, s.createdAt));
  const before = new Set(s.mentionIds);
  for (const m of state.media.values()) if (m.statusId === s.id) m.statusId = null;
  for (const mid of mediaIds) {
    const m = state.media.get(mid);
    if (m !== undefined) m.statusId = s.id;
  }
  s.text = text;
  s.content = rendered.html;
  s.mentionIds = rendered.mentionIds;
  s.tags = rendered.tags;
  s.spoilerText = spoilerText;
  s.sensitive = sensitive;
  s.language = language;
  s.mediaIds = [...mediaIds];
  s.poll = newPoll;
  s.editedAt = now;
  s.edits.push(snapshot(s, now));
  state.hooks.statusEdited(s, state.homeRecipients(s));
  for (const who of s.rebloggedBy) state.notify(who, s.accountId, "update", s.id);
  for (const who of s.mentionIds) {
    if (!before.has(who)) state.notify(who, s.accountId, "mention", s.id);
  }
  state.hooks.changed();
  return s;
}
