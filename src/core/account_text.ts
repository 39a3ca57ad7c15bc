/**
 * How the core writes commands, accounts and dates in its answers to users.
 *
 * @module
 */
import type { CoreDeps } from "./deps.ts";
import { type CommandName, COMMANDS } from "./parse.ts";
import { type Account, FEDI } from "./types.ts";

/** What the texts below need of a turn: the configuration (any `Turn` of context.ts has it). */
type Configured = { readonly deps: Pick<CoreDeps, "config"> };

/** `epoch ms` -> `YYYY-MM-DD` (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The command as the user types it, with the configured prefix and word: `!help`. */
export function commandText(turn: Configured, name: CommandName): string {
  const { config } = turn.deps;
  const word = config.commandWords[COMMANDS.indexOf(name)] ?? name;
  return `${config.prefixes.command}${word}`;
}

/** An account as users write it: `@name@host` or `xmpp:name@host` (configured prefixes). */
export function accountText(turn: Configured, account: Account): string {
  const { prefixes } = turn.deps.config;
  return `${account.network === FEDI ? prefixes.fedi : prefixes.xmpp}${account.address}`;
}
