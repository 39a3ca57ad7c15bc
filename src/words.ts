/**
 * The command words (SPEC §5), shared by the configuration (defaults, state file words) and the
 * core (parsing): a neutral module so that neither imports the other for them.
 *
 * @module
 */

/** Default command words, in the order that gives each its meaning (SPEC §5). */
export const COMMANDS = [
  "register",
  "unregister",
  "report",
  "help",
  "block",
  "unblock",
  "listblock",
  "start",
  "stop",
  "alistu",
  "alistb",
  "ablock",
  "aunblock",
  "ahelp",
  "addred",
  "addgreen",
  "delred",
  "delgreen",
  "listred",
  "listgreen",
  "open",
  "close",
  "status",
] as const;

/** Internal name of a command: its default word, whatever word is configured. */
export type CommandName = typeof COMMANDS[number];
