/**
 * The outbox's Fediverse side ({@link NetworkSender}): each effect becomes one call to the bot's
 * server.
 * - `notice`: a direct status to `to`, starting with their mention unless the text has it,
 *   every other mention made inert (a direct status reaches everyone it mentions); a notice too
 *   long for one status becomes a numbered thread (thread.ts, at most {@link NOTICE_MAX_PARTS}
 *   parts; past that the last is cut with the "truncated" notice in the recipient's language);
 * - `deliver`: a direct status with the text as the core wrote it (mentions included), or the
 *   thread of its `parts`, in reply to the status it answers, in the sender's language, with its
 *   files uploaded and attached to the first part (media.ts); the last part's id is the
 *   `postedId` (an answer on the Fediverse usually goes to the end of a thread);
 * - `contact`: follow (no reblogs, no notifications), unfollow, or answer a follow request;
 * - `amend`: edit, delete or (un)favourite a status (amend.ts).
 * Every status carries `Idempotency-Key: <key>` (part 2 of a thread `<key>-2`, and so on), so a
 * retry never posts twice; each uploaded file's id and each posted part's id are kept in the
 * outbox row (`progress`, through the `save` the worker gives) before the next step, so a restart
 * goes on where the last one stopped.
 *
 * @module
 */
import { NOTICE_MAX_PARTS, partKey } from "./parts.ts";
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config/mod.ts";
import { failed, type FediLimits, type SaveProgress, sent } from "../core/ports.ts";
import { defuseMentions, namesLive } from "../core/render.ts";
import { type Account, type Effect, FEDI, type SendProgress } from "../core/types.ts";
import type { I18n } from "../i18n/mod.ts";
import { logger } from "../log.ts";
import type { NetworkSender, SendResult } from "../core/ports.ts";
import type { FediApi } from "./api.ts";
import { FediApiError, toFediApiError } from "./errors.ts";
import { truncateForFedi } from "../core/fedi_length.ts";
import { splitThread } from "../core/thread.ts";
import type { Clock } from "../core/ports.ts";
import { systemClock } from "../time/clock.ts";
import { MediaUploader } from "./media.ts";

export { NOTICE_MAX_PARTS, partKey } from "./parts.ts";

type Notice = Extract<Effect, { kind: "notice" }>;
type Deliver = Extract<Effect, { kind: "deliver" }>;
import { sendAmend } from "./amend.ts";

export interface FediSenderOptions {
  readonly api: FediApi;
  readonly config: Config;
  readonly i18n: I18n;
  /** The server's limits, as last read. */
  readonly limits: () => FediLimits;
  /** The language to write to an account in (for the "truncated" notice). */
  readonly languageOf: (account: Account) => string;
  readonly log?: Logger;
  /** For the waits while a file is processed (default: the process's clock). */
  readonly clock?: Clock;
  /** For downloading files (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Most lanes with a request under way at once (default 16), fewer as the rate limit nears. */
  readonly maxInFlight?: number;
}

/** How many lanes may have a request under way at once, while the rate limit leaves room. */
export const DEFAULT_FEDI_WINDOW = 16;

export class FediSender implements NetworkSender {
  readonly network = FEDI;
  readonly #o: FediSenderOptions;
  readonly #log: Logger;
  readonly #media: MediaUploader;

