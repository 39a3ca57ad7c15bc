/**
 * Flood control: per-account budgets for everything that makes a bot speak or look something up,
 * so that no one account can keep a bot busy, fill the admins' inbox or spend the bot's server
 * budget.
 *
 * - Budgets (config keys, 0: no limit): `command` (`max-commands-per-hour`), `refusal` (error
 *   answers, `max-refusals-per-hour`), `register` (attempts to join,
 *   `max-registration-attempts-per-day`), `report` (`max-reports-per-day`) and `outsider`
 *   (`max-answers-to-outsiders-per-hour`: every answer to an account that is blocked bridge-wide
 *   or belongs to a red-listed or, in green-list mode, unlisted domain).
 * - Each budget counts in a fixed window per account (src/store/flood.ts), kept in the database:
 *   restarts and re-registration do not reset it. The first event over a budget gets one short
 *   "slow down" answer where there is one to give ({@link Verdict} `over`); further events in the
 *   window are held back in silence (`silent`), counted and logged at debug level without any
 *   message text.
 * - Admins have no budgets.
 * - Failed account lookups (unknown account, a bot, a group, `#nobot`, too little activity) are
 *   remembered for `negative-lookup-cache-minutes` ({@link NegativeLookups}), so an unregistered
 *   account writing again and again does not make the bot ask its server again each time.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { MessageKey, Params } from "../i18n/mod.ts";
import { logger } from "../log.ts";
import type { CoreStore } from "./ports.ts";
import type { Account, Effect } from "./types.ts";
import type { CoreDeps } from "./deps.ts";
import { botDomains } from "./deps.ts";
import { commandText } from "./account_text.ts";
import { domainOf } from "./deps.ts";
import { isAdmin } from "./deps.ts";

export type Budget = "command" | "refusal" | "register" | "report" | "outsider";

/** `ok`: within the budget; `over`: the first event over it (told once); `silent`: beyond. */
export type Verdict = "ok" | "over" | "silent";

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The longest window of any budget: counters older than this can go. */
export const LONGEST_WINDOW_MS = DAY_MS;

const log = logger("core", "flood");

/** The size and the window of a budget. */
export function limitOf(config: Config, budget: Budget): { max: number; windowMs: number } {
  switch (budget) {
    case "command":
      return { max: config.maxCommandsPerHour, windowMs: HOUR_MS };
    case "refusal":
      return { max: config.maxRefusalsPerHour, windowMs: HOUR_MS };
    case "register":
      return { max: config.maxRegistrationAttemptsPerDay, windowMs: DAY_MS };
    case "report":
      return { max: config.maxReportsPerDay, windowMs: DAY_MS };
    case "outsider":
      return { max: config.maxAnswersToOutsidersPerHour, windowMs: HOUR_MS };
  }
}

/** Counts one event of `budget` for `account` and says whether it may be answered. */
export function charge(deps: CoreDeps, account: Account, budget: Budget): Verdict {
  const { config, store } = deps;
  const { max, windowMs } = limitOf(config, budget);
  if (max <= 0 || isAdmin(config, account)) return "ok";
  const { count } = store.flood.charge(
    account.network,
    account.address,
    budget,
    windowMs,
    deps.now(),
  );
  if (count <= max) return "ok";
  const held = store.flood.hold(account.network, account.address, budget);
  log.debug("{budget} budget of {network}:{address} used up ({max} per window): {held} held back", {
    budget,
    network: account.network === 0 ? "fedi" : "xmpp",
    address: account.address,
    max,
    held,
  });
  return count === max + 1 ? "over" : "silent";
}

/**
 * Whether `account` is an outsider: blocked bridge-wide, or of a domain that may not use the
 * bridge. Admins never are. An account that is merely not registered is none: it may be finding its
 * way in, and its error answers count against the refusal budget.
 */
export function isOutsider(deps: CoreDeps, account: Account): boolean {
  const { config, store, lists } = deps;
  if (isAdmin(config, account)) return false;
  if (store.bridgeBlocks.has(account.network, account.address)) return true;
  const domain = domainOf(account.address);
  if (!botDomains(config).has(domain)) {
    if (lists.isRed(domain)) return true;
    if (config.greenlistMode && !lists.isGreen(domain)) return true;
  }
  return false;
}

