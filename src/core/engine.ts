/**
 * The entry point of the core: one inbound event in, state changes and effects out (through
 * `deps.emit`, inside the transaction of the change). Adapters call {@link Core.handle}; tests do
 * the same with fakes.
 */
import { registerAccount, unregisterAccount } from "./registration.ts";
import { applyLanguage, handleCommand } from "./commands.ts";
import { handleSend } from "./sending.ts";
import { handleAmend } from "./native.ts";
import { botAccounts, type CoreDeps, parseFor } from "./deps.ts";
import { Turn } from "./context.ts";
import type { ParsedMessage } from "./parse.ts";
import { defuseMentions } from "./render.ts";
import { type Account, FEDI, type Inbound, XMPP } from "./types.ts";
import { deliveryInFlight } from "./recipients.ts";
import { charge, limitOf } from "./flood.ts";
import { handleEncrypted } from "./encrypted.ts";

/**
 * The longest text the core takes in one message. Mastodon-compatible servers allow a few
 * thousand characters; a bigger message is refused with an explanation instead of being carried.
 */
export const MAX_INBOUND_CHARS = 20_000;

/** How long an answer may wait for the post it answers to settle (ms). */
export const REPLY_HOLD_MS = 15_000;

/** What the process around the core wants to hear about. */
export interface CoreOptions {
  /**
   * An event that waited in its sender's lane failed when its turn came (its dedupe key is not
   * committed: a later catch-up brings it again). Default: nothing.
   */
  readonly onDeferredFailure?: (error: unknown, inbound: Inbound) => void;
}

export class Core {
  /** Per Fediverse sender: the chain of their events that wait (see {@link Core.handle}). */
  readonly #lanes = new Map<string, Promise<void>>();
  /** Dedupe keys (`network:key`) of events waiting in a lane: not handled yet, but taken. */
  readonly #waiting = new Set<string>();
  #closed = false;
  #close!: () => void;
  readonly #closing = new Promise<void>((resolve) => this.#close = resolve);

  constructor(readonly deps: CoreDeps, readonly options: CoreOptions = {}) {}

