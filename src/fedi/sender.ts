/**
 * The outbox's Fediverse side ({@link NetworkSender}): each effect becomes one call to the bot's
 * server.
 * - `notice`: a direct status to `to`, starting with their mention unless the text has it,
 *   every other mention made inert (a direct status reaches everyone it mentions), cut to the
 *   server's limit with the "truncated" notice in the recipient's language;
 * - `deliver`: a direct status with the text as the core wrote it (mentions included), in reply
 *   to the status it answers, in the sender's language; its id is the `postedId`;
 * - `contact`: follow (no reblogs, no notifications), unfollow, or answer a follow request.
 * Every status carries `Idempotency-Key: <key>`, so a retry never posts twice.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config/mod.ts";
import { failed, type FediLimits, sent } from "../core/ports.ts";
import { defuseMentions, namesLive } from "../core/render.ts";
import { type Account, type Effect, FEDI } from "../core/types.ts";
import type { I18n } from "../i18n/mod.ts";
import { logger } from "../log.ts";
import type { NetworkSender, SendResult } from "../core/ports.ts";
import type { FediApi } from "./api.ts";
import { FediApiError, toFediApiError } from "./errors.ts";
import { truncateForFedi } from "../core/fedi_length.ts";

export interface FediSenderOptions {
  readonly api: FediApi;
  readonly config: Config;
  readonly i18n: I18n;
  /** The server's limits, as last read. */
  readonly limits: () => FediLimits;
  /** The language to write to an account in (for the "truncated" notice). */
  readonly languageOf: (account: Account) => string;
  readonly log?: Logger;
  /** Most lanes with a request under way at once (default 16), fewer as the rate limit nears. */
  readonly maxInFlight?: number;
}

/** How many lanes may have a request under way at once, while the rate limit leaves room. */
export const DEFAULT_FEDI_WINDOW = 16;

export class FediSender implements NetworkSender {
  readonly network = FEDI;
  readonly #o: FediSenderOptions;
  readonly #log: Logger;

  constructor(opts: FediSenderOptions) {
    this.#o = opts;
    this.#log = opts.log ?? logger("fedi", "send");
  }

  /** What the rate-limit gate lets be under way at once (see {@link FediSenderOptions}). */
  get window(): number {
    return this.#o.api.gate.headroom(this.#o.maxInFlight ?? DEFAULT_FEDI_WINDOW);
  }

  async send(effect: Effect, key: string): Promise<SendResult> {
    try {
      switch (effect.kind) {
        case "notice":
          return await this.#notice(effect, key);
        case "deliver":
          return await this.#deliver(effect, key);
        case "contact":
          return await this.#contact(effect);
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
    const local = this.#o.config.apInstance;
    const named = namesLive(text, to.address, local);
    const full = defuseMentions(
      named ? text : `@${to.address} ${text}`,
      new Set([to.address]),
      local,
    );
    const lang = this.#o.languageOf(to);
    return truncateForFedi(full, this.#o.limits(), this.#o.i18n.t(lang, "render.truncated"));
  }

  async #notice(effect: Extract<Effect, { kind: "notice" }>, key: string): Promise<SendResult> {
    if (effect.to.network !== FEDI) return refused("a notice for another network");
    const status = await this.#post({
      status: this.noticeText(effect.to, effect.text),
      visibility: "direct",
      inReplyToId: effect.inReplyTo,
      language: this.#o.languageOf(effect.to),
    }, key);
    return sent(status);
  }

  async #deliver(effect: Extract<Effect, { kind: "deliver" }>, key: string): Promise<SendResult> {
    if (effect.to.length === 0 || effect.to.some((a) => a.network !== FEDI)) {
      return refused("a delivery for another network");
    }
    const status = await this.#post({
      status: effect.text,
      visibility: "direct",
      inReplyToId: effect.inReplyTo,
      language: effect.lang,
    }, key);
    return sent(status);
  }

  async #post(
    params: { status: string; visibility: "direct"; inReplyToId: string | null; language: string },
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

function refused(reason: string): SendResult {
  return failed(reason, true);
}

function failure(error: FediApiError): SendResult {
  const details = error.retryAt === null ? {} : { retryAt: error.retryAt };
  return failed(error.reason, error.permanent, details);
}
