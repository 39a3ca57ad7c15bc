/**
 * The admins' commands (SPEC §5, rows 7 to 22): sending and registrations on or off, users,
 * bridge-wide blocks, help and status (the red and green domain lists: commands_domains.ts). The caller has checked
 * that the sender is an admin; every handler runs inside the turn's commit.
 *
 * @module
 */
import { cancelInvolving } from "./cancel.ts";
import { readInletCounts } from "../store/mod.ts";
import { isAdmin } from "./deps.ts";
import { DAY_MS } from "./flood.ts";
import { RECEIPT_WINDOW_MS } from "./receipts.ts";
import {
  accountUsage,
  type CommandContext,
  helpLink,
  isBot,
  itemSince,
  namedAccounts,
  noteUnusable,
  writeFile,
} from "./commands_common.ts";
import { accountText, commandText, isoDate } from "./account_text.ts";
import { COMMANDS } from "./parse.ts";
import { revokeUser } from "./registration.ts";

export function start(ctx: CommandContext): void {
  const { lists } = ctx.turn.deps;
  if (writeFile(ctx, lists.files.start, () => lists.setSending(true)) === null) return;
  ctx.answer.line("admin.started");
}

export function stop(ctx: CommandContext): void {
  const { lists } = ctx.turn.deps;
  if (writeFile(ctx, lists.files.start, () => lists.setSending(false)) === null) return;
  ctx.answer.line("admin.stopped", { start: commandText(ctx.turn, "start") });
}

export function open(ctx: CommandContext): void {
  const { lists } = ctx.turn.deps;
  if (writeFile(ctx, lists.files.open, () => lists.setOpen(true)) === null) return;
  ctx.answer.line("admin.opened");
}

export function close(ctx: CommandContext): void {
  const { lists } = ctx.turn.deps;
  if (writeFile(ctx, lists.files.open, () => lists.setOpen(false)) === null) return;
  ctx.answer.line("admin.closed", { open: commandText(ctx.turn, "open") });
}

/** Active users with their app, newest first. */
export function alistu(ctx: CommandContext): void {
  const { turn } = ctx;
  const users = turn.deps.store.users.listActive().map((u) =>
    turn.t("admin.user_item", {
      account: accountText(turn, { network: u.type, address: u.address }),
      app: u.app,
      date: isoDate(u.registeredAt),
    })
  );
  ctx.answer.listOr("admin.users_empty", "admin.users", users);
}

/** The bridge-wide blocklist, newest first. */
export function alistb(ctx: CommandContext): void {
  const { turn } = ctx;
  const blocks = turn.deps.store.bridgeBlocks.list()
    .map((b) => itemSince(turn, { network: b.type, address: b.address }, b.at));
  ctx.answer.listOr("admin.blocks_empty", "admin.blocks", blocks);
}

/** Blocks accounts of the other network on the whole bridge and unregisters them. */
export function ablock(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const { config, store } = turn.deps;
  const named = namedAccounts(ctx);
  if (named.others.length === 0) {
    answer.line("admin.block_usage", { example: accountUsage(turn, "ablock") });
  }
  const blocked: string[] = [];
  const already: string[] = [];
  const refused: string[] = [];
  const unregistered: string[] = [];
  for (const account of named.others) {
    const shown = accountText(turn, account);
    if (isAdmin(config, account) || isBot(config, account)) {
      refused.push(shown);
      continue;
    }
    const fresh = store.bridgeBlocks.add(account.network, account.address, turn.deps.now());
    (fresh ? blocked : already).push(shown);
    // Registered or not, nothing queued from or to them goes (senders still here are told).
    cancelInvolving(turn, account, "cancelled: bridge-wide block");
    if (revokeUser(turn, account, null)) unregistered.push(shown);
  }
  answer.joined("admin.blocked", "accounts", blocked);
  answer.joined("admin.already_blocked", "accounts", already);
  answer.joined("admin.cannot_block", "accounts", refused);
  answer.joined("admin.unregistered", "accounts", unregistered);
  noteUnusable(ctx, named);
}

/** Lifts bridge-wide blocks. */
export function aunblock(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const named = namedAccounts(ctx);
  if (named.others.length === 0) {
    answer.line("admin.unblock_usage", { example: accountUsage(turn, "aunblock") });
  }
  const lifted: string[] = [];
  const absent: string[] = [];
  for (const account of named.others) {
    const gone = turn.deps.store.bridgeBlocks.remove(account.network, account.address);
    (gone ? lifted : absent).push(accountText(turn, account));
  }
  answer.joined("admin.unblocked", "accounts", lifted);
  answer.joined("admin.not_blocked", "accounts", absent);
  noteUnusable(ctx, named);
}

/** The admin commands and the admin help page. */
export function ahelp(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const { config } = turn.deps;
  // Every command's word as typed: the help text picks the admin ones it names.
  const words = Object.fromEntries(COMMANDS.map((name) => [name, commandText(turn, name)]));
  answer.line("admin.help", { ...words, example: accountUsage(turn, "ablock") });
  answer.line("admin.help_more", { url: helpLink(config, config.ahelpUrl, turn.lang) });
}

/**
 * Version, sending, registrations (and the cap), greenlist mode, and what became of the Fediverse
 * notifications (so that a gap shows).
 */
export function status(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const { config, lists, store } = turn.deps;
  answer.line("admin.status_version", { version: turn.deps.version });
  answer.line(lists.isSending() ? "admin.status_sending_on" : "admin.status_sending_off");
  answer.line(lists.isOpen() ? "admin.status_open" : "admin.status_closed");
  const count = store.users.countActive();
  if (config.maxRegUsers > 0) {
    answer.line("admin.status_users_max", { count, max: config.maxRegUsers });
  } else answer.line("admin.status_users", { count });
  answer.line(config.greenlistMode ? "admin.status_greenlist_on" : "admin.status_greenlist_off");
  // Shown once the flood control held something back.
  const flood = store.flood.heldSince(turn.deps.now() - DAY_MS);
  if (flood.held > 0) {
    answer.line("admin.status_flood", { held: flood.held, accounts: flood.accounts });
  }
  statusReceipts(ctx);
  // Written by the Fediverse bot's process (this may be another one), once it has seen any.
  const counts = readInletCounts(store);
  if (counts !== null) {
    answer.line("admin.status_fedi_notifications", {
      since: isoDate(counts.since),
      handled: counts.handled,
      ignored: counts.ignored,
      duplicates: counts.duplicates,
      recovered: counts.recovered,
      failed: counts.failed,
      gaveup: counts.givenUp,
    });
  }
}

/** The share of deliveries to XMPP users that their app confirmed (once there were any). */
function statusReceipts(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const share = turn.deps.store.receipts.shareSince(turn.deps.now() - RECEIPT_WINDOW_MS);
  if (share.sent === 0) return;
  answer.line("admin.status_receipts", {
    days: Math.round(RECEIPT_WINDOW_MS / DAY_MS),
    confirmed: share.confirmed,
    sent: share.sent,
    percent: Math.round((100 * share.confirmed) / share.sent),
  });
}
