/**
 * The commands open to everyone (SPEC §5, rows 2 to 6): report, help and the personal
 * blocklist. Registering and leaving are in registration.ts.
 *
 * @module
 */
import { cancelBetween } from "./cancel.ts";
import { isAdmin } from "./deps.ts";
import { charge, limitOf } from "./flood.ts";
import {
  accountUsage,
  type CommandContext,
  helpLink,
  itemSince,
  namedAccounts,
  noteUnusable,
  otherExample,
} from "./commands_common.ts";
import { accountText, commandText } from "./account_text.ts";
import { activeUser } from "./registration.ts";
import { FEDI, XMPP } from "./types.ts";

/** Forwards the message to the first XMPP admin, naming who sent it. */
export function report(ctx: CommandContext): void {
  const { turn, parsed, answer } = ctx;
  const { config } = turn.deps;
  const typed = `${config.prefixes.command}${ctx.command.word}`;
  const rest = parsed.text.split(/\s+/).filter((w) => w.toLowerCase() !== typed.toLowerCase());
  if (rest.join("") === "") {
    answer.line("report.empty", { report: commandText(turn, "report") });
    return;
  }
  const admin = config.xmppAdmins[0];
  if (admin === undefined) {
    // `xmpp_admin` is optional: without it there is nobody to tell.
    answer.line("report.nobody");
    return;
  }
  // Flood control: so many reports per account and day reach the admin, no more.
  const verdict = charge(turn.deps, turn.sender, "report");
  if (verdict !== "ok") {
    turn.refusal = true;
    if (verdict === "over") {
      answer.line("flood.reports", { max: limitOf(config, "report").max });
    }
    return;
  }
  turn.notify({ network: XMPP, address: admin }, "report.forward", {
    sender: accountText(turn, turn.sender),
    text: parsed.text,
  });
  answer.line("report.thanks");
}

/** How the bridge works, the user commands, the privacy note and the help page. */
export function help(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const { config } = turn.deps;
  answer.line("help.intro");
  answer.line(turn.sender.network === FEDI ? "help.from_fedi" : "help.from_xmpp", {
    example: otherExample(turn),
  });
  answer.line("help.commands", {
    register: commandText(turn, "register"),
    unregister: commandText(turn, "unregister"),
    report: commandText(turn, "report"),
    help: commandText(turn, "help"),
    block: commandText(turn, "block"),
    unblock: commandText(turn, "unblock"),
    listblock: commandText(turn, "listblock"),
    account: otherExample(turn),
    lang: config.prefixes.lang,
  });
  answer.line("help.privacy");
  if (isAdmin(config, turn.sender)) {
    answer.line("help.admin_hint", { ahelp: commandText(turn, "ahelp") });
  }
  answer.line("help.more", { url: helpLink(config, config.helpUrl, turn.lang) });
}

/** Whether the sender may use the personal blocklist; answers when not. */
function registered(ctx: CommandContext): boolean {
  if (activeUser(ctx.turn, ctx.turn.sender) !== undefined) return true;
  ctx.answer.line("cmd.not_registered", { register: commandText(ctx.turn, "register") });
  return false;
}

/** Adds accounts of the other network to the sender's blocklist. */
export function block(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  if (!registered(ctx)) return;
  const named = namedAccounts(ctx);
  if (named.others.length === 0) {
    answer.line("cmd.block_usage", { example: accountUsage(turn, "block") });
  }
  const added: string[] = [];
  const already: string[] = [];
  for (const account of named.others) {
    const fresh = turn.deps.store.blocks.add(
      turn.sender.network,
      turn.sender.address,
      account.address,
      turn.deps.now(),
    );
    (fresh ? added : already).push(accountText(turn, account));
    // What is still queued between the two, either way, does not go (nobody is told).
    cancelBetween(turn, turn.sender, account);
  }
  answer.joined("cmd.blocked", "accounts", added);
  answer.joined("cmd.already_blocked", "accounts", already);
  noteUnusable(ctx, named);
}

/** Removes accounts from the sender's blocklist. */
export function unblock(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  if (!registered(ctx)) return;
  const named = namedAccounts(ctx);
  if (named.others.length === 0) {
    answer.line("cmd.unblock_usage", { example: accountUsage(turn, "unblock") });
  }
  const removed: string[] = [];
  const absent: string[] = [];
  for (const account of named.others) {
    const gone = turn.deps.store.blocks.remove(
      turn.sender.network,
      turn.sender.address,
      account.address,
    );
    (gone ? removed : absent).push(accountText(turn, account));
  }
  answer.joined("cmd.unblocked", "accounts", removed);
  answer.joined("cmd.not_blocked", "accounts", absent);
  noteUnusable(ctx, named);
}

/** The sender's blocklist, newest first. */
export function listblock(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  if (!registered(ctx)) return;
  const network = turn.sender.network === FEDI ? XMPP : FEDI;
  const blocks = turn.deps.store.blocks.list(turn.sender.network, turn.sender.address);
  if (blocks.length === 0) {
    answer.line("cmd.listblock_empty", { example: accountUsage(turn, "block") });
    return;
  }
  answer.list(
    "cmd.listblock",
    {},
    blocks.map((b) => itemSince(turn, { network, address: b.blocked }, b.at)),
  );
}
