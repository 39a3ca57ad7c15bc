/**
 * Posting and editing statuses with Mastodon's rules: validation (blank
 * text, character limit with URLs counted as a fixed length, media and poll
 * limits), mention resolution and rendering, Idempotency-Key reuse, mention
 * and `status` notifications, and fan-out to home timelines.
 */

import { countableLength, type MentionTarget, renderStatusText } from "./html.ts";
import { ApiError, NOT_FOUND } from "./http.ts";
import type { ServerState } from "./state.ts";
import { type PollRecord, type StatusRecord, VISIBILITIES, type Visibility } from "./types.ts";

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
  if (mediaIds.length > limits.maxMediaAttachments) {
    throw validation(`Cannot attach more than ${limits.maxMediaAttachments} files`);
  }
  const missing = mediaIds.filter((id) => {
    const m = state.media.get(id);
    return m === undefined || m.accountId !== accountId || m.statusId !== null;
  });
  if (missing.length > 0) {
    throw validation(`Media with IDs ${missing.join(", ")} not found or already attached`);
  }
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

/** Replaces the text of a status and streams `status.update`. */
export function editStatus(
  state: ServerState,
  id: string,
  change: { text?: string; spoilerText?: string },
): StatusRecord {
  const s = state.statuses.get(id);
  if (s === undefined) throw new ApiError(404, NOT_FOUND);
  const author = state.account(s.accountId);
  if (change.text !== undefined) {
    const rendered = renderStatusText(
      change.text,
      mentionResolver(state, author.domain),
      `https://${author.domain ?? state.domain}`,
    );
    s.text = change.text;
    s.content = rendered.html;
    s.mentionIds = rendered.mentionIds;
    s.tags = rendered.tags;
  }
  if (change.spoilerText !== undefined) s.spoilerText = change.spoilerText;
  s.editedAt = state.now();
  state.hooks.statusEdited(s, state.homeRecipients(s));
  state.hooks.changed();
  return s;
}
