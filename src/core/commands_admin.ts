/**
 * The admins' commands (SPEC §5, rows 7 to 22): sending and registrations on or off, users,
 * bridge-wide blocks, the red and green domain lists, help and status. The caller has checked
 * that the sender is an admin; every handler runs inside the turn's commit.
 *
 * @module
 */
import { cancelDomain, cancelInvolving } from "./cancel.ts";
import { readInletCounts } from "../store/inlet_counts.ts";
import type { AddResult, Lists, RemoveResult } from "../lists.ts";
import { botDomains, isAdmin } from "./context.ts";
import { DAY_MS } from "./flood.ts";
import {
  accountUsage,
  type CommandContext,
  helpLink,
  isBot,
  namedAccounts,
  noteUnusable,
} from "./commands_common.ts";
import { accountText, commandText, isoDate } from "./account_text.ts";
import { revokeUser } from "./registration.ts";
import type { Account } from "./types.ts";

/** Runs a change of a state or list file; on failure answers so and returns null. */
function writeFile<T>(ctx: CommandContext, file: string, change: () => T): T | null {
  try {
    return change();
  } catch {
    ctx.answer.line("admin.file_error", { file });
    return null;
  }
}

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
  const { turn, answer } = ctx;
  const users = turn.deps.store.users.listActive();
  if (users.length === 0) {
    answer.line("admin.users_empty");
    return;
  }
  answer.list(
    "admin.users",
    {},
    users.map((u) =>
      turn.t("admin.user_item", {
        account: accountText(turn, { network: u.type, address: u.address }),
        app: u.app,
        date: isoDate(u.registeredAt),
      })
    ),
  );
}

/** The bridge-wide blocklist, newest first. */
export function alistb(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const blocks = turn.deps.store.bridgeBlocks.list();
  if (blocks.length === 0) {
    answer.line("admin.blocks_empty");
    return;
  }
  answer.list(
    "admin.blocks",
    {},
    blocks.map((b) =>
      turn.t("common.item_since", {
        item: accountText(turn, { network: b.type, address: b.address }),
        date: isoDate(b.at),
      })
    ),
  );
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
  if (blocked.length > 0) answer.line("admin.blocked", { accounts: blocked.join(", ") });
  if (already.length > 0) answer.line("admin.already_blocked", { accounts: already.join(", ") });
  if (refused.length > 0) answer.line("admin.cannot_block", { accounts: refused.join(", ") });
  if (unregistered.length > 0) {
    answer.line("admin.unregistered", { accounts: unregistered.join(", ") });
  }
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
  if (lifted.length > 0) answer.line("admin.unblocked", { accounts: lifted.join(", ") });
  if (absent.length > 0) answer.line("admin.not_blocked", { accounts: absent.join(", ") });
  noteUnusable(ctx, named);
}

