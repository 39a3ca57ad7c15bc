/**
 * The steps of `parseMessage` (parse.ts, whose module doc gives the rules): one scan over the
 * text that, where a word starts, reads a language setting, a command, an XMPP address, a
 * Fediverse address or a bare domain, and collects them in {@link Findings}.
 *
 * @module
 */

import type { Prefixes } from "../config/mod.ts";
import {
  canonicalAddress,
  canonicalDomain,
  checkAcct,
  checkJid,
  showAddress,
} from "../text/address.ts";
import {
  domainMayEndAt,
  hostAt,
  isWordStart,
  matchAt,
  normaliseHost,
  OrderedSet,
  type Span,
  startsWithAt,
} from "./parse_text.ts";

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
/** The prefixes that introduce a token (all from the configuration). */
export type { Prefixes } from "../config/mod.ts";

/** What the scan knows before it starts: the text and the settings it reads with. */
export interface ScanContext {
  /** The message with line ends unified to `\n`. */
  readonly source: string;
  readonly prefixes: Prefixes;
  /** Configured command words, lower-cased; position i is command i. */
  readonly words: readonly string[];
  /** Configured command words as written (what a found command shows). */
  readonly commandWords: readonly string[];
  /** The Fediverse bot's server, canonical: short mentions are on it. */
  readonly apInstance: string;
  /** The bots' own addresses, canonical: cut from the text, never recipients. */
  readonly botFedi: string;
  readonly botXmpp: string;
  /** The message came from the Fediverse (a short mention is then an address). */
  readonly fromFedi: boolean;
}

/** The settings that {@link scanContext} turns into a {@link ScanContext}. */
export interface ScanSettings {
  readonly prefixes: Prefixes;
  /** Configured command words; position i means `COMMANDS[i]`. Extra words are ignored. */
  readonly commandWords: readonly string[];
  /** Host of the Fediverse bot's server (a URL is accepted: its host is used). */
  readonly apInstance: string;
  /** The bots' own accounts, `name@host` (fedi `name` alone means on `apInstance`). */
  readonly botAddresses: { readonly fedi: string; readonly xmpp: string };
}

/**
 * Canonical forms of the settings, computed once a message (`fromFedi`: where it came from;
 * `commandCount` caps the command words).
 */
export function scanContext(
  text: string,
  opts: ScanSettings,
  fromFedi: boolean,
  commandCount: number,
): ScanContext {
  const apInstance = canonicalDomain(normaliseHost(opts.apInstance)) ??
    normaliseHost(opts.apInstance);
  const botFediRaw = opts.botAddresses.fedi.trim().replace(/^@/, "").toLowerCase();
  return {
    source: text.replace(/\r\n?/g, "\n"),
    prefixes: opts.prefixes,
    words: opts.commandWords.slice(0, commandCount).map((w) => w.toLowerCase()),
    commandWords: opts.commandWords,
    apInstance,
    botFedi: canonicalAddress(
      botFediRaw.includes("@") ? botFediRaw : `${botFediRaw}@${apInstance}`,
    ),
    botXmpp: canonicalAddress(opts.botAddresses.xmpp.trim().split("/")[0] ?? ""),
    fromFedi,
  };
}

/** A known command found: its position in the command list and the word to show. */
export interface FoundCommand {
  readonly index: number;
  readonly word: string;
}

/** What the scan collects, each list in order of first appearance. */
export class Findings {
  readonly commands: FoundCommand[] = [];
  readonly unknown = new OrderedSet();
  readonly langs = new OrderedSet();
  readonly fedi = new OrderedSet();
  readonly xmpp = new OrderedSet();
  readonly short = new OrderedSet();
  readonly domains = new OrderedSet();
  readonly bad = new OrderedSet();
  /** Stretches to cut from the carried text (the bots' own addresses, language settings). */
  readonly cut: Span[] = [];
}

/** Scans the whole text. */
export function scan(ctx: ScanContext): Findings {
  const found = new Findings();
  let i = 0;
  while (i < ctx.source.length) i = scanAt(ctx, found, i);
  return found;
}

/** Reads what stands at `i` and returns where the scan goes on (always after `i`). */
function scanAt(ctx: ScanContext, found: Findings, i: number): number {
  const { source } = ctx;
  if (i === 0 || source[i - 1] === "\n") {
    const quote = matchAt(QUOTED_LINE_RE, source, i);
    if (quote !== null) return i + quote.length;
  }
  if (!isWordStart(source, i)) return i + 1;
  const url = matchAt(URL_RE, source, i);
  if (url !== null) return i + url.length;
  return readLang(ctx, found, i) ?? readCommand(ctx, found, i) ?? readJid(ctx, found, i) ??
    readAcct(ctx, found, i) ?? readDomain(ctx, found, i) ?? i + 1;
}