  /**
   * Handles one event. With a `dedupeKey` (stable per event on its network: a notification id,
   * sender and stanza id), an event already handled is skipped and false returned; the key is
   * recorded in the same transaction as the event's effects. Throws only on store failure or a
   * port that failed unexpectedly (the event then stays unhandled, for a later replay).
   *
   * A Fediverse answer to a status the bot is still posting must wait for that send to settle
   * (else it loses the race and finds no recipient). It does not wait here, where it would hold
   * up the caller's queue and so everyone's events: it is put in its sender's own lane and true
   * is returned at once. Later events of the same sender join the lane behind it, so their order
   * holds; other senders go on. The dedupe key is committed only once the event is handled, with
   * its effects: were the process to stop meanwhile, the event is still unhandled and a later
   * catch-up brings it again. A waiting key counts as taken: the same event arriving again
   * meanwhile (stream and catch-up) is a duplicate.
   */
  async handle(inbound: Inbound, dedupeKey: string | null = null): Promise<boolean> {
    const network = inbound.from.network;
    const taken = dedupeKey === null ? null : `${network}:${dedupeKey}`;
    if (taken !== null && this.#waiting.has(taken)) return false;
    if (dedupeKey !== null && this.deps.store.inbound.isHandled(network, dedupeKey)) return false;
    if (network === FEDI && !this.#fromBot(inbound.from)) {
      const lane = inbound.from.address.toLowerCase();
      if (this.#lanes.has(lane) || this.#mustWait(inbound)) {
        this.#defer(lane, inbound, dedupeKey, taken);
        return true;
      }
    }
    return await this.#handleNow(inbound, dedupeKey);
  }

  /** Resolves once no event waits in a lane (those added meanwhile included). */
  async idle(): Promise<void> {
    while (this.#lanes.size > 0) await Promise.all([...this.#lanes.values()]);
  }

  /**
   * Stops: events still waiting in a lane are dropped unhandled (their keys are not committed,
   * so a later catch-up brings them again); resolves once the lanes are empty.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    this.#close();
    await this.idle();
  }

  #defer(lane: string, inbound: Inbound, dedupeKey: string | null, taken: string | null): void {
    if (taken !== null) this.#waiting.add(taken);
    const previous = this.#lanes.get(lane) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(async () => {
        if (this.#closed) return;
        await this.#waitForTarget(inbound);
        if (this.#closed) return;
        await this.#handleNow(inbound, dedupeKey);
      })
      .catch((error) => {
        try {
          this.options.onDeferredFailure?.(error, inbound);
        } catch {
          // A listener's trouble is not the event's.
        }
      })
      .finally(() => {
        if (taken !== null) this.#waiting.delete(taken);
        if (this.#lanes.get(lane) === run) this.#lanes.delete(lane);
      });
    this.#lanes.set(lane, run);
  }

  async #handleNow(inbound: Inbound, dedupeKey: string | null): Promise<boolean> {
    const { store } = this.deps;
    const network = inbound.from.network;
    if (dedupeKey !== null && store.inbound.isHandled(network, dedupeKey)) return false;
    const turn = new Turn(this.deps, inbound.from, inbound.kind === "message" ? inbound.id : null);
    if (dedupeKey !== null) turn.dedupe = { network, key: dedupeKey };
    if (!this.#fromBot(inbound.from)) await this.#dispatch(turn, inbound);
    // Ignored events (empty bodies, the bots' own) are recorded as handled all the same.
    if (turn.commits === 0 && dedupeKey !== null) turn.commit(() => {});
    return true;
  }

  async #dispatch(turn: Turn, inbound: Inbound): Promise<void> {
    switch (inbound.kind) {
      case "follow":
        await registerAccount(turn, {
          trigger: inbound.request ? "follow_request" : "follow",
          accountId: inbound.accountId,
        });
        return;
      case "subscribe":
        await registerAccount(turn, { trigger: "subscribe" });
        return;
      case "unsubscribe":
        unregisterAccount(turn, "unsubscribe");
        return;
      case "message":
        turn.receipt = inbound.receipt ?? null;
        await this.#message(turn, inbound);
        return;
      case "encrypted":
        handleEncrypted(turn);
        return;
      case "amend":
        handleAmend(turn, inbound);
        return;
    }
  }

  /** Parses a message the way the core does, for adapters and tests. */
  parse(text: string, from: Account): ParsedMessage {
    return parseFor(this.deps.config, text, from);
  }

  async #message(turn: Turn, inbound: Extract<Inbound, { kind: "message" }>): Promise<void> {
    // An empty body (a chat state, a stray newline) is no message: no answer either.
    if (inbound.text.trim() === "") return;
    if (inbound.text.length > MAX_INBOUND_CHARS) {
      turn.refuse("engine.too_long", { max: MAX_INBOUND_CHARS });
      turn.commit(() => {});
      return;
    }
    const parsed = this.parse(inbound.text, inbound.from);
    if (parsed.isEmpty) return;
    if (!allowCommand(turn, parsed)) return;
    if (parsed.badAddresses.length > 0) {
      // Refused before anything else: such an address must never reach a lookup or the wire.
      const written = parsed.badAddresses.join(", ");
      turn.refuse("engine.bad_address", {
        // Written without live mentions: to a Fediverse user this answer is a status.
        addresses: inbound.from.network === FEDI ? defuseMentions(written, new Set(), "") : written,
      });
      turn.commit(() => {});
      return;
    }
    const { prefixes } = this.deps.config;
    const commandCount = parsed.commands.length + parsed.unknownCommands.length;
    if (commandCount > 1 || parsed.langs.length > 1) {
      turn.refuse("engine.one_command", { prefix: prefixes.command });
      turn.commit(() => {});
      return;
    }
    if (parsed.unknownCommands.length === 1) {
      turn.refuse("engine.unknown_command", {
        command: `${prefixes.command}${parsed.unknownCommands[0]}`,
        help: `${prefixes.command}${this.deps.config.commandWords[3]}`,
      });
      turn.commit(() => {});
      return;
    }
    const command = parsed.commands[0];
    // For the bot itself: a receipt goes with the answer (unless it is a refusal).
    turn.receiptAtOnce = command !== undefined || (parsed.lang !== null && parsed.langOnly);
    if (parsed.lang !== null) {
      // A newcomer's `!register !lang=de` registers first, so the language can be kept.
      const registered = turn.senderUser()?.revokedAt === null;
      if (command && !registered) {
        await handleCommand(turn, command, parsed, inbound);
        applyLanguage(turn, parsed.lang);
        return;
      }
      applyLanguage(turn, parsed.lang);
      // As in the old bridge, a language setting without a command does that and nothing else:
      // the rest of the message is not sent on.
      if (!command) return;
    }
    if (command) {
      await handleCommand(turn, command, parsed, inbound);
      return;
    }
    await handleSend(turn, parsed, inbound);
  }

  /**
   * Whether a Fediverse answer must wait: it answers a status the bot is still posting to its
   * sender (its id is not recorded yet).
   */
  #mustWait(inbound: Inbound): boolean {
    if (inbound.kind !== "message" || !this.deps.nextSettled) return false;
    if (inbound.inReplyTo === null || inbound.from.network !== FEDI) return false;
    if (inbound.text.trim() === "" || inbound.text.length > MAX_INBOUND_CHARS) return false;
    return !this.#targetKnown(inbound.from, inbound.inReplyTo) &&
      deliveryInFlight(this.deps, inbound.from);
  }