/** The admin commands and the admin help page. */
export function ahelp(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const { config } = turn.deps;
  const words: Record<string, string> = {};
  for (
    const name of [
      "start",
      "stop",
      "open",
      "close",
      "alistu",
      "alistb",
      "ablock",
      "aunblock",
      "addred",
      "delred",
      "listred",
      "addgreen",
      "delgreen",
      "listgreen",
      "status",
    ] as const
  ) words[name] = commandText(turn, name);
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

// --- Domain lists --------------------------------------------------------------------------

/** The domains named in the message; answers with the usage and returns null when none. */
function namedDomains(ctx: CommandContext): string[] | null {
  const domains = [...ctx.parsed.domains];
  if (domains.length > 0) return domains;
  ctx.answer.line("admin.domains_usage", {
    example: `${commandText(ctx.turn, ctx.command.name)} spam.example`,
  });
  return null;
}

/** Unregisters the active users of `domain`; returns them as written. */
function revokeDomain(ctx: CommandContext, domain: string, noticeKey: string | null): string[] {
  const { turn } = ctx;
  const gone: string[] = [];
  for (const user of turn.deps.store.users.listActiveByDomain(domain)) {
    const account: Account = { network: user.type, address: user.address };
    if (revokeUser(turn, account, noticeKey)) gone.push(accountText(turn, account));
  }
  return gone;
}

/** Answers what an addition did: `added`, `already`, not a domain. */
function answerAdd(ctx: CommandContext, list: "red" | "green", result: AddResult): void {
  const { answer } = ctx;
  if (result.added.length > 0) {
    answer.line(`admin.${list}_added`, { domains: result.added.join(", ") });
  }
  if (result.already.length > 0) {
    answer.line(`admin.${list}_already`, { domains: result.already.join(", ") });
  }
  if (result.invalid.length > 0) {
    answer.line("admin.invalid_domains", { domains: result.invalid.join(", ") });
  }
}

function answerRemove(ctx: CommandContext, list: "red" | "green", result: RemoveResult): void {
  const { answer } = ctx;
  if (result.removed.length > 0) {
    answer.line(`admin.${list}_removed`, { domains: result.removed.join(", ") });
  }
  if (result.absent.length > 0) {
    answer.line(`admin.${list}_absent`, { domains: result.absent.join(", ") });
  }
  if (result.invalid.length > 0) {
    answer.line("admin.invalid_domains", { domains: result.invalid.join(", ") });
  }
}

function answerUnregistered(ctx: CommandContext, accounts: readonly string[]): void {
  if (accounts.length > 0) ctx.answer.line("admin.unregistered", { accounts: accounts.join(", ") });
}

/** Red-lists domains (never the bots' own) and unregisters their users. */
export function addred(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const domains = namedDomains(ctx);
  if (domains === null) return;
  const own = botDomains(turn.deps.config);
  const refused = domains.filter((d) => own.has(d));
  const wanted = domains.filter((d) => !own.has(d));
  if (refused.length > 0) answer.line("admin.bot_domain", { domains: refused.join(", ") });
  if (wanted.length === 0) return;
  const lists: Lists = turn.deps.lists;
  const note = `by ${turn.sender.address}`;
  const result = writeFile(ctx, lists.files.red, () => lists.addRed(wanted, note));
  if (result === null) return;
  answerAdd(ctx, "red", result);
  // Also the domains listed before: their users may be left from a hand edit.
  const unregistered = [...result.added, ...result.already].flatMap((d) =>
    revokeDomain(ctx, d, null)
  );
  // What is still queued from or to the domain, registered accounts or not, does not go.
  for (const d of [...result.added, ...result.already]) {
    cancelDomain(turn, d, "cancelled: red list");
  }
  answerUnregistered(ctx, unregistered);
}

export function addgreen(ctx: CommandContext): void {
  const { lists } = ctx.turn.deps;
  const domains = namedDomains(ctx);
  if (domains === null) return;
  const note = `by ${ctx.turn.sender.address}`;
  const result = writeFile(ctx, lists.files.green, () => lists.addGreen(domains, note));
  if (result !== null) answerAdd(ctx, "green", result);
}

export function delred(ctx: CommandContext): void {
  const { lists } = ctx.turn.deps;
  const domains = namedDomains(ctx);
  if (domains === null) return;
  const result = writeFile(ctx, lists.files.red, () => lists.delRed(domains));
  if (result !== null) answerRemove(ctx, "red", result);
}

/** Removes domains from the green list; in greenlist mode their users are unregistered. */
export function delgreen(ctx: CommandContext): void {
  const { turn } = ctx;
  const { config, lists } = turn.deps;
  const domains = namedDomains(ctx);
  if (domains === null) return;
  const result = writeFile(ctx, lists.files.green, () => lists.delGreen(domains));
  if (result === null) return;
  answerRemove(ctx, "green", result);
  if (!config.greenlistMode) return;
  const own = botDomains(config);
  const unregistered = result.removed
    .filter((d) => !own.has(d) && !lists.isGreen(d))
    .flatMap((d) => revokeDomain(ctx, d, "unreg.not_allowed"));
  answerUnregistered(ctx, unregistered);
}

export function listred(ctx: CommandContext): void {
  const domains = [...ctx.turn.deps.lists.red()].sort();
  if (domains.length === 0) ctx.answer.line("admin.red_empty");
  else ctx.answer.list("admin.red_list", {}, domains);
}

export function listgreen(ctx: CommandContext): void {
  const domains = [...ctx.turn.deps.lists.green()].sort();
  if (domains.length === 0) ctx.answer.line("admin.green_empty");
  else ctx.answer.list("admin.green_list", {}, domains);
}
