/**
 * The entry point of the core: one inbound event in, state changes and effects out (through
 * `deps.emit`, inside the transaction of the change). Adapters call {@link Core.handle}; tests do
 * the same with fakes.
 */
import { registerAccount, unregisterAccount } from "./registration.ts";
import { applyLanguage, handleCommand } from "./commands.ts";
import { handleSend } from "./sending.ts";
import { botAccounts, type CoreDeps, Turn } from "./context.ts";
import { type ParsedMessage, parseMessage } from "./parse.ts";
import { type Account, FEDI, type Inbound, XMPP } from "./types.ts";
import { deliveryInFlight } from "./recipients.ts";
import { allowCommand } from "./flood.ts";

/**
 * The longest text the core takes in one message. Mastodon-compatible servers allow a few
 * thousand characters; a bigger message is refused with an explanation instead of being carried.
 */
export const MAX_INBOUND_CHARS = 20_000;

/** How long an answer may wait for the post it answers to settle (ms). */
export const REPLY_HOLD_MS = 15_000;

export class Core {
  constructor(readonly deps: CoreDeps) {}

  /**
   * Handles one event. With a `dedupeKey` (stable per event on its network: a notification id,
   * sender and stanza id), an event already handled is skipped and false returned; the key is
   * recorded in the same transaction as the event's effects. Throws only on store failure or a
   * port that failed unexpectedly (the event then stays unhandled, for a later replay).
   */
  async handle(inbound: Inbound, dedupeKey: string | null = null): Promise<boolean> {
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
        await this.#message(turn, inbound);
        return;
    }
  }

  /** Parses a message the way the core does, for adapters and tests. */
  parse(text: string, from: Account): ParsedMessage {
    const { config } = this.deps;
    return parseMessage(text, {
      prefixes: config.prefixes,
      commandWords: config.commandWords,
      apInstance: config.apInstance,
      botAddresses: { fedi: config.fediHandle, xmpp: config.xmppJid },
      from: from.network,
    });
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
    await this.#holdForTarget(inbound);
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
    if (parsed.lang !== null) {
      // A newcomer's `!register !lang=de` registers first, so the language can be kept.
      const registered = this.deps.store.users.get(inbound.from.network, inbound.from.address)
        ?.revokedAt === null;
      if (command && !registered) {
        await handleCommand(turn, command, parsed, inbound);
        applyLanguage(turn, parsed.lang);
        return;
      }
      applyLanguage(turn, parsed.lang);
      if (parsed.langOnly) return;
    }
    if (command) {
      await handleCommand(turn, command, parsed, inbound);
      return;
    }
    await handleSend(turn, parsed, inbound);
  }

  /**
   * A Fediverse answer to a status the bot is still posting (its id is not recorded yet) waits
   * until that send settles, so the answer finds its way instead of losing the race.
   */
  async #holdForTarget(inbound: Extract<Inbound, { kind: "message" }>): Promise<void> {
    const { deps } = this;
    const target = inbound.inReplyTo;
    if (target === null || inbound.from.network !== FEDI || !deps.nextSettled) return;
    const known = () =>
      deps.store.conversations.findByPostedId(FEDI, target).length > 0 ||
      deps.store.conversations.findBySourceId(XMPP, inbound.from.address, target).length > 0;
    const deadline = deps.now() + REPLY_HOLD_MS;
    while (!known() && deliveryInFlight(deps, inbound.from)) {
      const left = deadline - deps.now();
      if (left <= 0 || !(await deps.nextSettled(left))) return;
    }
  }

  #fromBot(account: Account): boolean {
    const bots = botAccounts(this.deps.config);
    return (account.network === bots.fedi.network && account.address === bots.fedi.address) ||
      (account.network === bots.xmpp.network && account.address === bots.xmpp.address);
  }
}