  #targetKnown(from: Account, target: string): boolean {
    const { conversations } = this.deps.store;
    return conversations.findByPostedId(FEDI, target).length > 0 ||
      conversations.findBySourceId(XMPP, from.address, target).length > 0;
  }

  /**
   * Waits (in the sender's lane) until the send the answer may be aiming at settles, at most
   * {@link REPLY_HOLD_MS}, so the answer finds its way instead of losing the race.
   */
  async #waitForTarget(inbound: Inbound): Promise<void> {
    const { deps } = this;
    if (inbound.kind !== "message" || !deps.nextSettled) return;
    const target = inbound.inReplyTo;
    if (target === null) return;
    const deadline = deps.now() + REPLY_HOLD_MS;
    while (!this.#targetKnown(inbound.from, target) && deliveryInFlight(deps, inbound.from)) {
      const left = deadline - deps.now();
      if (left <= 0 || this.#closed) return;
      const settled = await Promise.race([
        deps.nextSettled(left),
        this.#closing.then(() => false),
      ]);
      if (!settled) return;
    }
  }

  #fromBot(account: Account): boolean {
    const bots = botAccounts(this.deps.config);
    return (account.network === bots.fedi.network && account.address === bots.fedi.address) ||
      (account.network === bots.xmpp.network && account.address === bots.xmpp.address);
  }
}

/**
 * The `command` budget, for a message that is a command, several, an unknown one or a language
 * setting: true when it may be handled. Over the budget, the first such message gets one notice
 * and the rest are dropped in silence (the event still counts as handled).
 */
function allowCommand(turn: Turn, parsed: ParsedMessage): boolean {
  const isCommand = parsed.commands.length > 0 || parsed.unknownCommands.length > 0 ||
    parsed.lang !== null;
  if (!isCommand) return true;
  const verdict = charge(turn.deps, turn.sender, "command");
  if (verdict === "ok") return true;
  if (verdict === "over") {
    turn.reply("flood.commands", { max: limitOf(turn.deps.config, "command").max });
  }
  turn.commit(() => {});
  return false;
}
