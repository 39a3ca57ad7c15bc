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

import { canonicalAddress, canonicalDomain, checkAcct, checkJid, showAddress } from "./address.ts";

import { type CommandName, COMMANDS } from "../words.ts";

export { type CommandName, COMMANDS } from "../words.ts";

/** Where a message came from: 0 the Fediverse, 1 XMPP (the old bridge's "type"). */
export type Origin = 0 | 1;

export interface Prefixes {
  /** Before a Fediverse account, default `@`. */
  readonly fedi: string;
  /** Before an XMPP account, default `xmpp:`. */
  readonly xmpp: string;
  /** Before a command, default `!`. */
  readonly command: string;
  /** Before a language code, default `!lang=`. */
  readonly lang: string;
}

export interface ParseOptions {
  readonly prefixes: Prefixes;
  /** Configured command words; position i means `COMMANDS[i]`. Extra words are ignored. */
  readonly commandWords: readonly string[];
  /** Host of the Fediverse bot's server (a URL is accepted: its host is used). */
  readonly apInstance: string;
  /** The bots' own accounts, `name@host` (fedi `name` alone means on `apInstance`). */
  readonly botAddresses: { readonly fedi: string; readonly xmpp: string };
  readonly from: Origin;
}

export interface ParsedCommand {
  /** Position in the command list. */
  readonly index: number;
  readonly name: CommandName;
  /** The configured word, as the user should type it. */
  readonly word: string;
}

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

/** Characters after which a word starts (besides white space and the text start). */
const WORD_OPENERS = new Set(["(", "[", "{", "<", '"', "'", "«", "“", "‘", "„", ",", ";"]);

