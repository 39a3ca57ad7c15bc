/**
 * The admins' commands for the red and green domain lists (SPEC §5): add, remove, list. Red-listing
 * a domain unregisters its users and cancels what is queued from or to it; in greenlist mode,
 * removing a green domain unregisters its users. Every handler runs inside the turn's commit.
 *
 * @module
 */
import type { MessageKey } from "../i18n/mod.ts";
import { cancelDomain } from "./cancel.ts";
import type { AddResult, Lists, RemoveResult } from "../lists/mod.ts";
import { botDomains } from "./deps.ts";
import { type CommandContext, writeFile } from "./commands_common.ts";
import { accountText, commandText } from "./account_text.ts";
import { revokeUser } from "./registration.ts";
import type { Account } from "./types.ts";

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
function revokeDomain(ctx: CommandContext, domain: string, noticeKey: MessageKey | null): string[] {
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
  ctx.answer.joined(`admin.${list}_added`, "domains", result.added)
    .joined(`admin.${list}_already`, "domains", result.already)
    .joined("admin.invalid_domains", "domains", result.invalid);
}

/** Answers what a removal did: `removed`, `absent`, not a domain. */
function answerRemove(ctx: CommandContext, list: "red" | "green", result: RemoveResult): void {
  ctx.answer.joined(`admin.${list}_removed`, "domains", result.removed)
    .joined(`admin.${list}_absent`, "domains", result.absent)
    .joined("admin.invalid_domains", "domains", result.invalid);
}

function answerUnregistered(ctx: CommandContext, accounts: readonly string[]): void {
  ctx.answer.joined("admin.unregistered", "accounts", accounts);
}

/** Red-lists domains (never the bots' own) and unregisters their users. */
export function addred(ctx: CommandContext): void {
  const { turn, answer } = ctx;
  const domains = namedDomains(ctx);
  if (domains === null) return;
  const own = botDomains(turn.deps.config);
  const refused = domains.filter((d) => own.has(d));
  const wanted = domains.filter((d) => !own.has(d));
  answer.joined("admin.bot_domain", "domains", refused);
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

/** The red list, sorted. */
export function listred(ctx: CommandContext): void {
  ctx.answer.listOr("admin.red_empty", "admin.red_list", [...ctx.turn.deps.lists.red()].sort());
}

/** The green list, sorted. */
export function listgreen(ctx: CommandContext): void {
  const domains = [...ctx.turn.deps.lists.green()].sort();
  ctx.answer.listOr("admin.green_empty", "admin.green_list", domains);
}