/** What {@link guardAnswers} reads and keeps of a turn (a `Turn` of context.ts). */
export interface GuardedTurn {
  readonly deps: CoreDeps;
  readonly sender: Account;
  /** Whether the turn's answers are error answers. */
  readonly refusal: boolean;
  /** The verdicts of this turn so far, per budget (each budget is charged once a turn). */
  readonly verdicts: Map<Budget, Verdict>;
  t(key: string, params?: Params): string;
}

/**
 * Applies the answer budgets to the effects a turn is about to commit: `outsider` to answers to
 * an outsider (one who was an outsider before the change and still is after it: a newcomer's
 * welcome and a leaver's goodbye always go), `refusal` to error answers of a turn marked
 * `Turn.refusal`. Answers over the budget are dropped; the first error answer over
 * `max-refusals-per-hour` is replaced by one "slow down" notice. Other effects pass unchanged.
 * Each budget is charged at most once per turn.
 */
export function guardAnswers(
  turn: GuardedTurn,
  effects: readonly Effect[],
  outsiderBefore: boolean,
): Effect[] {
  const { sender } = turn;
  const toSender = (e: Effect) =>
    e.kind === "notice" && e.to.network === sender.network && e.to.address === sender.address;
  if (!effects.some(toSender)) return [...effects];
  const budget: Budget | null = outsiderBefore && isOutsider(turn.deps, sender)
    ? "outsider"
    : turn.refusal
    ? "refusal"
    : null;
  if (budget === null) return [...effects];
  let verdict = turn.verdicts.get(budget);
  if (verdict === undefined) {
    verdict = charge(turn.deps, sender, budget);
    // Later commits of this turn are judged as its first.
    turn.verdicts.set(budget, verdict === "over" ? "silent" : verdict);
  }
  if (verdict === "ok") return [...effects];
  const kept = effects.filter((e) => !toSender(e));
  if (verdict === "over" && budget === "refusal") {
    const { max } = limitOf(turn.deps.config, "refusal");
    const first = effects.find(toSender) as Extract<Effect, { kind: "notice" }> | undefined;
    kept.unshift({
      kind: "notice",
      to: sender,
      text: turn.t("flood.refusals", { max, help: commandText(turn, "help") }),
      inReplyTo: first?.inReplyTo ?? null,
    });
  }
  return kept;
}

/** What {@link NegativeLookups} remembers: the refusal a lookup led to. */
export interface RememberedRefusal {
  readonly key: MessageKey;
  readonly params?: Record<string, string | number>;
}

/** How many failed lookups are remembered at most (the oldest are forgotten first). */
export const NEGATIVE_LOOKUPS_MAX = 10_000;

/**
 * Failed account lookups of one store's core, for `negative-lookup-cache-minutes`: bounded in
 * size, each entry expiring on its own.
 */
export class NegativeLookups {
  readonly #entries = new Map<string, { until: number; refusal: RememberedRefusal }>();

  constructor(readonly maxEntries = NEGATIVE_LOOKUPS_MAX) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The remembered refusal for `address`, or null (none, or expired). */
  get(address: string, now: number): RememberedRefusal | null {
    const entry = this.#entries.get(address);
    if (entry === undefined) return null;
    if (entry.until <= now) {
      this.#entries.delete(address);
      return null;
    }
    return entry.refusal;
  }

  /** Remembers a refusal for `ttlMs` (nothing when `ttlMs` is 0). */
  set(address: string, refusal: RememberedRefusal, now: number, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.delete(address);
    this.#entries.set(address, { until: now + ttlMs, refusal });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets `address` (it registered after all, say). */
  delete(address: string): void {
    this.#entries.delete(address);
  }
}

const negativeLookups = new WeakMap<CoreStore, NegativeLookups>();

/** The failed lookups remembered for the core on `store` (one per store, made on first use). */
export function negativeLookupsOf(store: CoreStore): NegativeLookups {
  let cache = negativeLookups.get(store);
  if (cache === undefined) {
    cache = new NegativeLookups();
    negativeLookups.set(store, cache);
  }
  return cache;
}