// Each reader below returns where the scan goes on, or null when what stands at `i` is not its
// kind of token (the next reader then tries).

function readLang(ctx: ScanContext, found: Findings, i: number): number | null {
  const { source, prefixes } = ctx;
  if (!startsWithAt(source, i, prefixes.lang)) return null;
  const start = i + prefixes.lang.length;
  const code = matchAt(LANG_CODE_RE, source, start) ?? "";
  found.langs.add(code.replace(/[-_]+$/, "").toLowerCase());
  found.cut.push({ start: i, end: start + code.length });
  return start + code.length;
}

function readCommand(ctx: ScanContext, found: Findings, i: number): number | null {
  const { source, prefixes } = ctx;
  if (!startsWithAt(source, i, prefixes.command)) return null;
  const word = matchAt(COMMAND_WORD_RE, source, i + prefixes.command.length);
  if (word === null) return null;
  const lower = word.toLowerCase();
  const index = ctx.words.indexOf(lower);
  if (index < 0) found.unknown.add(lower);
  else if (!found.commands.some((c) => c.index === index)) {
    found.commands.push({ index, word: ctx.commandWords[index] ?? lower });
  }
  return i + prefixes.command.length + word.length;
}

function readJid(ctx: ScanContext, found: Findings, i: number): number | null {
  const { source, prefixes } = ctx;
  if (!startsWithAt(source, i, prefixes.xmpp)) return null;
  const start = i + prefixes.xmpp.length;
  const local = matchAt(JID_LOCAL_RE, source, start);
  if (local === null || source[start + local.length] !== "@") return null;
  const host = hostAt(source, start + local.length + 1, true);
  if (host === null) return null;
  const addressEnd = start + local.length + 1 + host.length;
  const end = addressEnd + (matchAt(TAIL_RE, source, addressEnd)?.length ?? 0);
  const checked = checkJid(`${local}@${host}`);
  if (!checked.ok) found.bad.add(showAddress(source.slice(i, addressEnd)));
  else if (checked.value === ctx.botXmpp) found.cut.push({ start: i, end });
  else found.xmpp.add(checked.value);
  return end;
}

function readAcct(ctx: ScanContext, found: Findings, i: number): number | null {
  const { source, prefixes } = ctx;
  if (!startsWithAt(source, i, prefixes.fedi)) return null;
  const start = i + prefixes.fedi.length;
  const name = matchAt(FEDI_NAME_RE, source, start);
  if (name === null) return null;
  const at = start + name.length;
  const host = source[at] === "@" ? hostAt(source, at + 1, true) : null;
  if (host === null) return readShortMention(ctx, found, i, start, name);
  // `@a@b@c` is no address: it is read on as a bare domain or text.
  if (source[at + 1 + host.length] === "@") return null;
  const end = at + 1 + host.length;
  const checked = checkAcct(`${name}@${host}`);
  if (!checked.ok) found.bad.add(showAddress(source.slice(i, end)));
  else if (checked.value === ctx.botFedi) found.cut.push({ start: i, end });
  else found.fedi.add(checked.value);
  return end;
}

/** A Fediverse name with no server (`name` read after the prefix at `i`, from `start`). */
function readShortMention(
  ctx: ScanContext,
  found: Findings,
  i: number,
  start: number,
  name: string,
): number {
  const bare = name.replace(/[.\-%+]+$/, "");
  const end = start + bare.length;
  if (bare !== "" && FEDI_USERNAME_RE.test(bare)) {
    const address = `${bare}@${ctx.apInstance}`.toLowerCase();
    if (address === ctx.botFedi) found.cut.push({ start: i, end });
    else if (ctx.fromFedi) found.fedi.add(address);
    else found.short.add(bare.toLowerCase());
  }
  return end;
}

function readDomain(ctx: ScanContext, found: Findings, i: number): number | null {
  const host = hostAt(ctx.source, i, false);
  if (host === null) return null;
  if (domainMayEndAt(ctx.source, i + host.length)) {
    found.domains.add(canonicalDomain(host) ?? host.toLowerCase());
  }
  return i + host.length;
}
