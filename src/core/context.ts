/**
 * The per-event helper ({@link Turn}) that collects the effects of one inbound event and commits
 * them with the state change that caused them, in one transaction. What rules are handed is in
 * deps.ts.
 *
 * @module
 */
import type { Params } from "../i18n/mod.ts";
import { type Budget, guardAnswers, isOutsider, type Verdict } from "./flood.ts";
import { type Account, type AccountType, type ContactAction, type Effect, FEDI } from "./types.ts";
import type { CoreDeps } from "./deps.ts";
import type { MessageKey } from "../i18n/mod.ts";
import { languageOf, languageOfUser } from "./deps.ts";
import type { User } from "../store/mod.ts";
import { withReceipt } from "./receipts.ts";
import type { ReceiptRequest } from "./types.ts";

/**
 * One inbound event being handled: who it came from, in which language to answer, and the
 * effects decided so far. Rules call {@link Turn.reply} and friends, then {@link Turn.commit}.
 */
export class Turn {
  readonly effects: Effect[] = [];
  /** The language answers to the sender are written in. */
  lang: string;
  /**
   * The inbound event's dedupe key: each commit records it as handled in the same transaction
   * as its effects, so a replay after a crash is recognised (see {@link Turn.withoutMark}).
   */
  dedupe: { readonly network: AccountType; readonly key: string } | null = null;
  /** How many commits happened. */
  commits = 0;
  /**
   * Whether the answers of this turn are error answers (a refusal), which the flood control
   * counts against `max-refusals-per-hour` (see {@link Turn.refuse}).
   */
  refusal = false;
  /** The flood control's verdicts for this turn, per budget (see flood.ts). */
  readonly verdicts = new Map<Budget, Verdict>();
  /** The sender's XEP-0184 request, until a commit placed it (receipts.ts). */
  receipt: ReceiptRequest | null = null;
  /** The message is for the bot itself (a command): its receipt goes with the answer. */
  receiptAtOnce = false;
  #holdMark = 0;
  /** The sender's user row as last read (see {@link Turn.senderUser}). */
  #senderRow: { readonly user: User | undefined } | null = null;
  #committing = 0;

  constructor(
    readonly deps: CoreDeps,
    readonly sender: Account,
    /** The id of the message being handled, which a Fediverse answer replies to. */
    readonly sourceId: string | null,
  ) {
    this.lang = languageOfUser(deps, this.senderUser());
  }

  /**
   * The sender's user row (undefined: never registered), read once per event instead of by each
   * rule; read again after a commit, which may have changed it.
   */
  senderUser(): User | undefined {
    // Inside a commit the row may change at any step: read it as it is.
    if (this.#committing > 0) {
      return this.deps.store.users.get(this.sender.network, this.sender.address);
    }
    this.#senderRow ??= {
      user: this.deps.store.users.get(this.sender.network, this.sender.address),
    };
    return this.#senderRow.user;
  }

  /** Whether `account` is this turn's sender. */
  isSender(account: Account): boolean {
    return account.network === this.sender.network && account.address === this.sender.address;
  }

  /** The text of `key` in the sender's language. */
  t(key: MessageKey, params?: Params): string {
    return this.deps.i18n.t(this.lang, key, params);
  }

  /** Answers the sender with the text of `key`. */
  reply(key: MessageKey, params?: Params): void {
    this.replyText(this.t(key, params));
  }

  /** Answers the sender with the text of `key`, an error answer (see {@link Turn.refusal}). */
  refuse(key: MessageKey, params?: Params): void {
    this.refusal = true;
    this.reply(key, params);
  }

  /** Answers the sender with an already written text. */
  replyText(text: string): void {
    this.effects.push({
      kind: "notice",
      to: this.sender,
      text,
      inReplyTo: this.sender.network === FEDI ? this.sourceId : null,
    });
  }

  /** Writes to another account of a bot's network, in that account's language. */
  notify(to: Account, key: MessageKey, params?: Params): void {
    const text = this.deps.i18n.t(languageOf(this.deps, to), key, params);
    this.effects.push({ kind: "notice", to, text, inReplyTo: null });
  }

  contact(to: Account, action: ContactAction, accountId: string | null = null): void {
    this.effects.push({ kind: "contact", to, action, accountId });
  }

  /**
   * Runs `fn` (synchronous: the state changes) in one transaction and hands the effects collected
   * so far, and those `fn` adds, to the outbox inside it, less the answers that the flood control
   * holds back.
   */
  commit<T>(fn: () => T): T {
    this.#committing++;
    try {
      return this.#commit(fn);
    } finally {
      this.#committing--;
      // What was read of the sender during or before the commit may have changed.
      this.#senderRow = null;
    }
  }

  #commit<T>(fn: () => T): T {
    return this.deps.store.transaction(() => {
      const outsiderBefore = isOutsider(this.deps, this.sender);
      const result = fn();
      // Answers over the sender's flood budgets are held back (flood.ts).
      const guarded = guardAnswers(this, this.effects.splice(0), outsiderBefore);
      const effects = this.#holdMark === 0 ? withReceipt(this, guarded) : guarded;
      if (effects.length > 0) this.deps.emit(effects);
      if (this.dedupe && this.#holdMark === 0) {
        this.deps.store.inbound.markHandled(this.dedupe.network, this.dedupe.key, this.deps.now());
      }
      this.commits++;
      return result;
    });
  }

  /**
   * Runs an intermediate step (the auto-registration before a send) whose commits must not mark
   * the event handled: were the process to die before the last step, the replay must redo it.
   */
  async withoutMark<T>(fn: () => Promise<T>): Promise<T> {
    this.#holdMark++;
    try {
      return await fn();
    } finally {
      this.#holdMark--;
    }
  }
}
