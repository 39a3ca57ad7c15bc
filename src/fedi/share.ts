/**
 * Each account's share of the Fediverse bot's rate limits (`max-share-of-server-budget`, a
 * percentage, 10 by default). The bot's server counts what the bot does against two budgets,
 * whatever account it does it for: statuses (Mastodon: 300 per 3 hours) and requests (300 per
 * 5 minutes). Without shares, one account writing fast enough would use them up and everyone
 * else's messages would wait behind its.
 *
 * The outbox's Fediverse worker asks {@link BudgetShare.admit} before each row: a row spends the
 * share of its payer ({@link payerOf}: the sender of a delivery, the recipient of a notice or a
 * contact change). An account whose rows already used its share of a budget in the current
 * window waits, delayed and not dropped, until that window ends; other accounts' rows go on. The
 * account is told once, through `onSlowed`, that it is being slowed down.
 *
 * A status (a delivery or a notice) spends from the statuses budget, any other request (a follow,
 * say) from the requests budget. The budgets' sizes and windows come from the server's rate-limit
 * headers (`X-RateLimit-Limit`, `X-RateLimit-Reset`): the answers to posting a status for the
 * statuses budget, all others for the requests budget. Until the server has said, Mastodon's figures are assumed. The counts are
 * kept in memory: a restart starts every account's share afresh.
 *
 * @module
 */
import type { Account, Effect } from "../core/types.ts";
import type { OutboxRow } from "../store/mod.ts";
import { readRateWindow } from "./rate_gate.ts";

/** Rows in lanes starting with this pass without spending a share (the "slowed down" notice). */
export const ASIDE_LANE_PREFIX = "aside:";

/** What FediApi calls posting a status (see sender.ts): its answers describe the statuses budget. */
export const POST_STATUS_CALL = "post status";

export interface BudgetFamilyDefaults {
  /** Requests allowed in one window, until the server says. */
  readonly limit: number;
  /** The window's length, until the server says when it ends. */
  readonly periodMs: number;
}

/** What FediApi calls uploading a file: its answers describe the media budget. */
export const UPLOAD_MEDIA_CALL = "upload media";

/** Mastodon's statuses budget: 300 per 3 hours. */
export const STATUSES_DEFAULT: BudgetFamilyDefaults = { limit: 300, periodMs: 3 * 3600_000 };
/** Mastodon's budget for every request: 300 per 5 minutes. */
export const REQUESTS_DEFAULT: BudgetFamilyDefaults = { limit: 300, periodMs: 5 * 60_000 };
/** Mastodon's media budget: 30 uploads per 30 minutes. */
export const MEDIA_DEFAULT: BudgetFamilyDefaults = { limit: 30, periodMs: 30 * 60_000 };

/** One budget of the server: its size, the end of its window, and what each payer spent in it. */
class Family {
  limit: number;
  readonly periodMs: number;
  /** Epoch ms at which the current window ends; null before the first use. */
  end: number | null = null;
  readonly spent = new Map<string, number>();

  constructor(defaults: BudgetFamilyDefaults) {
    this.limit = defaults.limit;
    this.periodMs = defaults.periodMs;
  }

  /** Starts a new window when there is none or it is over. */
  roll(now: number): void {
    if (this.end !== null && now < this.end) return;
    this.spent.clear();
    this.end = now + this.periodMs;
  }

  /** Takes in what an answer said about this budget. */
  observe(limit: number | null, resetAt: number, now: number): void {
    if (limit !== null && limit > 0) this.limit = limit;
    if (resetAt <= now) return;
    if (this.end === null || now >= this.end) {
      this.spent.clear();
      this.end = resetAt;
    } else if (resetAt < this.end) {
      // The server's window ends sooner than assumed: what was spent counts in it.
      this.end = resetAt;
    }
  }

  /** How much one payer may spend in a window at `percent`. */
  cap(percent: number): number {
    return Math.max(1, Math.floor(this.limit * percent / 100));
  }
}

export interface BudgetShareOptions {
  /** Percent of each budget one payer may use in a window (0: no limit). */
  readonly percent: number;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Called when a payer's rows start to wait, once per slow-down. */
  readonly onSlowed?: (account: Account) => void;
  readonly statuses?: BudgetFamilyDefaults;
  readonly requests?: BudgetFamilyDefaults;
  readonly media?: BudgetFamilyDefaults;
}

