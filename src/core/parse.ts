/**
 * Reads a plain-text message received by a bot (SPEC §2 and §5): commands,
 * language setting, recipients on both networks, bare domain names, and the
 * text to carry.
 *
 * Rules, with the default prefixes (all of them come from the configuration):
 *
 * - Tokens are only recognised where a word starts: at the start of the text,
 *   after white space, or after one of `( [ { < " ' « “ ‘ „ , ;`. So
 *   `https://host/@alice` and `mail alice@host.tld` hold no mention, and
 *   `wow!great` holds no command. A URL (`scheme://...`) is skipped whole.
 * - Command: the command prefix followed by a letter, then letters, digits,
 *   `_` or `-` (`!help`, `!Block`). The word is compared lower-cased with the
 *   configured command words; any other word is an unknown command. "hello!",
 *   "! how", "!!!" and "5 !" are no commands. The same command twice counts
 *   once.
 * - Language: the language prefix (checked before commands, since it usually
 *   starts with the command prefix) and the code after it, lower-cased
 *   (`!lang=DE` gives `de`; `!lang=` alone gives the empty code, which the
 *   caller answers as an unknown language).
 * - Fediverse address: fedi prefix + `name@domain`; with no `@domain` it is a
 *   short mention: from the Fediverse the bot's server is appended, from XMPP
 *   it is listed in `shortMentions` and is no recipient (ambiguous).
 * - XMPP address: xmpp prefix + `local@domain`, a `/resource` or `?query`
 *   after it is dropped.
 * - A domain is labels of letters, digits and `-` joined by dots, the last
 *   label at least two letters (or punycode); in an address (after its
 *   prefix) one letter is enough, and `localhost` is accepted there too, for
 *   test servers. Punctuation after an address or a
 *   domain is not part of it (`@bob@host.tld,` and `host.tld.` end at `tld`).
 * - Bare domain: a domain standing alone as a word (`!addred spam.example`),
 *   not followed by `/`, `@` or `:`+text, so not in a URL or an e-mail
 *   address; these feed the admin domain commands.
 * - Addresses and domains are lower-cased, domains as A-labels (punycode),
 *   deduplicated, in order of first appearance. The bots' own addresses are
 *   never recipients.
 * - An address that reads as one but breaks the address grammar
 *   (src/core/address.ts: a control character or noncharacter in a JID, a
 *   Fediverse user name Mastodon would not take, a domain that is no valid
 *   IDN) is no recipient: it is listed in `badAddresses`, as written (with
 *   invisible characters shown as `\uXXXX`), and the caller refuses the
 *   message naming it. A short mention with an odd name is just text.
 * - A line starting with `>` is a quote (chat clients quote that way, and a
 *   quote of a bridged message may hold its sender's address): nothing in it
 *   is read, it stays in the text.
 *
 * The `text` of the result is the message with the bots' own addresses and the
 * language settings cut out, line ends unified, trailing spaces and blank lines
 * at both ends removed. Other addresses stay in it on purpose: a recipient
 * sees who else the message went to. Commands stay too (a `report` forwards
 * the text as written).
 *
 * An empty prefix never matches (the configuration should refuse it).
 *
 * @module
 */

import { cutSpans } from "./parse_text.ts";
import { type Prefixes, scan, scanContext, type ScanSettings } from "./parse_scan.ts";

export type { Prefixes };

import { type CommandName, COMMANDS } from "../words.ts";

export { type CommandName, COMMANDS } from "../words.ts";

/** Where a message came from: 0 the Fediverse, 1 XMPP (the old bridge's "type"). */
export type Origin = 0 | 1;

/** What {@link parseMessage} reads a message with: the settings and where it came from. */
export interface ParseOptions extends ScanSettings {
  readonly from: Origin;
}

/** A known command found in a message. */
export interface ParsedCommand {
  /** Position in the command list. */
  readonly index: number;
  readonly name: CommandName;
  /** The configured word, as the user should type it. */
  readonly word: string;
}

/** Everything {@link parseMessage} found in a message. */
export interface ParsedMessage {
  /** Known commands, first appearance first, each once. SPEC allows one per message. */
  readonly commands: readonly ParsedCommand[];
  /** Words after the command prefix that are no command, lower-cased, each once. */
  readonly unknownCommands: readonly string[];
  /** Every language code asked for, lower-cased, each once. SPEC allows one. */
  readonly langs: readonly string[];
  /** The first of `langs`, or null. */
  readonly lang: string | null;
  /** `name@host`, lower-cased. */
  readonly fediRecipients: readonly string[];
  /** Bare JIDs, lower-cased. */
  readonly xmppRecipients: readonly string[];
  /** From XMPP only: names written with the fedi prefix but no server, lower-cased. */
  readonly shortMentions: readonly string[];
  /** Bare domain names, lower-cased, as A-labels when they are valid IDNs. */
  readonly domains: readonly string[];
  /** Addresses that break the address grammar, as written with their prefix (see module doc). */
  readonly badAddresses: readonly string[];
  /** The text to carry (see the module doc). */
  readonly text: string;
  /** The message was empty or only white space: it is no message at all. */
  readonly isEmpty: boolean;
  /** Only language settings (and perhaps the bot's own address): nothing else to do. */
  readonly langOnly: boolean;
}

/** Parses one message (see the module doc for the rules). */
export function parseMessage(text: string, opts: ParseOptions): ParsedMessage {
  const ctx = scanContext(text, opts, opts.from === 0, COMMANDS.length);
  const found = scan(ctx);
  const commands = found.commands.flatMap(({ index, word }): ParsedCommand[] => {
    const name = COMMANDS[index];
    return name === undefined ? [] : [{ index, name, word }];
  });
  const unknownCommands = found.unknown.values;
  const langs = found.langs.values;
  const carried = cutSpans(ctx.source, found.cut);
  return {
    commands,
    unknownCommands,
    langs,
    lang: langs[0] ?? null,
    fediRecipients: found.fedi.values,
    xmppRecipients: found.xmpp.values,
    shortMentions: found.short.values,
    domains: found.domains.values,
    badAddresses: found.bad.values,
    text: carried,
    isEmpty: ctx.source.trim() === "",
    langOnly: langs.length > 0 && commands.length === 0 && unknownCommands.length === 0 &&
      carried === "",
  };
}
