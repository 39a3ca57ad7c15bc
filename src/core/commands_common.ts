/**
 * What every command handler shares: the {@link CommandContext} it is handed, the
 * {@link Answer} it writes into (one notice to the sender, however many lines), and small
 * helpers for addresses, lists and help links.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { MessageKey, Params } from "../i18n/mod.ts";
import { botAccounts } from "./deps.ts";
import type { Turn } from "./context.ts";
import type { CommandName, ParsedCommand, ParsedMessage } from "./parse.ts";
import { accountText, commandText, isoDate } from "./account_text.ts";
import { type Account, FEDI, type Inbound, XMPP } from "./types.ts";

/** A list answer shows at most this many entries, then "and N more". */
export const MAX_LIST_LINES = 50;

/** Everything a command handler needs; handlers run inside the turn's commit. */
export interface CommandContext {
  readonly turn: Turn;
  readonly command: ParsedCommand;
  readonly parsed: ParsedMessage;
  readonly inbound: Extract<Inbound, { kind: "message" }>;
  readonly answer: Answer;
}

/** A command handler: synchronous, it runs inside the transaction of the turn. */
export type CommandHandler = (ctx: CommandContext) => void;

/** The answer to the sender, built line by line and sent as one notice. */
export class Answer {
  readonly #lines: string[] = [];

  constructor(private readonly turn: Turn) {}

  /** Adds the text of `key` in the sender's language. */
  line(key: MessageKey, params?: Params): this {
    this.#lines.push(this.turn.t(key, params));
    return this;
  }

  /** Adds an already written text. */
  text(text: string): this {
    this.#lines.push(text);
    return this;
  }

  /**
   * Adds a heading (`key`, given `count`) and the items one per line, at most
   * {@link MAX_LIST_LINES} of them, then how many were left out.
   */
  list(key: MessageKey, params: Params, items: readonly string[]): this {
    this.line(key, { ...params, count: items.length });
    for (const item of items.slice(0, MAX_LIST_LINES)) this.text(`- ${item}`);
    if (items.length > MAX_LIST_LINES) {
      this.line("common.more", { count: items.length - MAX_LIST_LINES });
    }
    return this;
  }

  /** Adds the text of `key` with `items` joined as its `param`, when there are any items. */
  joined(key: MessageKey, param: string, items: readonly string[]): this {
    return items.length > 0 ? this.line(key, { [param]: items.join(", ") }) : this;
  }

  /** Adds {@link list}, or the text of `emptyKey` when there are no items. */
  listOr(emptyKey: MessageKey, key: MessageKey, items: readonly string[]): this {
    return items.length === 0 ? this.line(emptyKey) : this.list(key, {}, items);
  }

  get isEmpty(): boolean {
    return this.#lines.length === 0;
  }

  /** Queues the answer (nothing when it is empty). */
  send(): void {
    if (this.#lines.length > 0) this.turn.replyText(this.#lines.join("\n"));
  }
}

/** Whether the message names any account (so a command that takes none sends nothing). */
export function hasAddresses(parsed: ParsedMessage): boolean {
  return parsed.fediRecipients.length > 0 || parsed.xmppRecipients.length > 0 ||
    parsed.shortMentions.length > 0;
}

/** The accounts a message names, sorted by network relative to the sender. */
export interface NamedAccounts {
  /** Accounts of the other network: what block and ablock act on. */
  readonly others: Account[];
  /** Accounts of the sender's own network, as written (they cannot be used). */
  readonly own: string[];
  /** From XMPP: Fediverse names without a server. */
  readonly short: readonly string[];
}

export function namedAccounts(ctx: CommandContext): NamedAccounts {
  const { turn, parsed } = ctx;
  const fedi = parsed.fediRecipients.map((address): Account => ({ network: FEDI, address }));
  const xmpp = parsed.xmppRecipients.map((address): Account => ({ network: XMPP, address }));
  const [others, own] = turn.sender.network === FEDI ? [xmpp, fedi] : [fedi, xmpp];
  return {
    others,
    own: own.map((a) => accountText(turn, a)),
    short: parsed.shortMentions,
  };
}

/** Notes about the accounts that were named but could not be used. */
export function noteUnusable(ctx: CommandContext, named: NamedAccounts): void {
  const { turn, answer } = ctx;
  if (named.own.length > 0) answer.line("common.own_network", { accounts: named.own.join(", ") });
  if (named.short.length > 0) {
    const fedi = turn.deps.config.prefixes.fedi;
    answer.line("common.short_mentions", {
      names: named.short.map((n) => `${fedi}${n}`).join(", "),
      example: `${fedi}name@server.example`,
    });
  }
}

/** An example account of the network other than the sender's, as they would write it. */
export function otherExample(turn: Turn): string {
  const network = turn.sender.network === FEDI ? XMPP : FEDI;
  return accountText(turn, { network, address: "name@server.example" });
}

/** `!word` followed by an example account of the other network. */
export function accountUsage(turn: Turn, name: CommandName): string {
  return `${commandText(turn, name)} ${otherExample(turn)}`;
}

/** An entry of a blocklist: the account and since when (`common.item_since`). */
export function itemSince(turn: Turn, account: Account, at: number): string {
  return turn.t("common.item_since", { item: accountText(turn, account), date: isoDate(at) });
}

/** Whether the account is one of the bridge's two bots. */
export function isBot(config: Config, account: Account): boolean {
  const bots = botAccounts(config);
  const bot = account.network === FEDI ? bots.fedi : bots.xmpp;
  return bot.address.toLowerCase() === account.address.toLowerCase();
}

/** The Fediverse bot's profile page, the help link of last resort. */
export function botProfileUrl(config: Config): string {
  const name = config.fediHandle.split("@")[0] ?? config.fediHandle;
  return `https://${config.apInstance}/@${name}`;
}

/** The link in `urls` for `lang` (or its base language), else the bot's profile page. */
export function helpLink(
  config: Config,
  urls: Readonly<Record<string, string>>,
  lang: string,
): string {
  const code = lang.toLowerCase();
  return urls[code] ?? urls[code.split("-")[0] ?? code] ?? botProfileUrl(config);
}

/** Runs a change of a state or list file; on failure answers so and returns null. */
export function writeFile<T>(ctx: CommandContext, file: string, change: () => T): T | null {
  try {
    return change();
  } catch {
    ctx.answer.line("admin.file_error", { file });
    return null;
  }
}