/**
 * Whose share a row spends: a delivery's or change's author, the account a notice or contact is
 * for.
 */
export function payerOf(effect: Effect): Account {
  return effect.kind === "deliver" || effect.kind === "amend" ? effect.from : effect.to;
}

/**
 * Whether sending `effect` posts a status. A status spends the statuses budget only: on Mastodon
 * that budget is far smaller than the requests one (30 against 300 per 5 minutes at 10 %), and its
 * answers are the ones that tell the statuses window, so each family learns from what it counts.
 */
function postsStatus(effect: Effect): boolean {
  return effect.kind === "notice" || effect.kind === "deliver";
}

/** The statuses a row still has to post (a thread: one per part not posted yet). */
function statusCost(effect: Effect): number {
  if (effect.kind === "contact" || effect.kind === "receipt" || effect.kind === "amend") return 1;
  const parts = effect.kind === "deliver" ? (effect.parts?.length ?? 1) : 1;
  return Math.max(1, parts - (effect.progress?.posted?.length ?? 0));
}

/** The files a row still has to upload. */
function mediaCost(effect: Effect): number {
  if (effect.kind !== "deliver") return 0;
  return Math.max(0, effect.media.length - (effect.progress?.media?.length ?? 0));
}

export class BudgetShare {
  readonly #o: BudgetShareOptions;
  readonly #statuses: Family;
  readonly #requests: Family;
  readonly #media: Family;
  /** Payers told they are slowed down, until when. */
  readonly #told = new Map<string, number>();

  constructor(opts: BudgetShareOptions) {
    this.#o = opts;
    this.#statuses = new Family(opts.statuses ?? STATUSES_DEFAULT);
    this.#requests = new Family(opts.requests ?? REQUESTS_DEFAULT);
    this.#media = new Family(opts.media ?? MEDIA_DEFAULT);
  }

  /** Reads the rate-limit headers of the answer to the call `what` (FediApi's name for it). */
  observe(what: string, headers: Headers): void {
    const w = readRateWindow(headers);
    if (w === null) return;
    const family = what === POST_STATUS_CALL
      ? this.#statuses
      : what === UPLOAD_MEDIA_CALL
      ? this.#media
      : this.#requests;
    family.observe(w.limit, w.resetAt, this.#o.now());
  }

  /** What one payer may spend per window: statuses and requests (Infinity: no limit). */
  caps(): { statuses: number; requests: number } {
    const { percent } = this.#o;
    if (percent <= 0) return { statuses: Infinity, requests: Infinity };
    return { statuses: this.#statuses.cap(percent), requests: this.#requests.cap(percent) };
  }

  /**
   * Whether `row` may be sent now: 0 when it may (its cost is then booked to its payer), else
   * the epoch ms before which it must wait.
   */
  admit(row: OutboxRow, effect: Effect): number {
    const { percent, now: clock } = this.#o;
    if (percent <= 0 || row.lane.startsWith(ASIDE_LANE_PREFIX)) return 0;
    const now = clock();
    const payer = payerOf(effect);
    const key = `${payer.network}:${payer.address}`;
    const family = postsStatus(effect) ? this.#statuses : this.#requests;
    // A row with files spends from the media budget too (each file once it is uploaded).
    const costs: [Family, number][] = [[family, statusCost(effect)], [
      this.#media,
      mediaCost(effect),
    ]];
    for (const [f, cost] of costs) {
      f.roll(now);
      // A cost above the whole share may still go when nothing was spent (it could never else).
      const spent = f.spent.get(key) ?? 0;
      if (cost > 0 && spent > 0 && spent + cost > f.cap(percent)) {
        const until = Math.max(f.end ?? now, now + 1);
        this.#slowed(key, payer, until, now);
        return until;
      }
    }
    for (const [f, cost] of costs) if (cost > 0) f.spent.set(key, (f.spent.get(key) ?? 0) + cost);
    return 0;
  }

  #slowed(key: string, payer: Account, until: number, now: number): void {
    if ((this.#told.get(key) ?? 0) > now) return;
    this.#told.set(key, until);
    if (this.#told.size > 10_000) {
      for (const [k, t] of this.#told) if (t <= now) this.#told.delete(k);
    }
    this.#o.onSlowed?.(payer);
  }
}
