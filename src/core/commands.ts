/**
 * Commands and the language setting (SPEC §5). {@link handleCommand} runs one command: the
 * admin check, the handler (in commands_user.ts, commands_admin.ts, commands_domains.ts,
 * registration.ts) and the note that a command message is never carried to the accounts it names. Each command answers
 * with one notice, committed with the state change it made. Unknown words and several commands
 * in one message are the engine's to answer.
 *
 * @module
 */
import * as admin from "./commands_admin.ts";
import * as domains from "./commands_domains.ts";
import {
  Answer,
  type CommandContext,
  type CommandHandler,
  hasAddresses,
} from "./commands_common.ts";
import * as user from "./commands_user.ts";
import { isAdmin } from "./deps.ts";
import type { Turn } from "./context.ts";
import { type CommandName, COMMANDS, type ParsedCommand, type ParsedMessage } from "./parse.ts";
import { commandText } from "./account_text.ts";
import { activeUser, registerAccount, unregisterAccount } from "./registration.ts";
import type { Inbound } from "./types.ts";

type MessageInbound = Extract<Inbound, { kind: "message" }>;

/** The commands only admins may use: from `start` to the end of the list (SPEC §5). */
export const ADMIN_COMMANDS: ReadonlySet<CommandName> = new Set(
  COMMANDS.slice(COMMANDS.indexOf("start")),
);

/** The commands that use the accounts a message names. */
const TAKES_ACCOUNTS: ReadonlySet<CommandName> = new Set<CommandName>([
  "report",
  "block",
  "unblock",
  "ablock",
  "aunblock",
]);

const HANDLERS: Readonly<Record<Exclude<CommandName, "register" | "unregister">, CommandHandler>> =
  {
    report: user.report,
    help: user.help,
    block: user.block,
    unblock: user.unblock,
    listblock: user.listblock,
    start: admin.start,
    stop: admin.stop,
    alistu: admin.alistu,
    alistb: admin.alistb,
    ablock: admin.ablock,
    aunblock: admin.aunblock,
    ahelp: admin.ahelp,
    addred: domains.addred,
    addgreen: domains.addgreen,
    delred: domains.delred,
    delgreen: domains.delgreen,
    listred: domains.listred,
    listgreen: domains.listgreen,
    open: admin.open,
    close: admin.close,
    status: admin.status,
  };

/** Runs one command for the sender of `turn` and commits its answer with its changes. */
export async function handleCommand(
  turn: Turn,
  command: ParsedCommand,
  parsed: ParsedMessage,
  inbound: MessageInbound,
): Promise<void> {
  const note = !TAKES_ACCOUNTS.has(command.name) && hasAddresses(parsed)
    ? turn.t("common.nothing_sent")
    : null;
  if (command.name === "register") {
    await registerAccount(turn, { trigger: "command", statusLang: inbound.lang, note });
    return;
  }
  if (command.name === "unregister") {
    unregisterAccount(turn, "command", note);
    return;
  }
  const handler = HANDLERS[command.name];
  const answer = new Answer(turn);
  const ctx: CommandContext = { turn, command, parsed, inbound, answer };
  turn.commit(() => {
    if (ADMIN_COMMANDS.has(command.name) && !isAdmin(turn.deps.config, turn.sender)) {
      turn.refusal = true;
      answer.line("admin.only", { command: commandText(turn, command.name) });
    } else {
      handler(ctx);
    }
    if (note !== null) answer.text(note);
    answer.send();
  });
}

/**
 * `!lang=xx`: sets the registered sender's language and answers in it. An unknown (or empty)
 * code is answered in `bridge-unknown-language` with the languages on offer. Returns true when
 * the language was set.
 */
export function applyLanguage(turn: Turn, code: string): boolean {
  const { i18n, store } = turn.deps;
  const example = `${turn.deps.config.prefixes.lang}${i18n.languages()[0] ?? "en"}`;
  if (activeUser(turn, turn.sender) === undefined) {
    turn.refuse("lang.not_registered", { register: commandText(turn, "register"), example });
    turn.commit(() => {});
    return false;
  }
  const lang = code === "" ? null : i18n.resolve(code);
  if (lang === null) {
    turn.refusal = true;
    turn.replyText(i18n.t(i18n.unknownLanguage, "lang.unknown", {
      code,
      languages: i18n.languages().join(", "),
      example,
    }));
    turn.commit(() => {});
    return false;
  }
  turn.commit(() => {
    store.users.setLanguage(turn.sender.network, turn.sender.address, lang);
    turn.lang = lang;
    turn.reply("lang.set", { language: lang });
  });
  return true;
}