const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?`;
/** One or more labels joined by dots; anchored (sticky) where used. */
const HOST_RE = new RegExp(`${LABEL}(?:\\.${LABEL})*`, "uy");
/** Last label of a bare domain; an address (after its prefix) may have a one-letter one. */
const TLD_RE = /^(?:\p{L}{2,}|xn--[a-z0-9-]+)$/iu;
const ADDRESS_TLD_RE = /^(?:\p{L}+|xn--[a-z0-9-]+)$/iu;
const URL_RE = /[a-z][a-z0-9+.-]*:\/\/\S*/iy;
const FEDI_NAME_RE = /[\p{L}\p{N}_][\p{L}\p{N}_.%+-]*/uy;
const JID_LOCAL_RE = /[^\s"&'/:<>@()[\]{},;]+/uy;
/** Mastodon's user name rule: a short mention with another name is no address. */
const FEDI_USERNAME_RE = /^[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?$/i;
const COMMAND_WORD_RE = /\p{L}[\p{L}\p{N}_-]*/uy;
const LANG_CODE_RE = /[\p{L}\p{N}_-]*/uy;
const TAIL_RE = /[/?]\S*/y;
/** A quoted line (`> ...`, as chat clients quote), up to its end. */
const QUOTED_LINE_RE = /[^\S\n]*>[^\n]*/uy;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/u.test(ch);
}

function isWordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = text[i - 1];
  return before !== undefined && (isSpace(before) || WORD_OPENERS.has(before));
}

/** Sticky match of `re` at `i`, or null. */
function matchAt(re: RegExp, text: string, i: number): string | null {
  re.lastIndex = i;
  const m = re.exec(text);
  return m === null ? null : m[0];
}

function startsWithAt(text: string, i: number, prefix: string): boolean {
  return prefix !== "" &&
    text.slice(i, i + prefix.length).toLowerCase() === prefix.toLowerCase();
}

/**
 * A host name at `i` (trailing dots and hyphens are never part of it), for an
 * address (`forAddress`: `localhost` and one-letter last labels allowed) or a
 * bare domain.
 */
function hostAt(text: string, i: number, forAddress: boolean): string | null {
  const host = matchAt(HOST_RE, text, i);
  if (host === null) return null;
  const labels = host.split(".");
  const last = labels[labels.length - 1] ?? "";
  if (labels.length >= 2 && (forAddress ? ADDRESS_TLD_RE : TLD_RE).test(last)) return host;
  if (forAddress && host.toLowerCase() === "localhost") return host;
  return null;
}

/** May a bare domain end right before `i`? */
function domainMayEndAt(text: string, i: number): boolean {
  const next = text[i];
  if (next === undefined || isSpace(next)) return true;
  if (next === ":") return text[i + 1] === undefined || isSpace(text[i + 1]);
  if (next === ".") return !/[\p{L}\p{N}]/u.test(text[i + 1] ?? "");
  return /[,;!?)\]}>"'»”’]/u.test(next);
}

function normaliseHost(value: string): string {
  return value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[/?#].*$/s, "")
    .toLowerCase();
}

/** Ordered set of strings. */
class OrderedSet {
  readonly #items: string[] = [];
  readonly #seen = new Set<string>();
  add(value: string): void {
    if (this.#seen.has(value)) return;
    this.#seen.add(value);
    this.#items.push(value);
  }
  get values(): readonly string[] {
    return this.#items;
  }
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** Parses one message (see the module doc for the rules). */
export function parseMessage(text: string, opts: ParseOptions): ParsedMessage {
  const source = text.replace(/\r\n?/g, "\n");
  const { prefixes } = opts;
  const apInstance = canonicalDomain(normaliseHost(opts.apInstance)) ??
    normaliseHost(opts.apInstance);
  const botFediRaw = opts.botAddresses.fedi.trim().replace(/^@/, "").toLowerCase();
  const botFedi = canonicalAddress(
    botFediRaw.includes("@") ? botFediRaw : `${botFediRaw}@${apInstance}`,
  );
  const botXmpp = canonicalAddress(opts.botAddresses.xmpp.trim().split("/")[0] ?? "");
  const words = opts.commandWords.slice(0, COMMANDS.length).map((w) => w.toLowerCase());

  const commands: ParsedCommand[] = [];
  const unknown = new OrderedSet();
  const langs = new OrderedSet();
  const fedi = new OrderedSet();
  const xmpp = new OrderedSet();
  const short = new OrderedSet();
  const domains = new OrderedSet();
  const bad = new OrderedSet();
  const cut: Span[] = [];

  let i = 0;
  while (i < source.length) {
    if (i === 0 || source[i - 1] === "\n") {
      const quote = matchAt(QUOTED_LINE_RE, source, i);
      if (quote !== null) {
        i += quote.length;
        continue;
      }
    }
    if (!isWordStart(source, i)) {
      i++;
      continue;
    }
    const url = matchAt(URL_RE, source, i);
    if (url !== null) {
      i += url.length;
      continue;
    }

    if (startsWithAt(source, i, prefixes.lang)) {
      const start = i + prefixes.lang.length;
      const code = matchAt(LANG_CODE_RE, source, start) ?? "";
      langs.add(code.replace(/[-_]+$/, "").toLowerCase());
      cut.push({ start: i, end: start + code.length });
      i = start + code.length;
      continue;
    }

    if (startsWithAt(source, i, prefixes.command)) {
      const word = matchAt(COMMAND_WORD_RE, source, i + prefixes.command.length);
      if (word !== null) {
        const lower = word.toLowerCase();
        const index = words.indexOf(lower);
        const name = COMMANDS[index];
        if (name !== undefined) {
          if (!commands.some((c) => c.index === index)) {
            commands.push({ index, name, word: opts.commandWords[index] ?? lower });
          }
        } else {
          unknown.add(lower);
        }
        i += prefixes.command.length + word.length;
        continue;
      }
    }

    if (startsWithAt(source, i, prefixes.xmpp)) {
      const start = i + prefixes.xmpp.length;
      const local = matchAt(JID_LOCAL_RE, source, start);
      if (local !== null && source[start + local.length] === "@") {
        const host = hostAt(source, start + local.length + 1, true);
        if (host !== null) {
          let end = start + local.length + 1 + host.length;
          end += matchAt(TAIL_RE, source, end)?.length ?? 0;
          const checked = checkJid(`${local}@${host}`);
          if (!checked.ok) {
            bad.add(showAddress(source.slice(i, start + local.length + 1 + host.length)));
          } else if (checked.value === botXmpp) cut.push({ start: i, end });
          else xmpp.add(checked.value);
          i = end;
          continue;
        }
      }
    }

    if (startsWithAt(source, i, prefixes.fedi)) {
      const start = i + prefixes.fedi.length;
      const name = matchAt(FEDI_NAME_RE, source, start);
      if (name !== null) {
        const at = start + name.length;
        const host = source[at] === "@" ? hostAt(source, at + 1, true) : null;
        if (host !== null && source[at + 1 + host.length] !== "@") {
          const end = at + 1 + host.length;
          const checked = checkAcct(`${name}@${host}`);
          if (!checked.ok) bad.add(showAddress(source.slice(i, end)));
          else if (checked.value === botFedi) cut.push({ start: i, end });
          else fedi.add(checked.value);
          i = end;
          continue;
        }
        if (host === null) {
          const bare = name.replace(/[.\-%+]+$/, "");
          const end = start + bare.length;
          if (bare !== "" && FEDI_USERNAME_RE.test(bare)) {
            const address = `${bare}@${apInstance}`.toLowerCase();
            if (address === botFedi) cut.push({ start: i, end });
            else if (opts.from === 0) fedi.add(address);
            else short.add(bare.toLowerCase());
          }
          i = end;
          continue;
        }
      }
    }

    const host = hostAt(source, i, false);
    if (host !== null) {
      if (domainMayEndAt(source, i + host.length)) {
        domains.add(canonicalDomain(host) ?? host.toLowerCase());
      }
      i += host.length;
      continue;
    }
    i++;
  }

  const carried = cutSpans(source, cut);
  const isEmpty = source.trim() === "";
  return {
    commands,
    unknownCommands: unknown.values,
    langs: langs.values,
    lang: langs.values[0] ?? null,
    fediRecipients: fedi.values,
    xmppRecipients: xmpp.values,
    shortMentions: short.values,
    domains: domains.values,
    badAddresses: bad.values,
    text: carried,
    isEmpty,
    langOnly: langs.values.length > 0 && commands.length === 0 && unknown.values.length === 0 &&
      carried === "",
  };
}

/**
 * Removes the spans from the text, with the white space and `,:;` right after
 * each so no gap is left, then tidies line ends and blank lines at both ends.
 */
function cutSpans(text: string, spans: readonly Span[]): string {
  let out = "";
  let from = 0;
  // Whether `out` ends in a line holding only white space so far (kept up to date piece by
  // piece: looking back through `out` at each span would be quadratic).
  let blankLine = true;
  const append = (piece: string): void => {
    const lastBreak = piece.lastIndexOf("\n");
    const tail = lastBreak < 0 ? piece : piece.slice(lastBreak + 1);
    blankLine = (lastBreak >= 0 || blankLine) && tail.trim() === "";
    out += piece;
  };
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < from) continue;
    append(text.slice(from, span.start));
    let end = span.end;
    while (end < text.length && /[,:;]/.test(text[end] ?? "")) end++;
    while (end < text.length && /[^\S\n]/u.test(text[end] ?? "")) end++;
    // A line that held nothing else goes away with its line break.
    if (text[end] === "\n" && blankLine) end++;
    from = end;
  }
  out += text.slice(from);
  // trimEnd, not a regular expression: `/\s+$/` is quadratic on long runs of spaces.
  return out.split("\n").map((line) => line.trimEnd()).join("\n")
    .replace(/^\s*\n/, "").trim();
}