  constructor(opts: FediSenderOptions) {
    this.#o = opts;
    this.#log = opts.log ?? logger("fedi", "send");
    this.#media = new MediaUploader({
      api: opts.api,
      config: opts.config,
      clock: opts.clock ?? systemClock,
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
    });
  }

  /** What the rate-limit gate lets be under way at once (see {@link FediSenderOptions}). */
  get window(): number {
    return this.#o.api.gate.headroom(this.#o.maxInFlight ?? DEFAULT_FEDI_WINDOW);
  }

  async send(effect: Effect, key: string, save: SaveProgress = () => {}): Promise<SendResult> {
    try {
      switch (effect.kind) {
        case "notice":
          return await this.#notice(effect, key, save);
        case "deliver":
          return await this.#deliver(effect, key, save);
        case "contact":
          return await this.#contact(effect);
        case "receipt":
          return failed("a receipt is no Fediverse effect", true);
        case "amend":
          if (effect.to.network !== FEDI) return refused("a change for another network");
          return await sendAmend(this.#o.api, effect, key);
      }
    } catch (e) {
      const error = toFediApiError(effect.kind, e, Date.now());
      this.#log.warning("Sending a {kind} failed: {reason}", {
        kind: effect.kind,
        reason: error.reason,
        permanent: error.permanent,
      });
      return failure(error);
    }
  }

  /** The text of a notice as posted: mention first, others inert, cut to the limit. */
  noticeText(to: Account, text: string): string {
    const lang = this.#o.languageOf(to);
    const truncated = this.#o.i18n.t(lang, "render.truncated");
    return truncateForFedi(this.#noticeFull(to, text), this.#o.limits(), truncated);
  }

  /**
   * The statuses of a notice: one when it fits, else a numbered thread whose later parts start
   * with the recipient's mention; past {@link NOTICE_MAX_PARTS} parts, the text is cut first.
   */
  noticeParts(to: Account, text: string): string[] {
    const full = this.#noticeFull(to, text);
    const limits = this.#o.limits();
    const prefixes = { first: "", rest: `@${to.address} ` };
    const parts = splitThread(prefixes, full, limits, NOTICE_MAX_PARTS);
    if (parts !== null) return parts;
    // Far too long: cut to what fits in the thread (the last part says it was cut).
    const room = { ...limits, maxCharacters: limits.maxCharacters * (NOTICE_MAX_PARTS - 1) };
    const lang = this.#o.languageOf(to);
    const cut = truncateForFedi(full, room, this.#o.i18n.t(lang, "render.truncated"));
    return splitThread(prefixes, cut, limits, NOTICE_MAX_PARTS) ?? [this.noticeText(to, text)];
  }

  /** Mention first unless the text names them live, every other at sign inert. */
  #noticeFull(to: Account, text: string): string {
    const local = this.#o.config.apInstance;
    const named = namesLive(text, to.address, local);
    return defuseMentions(named ? text : `@${to.address} ${text}`, new Set([to.address]), local);
  }

  async #notice(effect: Notice, key: string, save: SaveProgress): Promise<SendResult> {
    if (effect.to.network !== FEDI) return refused("a notice for another network");
    const parts = this.noticeParts(effect.to, effect.text);
    const lang = this.#o.languageOf(effect.to);
    const last = await this.#thread(effect, parts, [], lang, key, save);
    return sent(last);
  }

  async #deliver(effect: Deliver, key: string, save: SaveProgress): Promise<SendResult> {
    if (effect.to.length === 0 || effect.to.some((a) => a.network !== FEDI)) {
      return refused("a delivery for another network");
    }
    let current = effect;
    const media = await this.#uploadAll(effect, (e) => {
      current = e;
      save(e);
    });
    const progress = current.progress?.media ?? [];
    const mediaIds = progress.filter((id): id is string => id !== null);
    const asLinks = effect.media.filter((_, i) => progress[i] === null).map((m) => m.url);
    const parts = (effect.parts ?? [effect.text]).map((p) => withoutAttached(p, media));
    const last = await this.#thread(current, parts, mediaIds, effect.lang, key, save);
    return sent(last, asLinks);
  }

  /**
   * Uploads the files not uploaded yet (one by one, each id saved before the next step); returns
   * the URLs that became attachments. A file that cannot be attached is saved as null (a link).
   */
  async #uploadAll(effect: Deliver, save: (e: Deliver) => void): Promise<string[]> {
    const done = [...(effect.progress?.media ?? [])];
    const max = effect.media.length > done.length ? (await this.#media.rules()).maxAttachments : 0;
    for (let i = done.length; i < effect.media.length; i++) {
      const item = effect.media[i]!;
      const attached = done.filter((id) => id !== null).length;
      done.push(attached >= max ? null : await this.#media.upload(item));
      if (done[i] === null) {
        this.#log.info("A file goes as a link (too big, refused, or not reachable)");
      }
      save({ ...effect, progress: { ...effect.progress, media: [...done] } });
    }
    return effect.media.filter((_, i) => done[i] !== null && done[i] !== undefined).map((m) =>
      m.url
    );
  }

  /**
   * Posts the parts not posted yet, each in reply to the one before (the first to the effect's
   * `inReplyTo`), the files on the first; saves each id before the next. The last part's id.
   */
  async #thread(
    effect: Notice | Deliver,
    parts: readonly string[],
    mediaIds: readonly string[],
    language: string,
    key: string,
    save: SaveProgress,
  ): Promise<string> {
    const posted = [...(effect.progress?.posted ?? [])];
    for (let i = posted.length; i < parts.length; i++) {
      const id = await this.#post({
        status: parts[i]!,
        visibility: "direct",
        inReplyToId: i === 0 ? effect.inReplyTo : posted[i - 1]!,
        language,
        ...(i === 0 && mediaIds.length > 0 ? { mediaIds: [...mediaIds] } : {}),
      }, partKey(key, i));
      posted.push(id);
      if (i < parts.length - 1) {
        save({ ...effect, progress: progressWith(effect.progress, posted) });
      }
    }
    return posted[posted.length - 1]!;
  }

  async #post(
    params: {
      status: string;
      visibility: "direct";
      inReplyToId: string | null;
      language: string;
      mediaIds?: string[];
    },
    key: string,
  ): Promise<string> {
    const { api } = this.#o;
    const status = await api.call(
      "post status",
      (m) => api.rest.v1.statuses.create.$raw(params, m),
      { idempotencyKey: key },
    );
    return status.id;
  }

  async #contact(effect: Extract<Effect, { kind: "contact" }>): Promise<SendResult> {
    if (effect.to.network !== FEDI) return refused("a contact change for another network");
    const { api } = this.#o;
    const id = effect.accountId ?? await this.#accountId(effect.to.address);
    if (id === null) return refused("unknown account");
    const account = api.rest.v1.accounts.$select(id);
    const requests = api.rest.v1.followRequests.$select(id);
    switch (effect.action) {
      case "follow":
        await api.call("follow", (m) => account.follow.$raw({ reblogs: false, notify: false }, m));
        break;
      case "unfollow":
        await api.call("unfollow", (m) => account.unfollow.$raw(undefined, m));
        break;
      case "authorize":
        await api.call("authorize follow request", (m) => requests.authorize.$raw(undefined, m));
        break;
      case "reject":
        await api.call("reject follow request", (m) => requests.reject.$raw(undefined, m));
        break;
      default:
        return refused(`"${effect.action}" is no Fediverse action`);
    }
    return sent(null);
  }

  async #accountId(address: string): Promise<string | null> {
    const { api } = this.#o;
    try {
      const a = await api.call(
        "account lookup",
        (m) => api.rest.v1.accounts.lookup.$raw({ acct: address }, m),
      );
      return a.id;
    } catch (e) {
      if (e instanceof FediApiError && e.status === 404) return null;
      throw e;
    }
  }
}

function progressWith(progress: SendProgress | undefined, posted: string[]): SendProgress {
  return { ...progress, posted: [...posted] };
}

/** A part without the URLs of the files attached to the status (they would show twice). */
function withoutAttached(part: string, urls: readonly string[]): string {
  let out = part;
  for (const url of urls) out = out.replace(url, "");
  return out.replace(/[ \t]+\n/g, "\n").trimEnd();
}

function refused(reason: string): SendResult {
  return failed(reason, true);
}

function failure(error: FediApiError): SendResult {
  const details = error.retryAt === null ? {} : { retryAt: error.retryAt };
  return failed(error.reason, error.permanent, details);
}
