/**
 * The old bridge's translation folder: `bridge-messages-keys.txt` names one text per line, and
 * each `xx.txt` holds the texts of language `xx` in the same order, with positional `{}`
 * placeholders filled in the order the old code passed its values. Here each line whose old
 * key has a text of the same meaning in this bridge becomes that text, its placeholders
 * renamed; the lines that have none keep the built-in texts, and are named in one warning.
 *
 * Line format (as the old bridge read it): a `# ` starts a comment, a line with nothing before
 * its first `#` is skipped, a written `\n` is a line break, surrounding spaces go.
 *
 * @module
 */
import { canonicalLanguage } from "./lang.ts";

export const OLD_KEYS_FILE = "bridge-messages-keys.txt";

/**
 * How an old text becomes one of ours: our key, and for each positional `{}` in order the
 * placeholder it becomes, or null when the old code filled it with something our text does
 * not show on its own (the address prefix before an account, which our account lists carry).
 */
interface OldText {
  readonly key: string;
  readonly args: readonly (string | null)[];
}

const T = (key: string, ...args: (string | null)[]): OldText => ({ key, args });

/** The old keys with a counterpart of the same meaning and the same values. */
// deno-fmt-ignore
export const OLD_KEY_MAP: Readonly<Record<string, OldText>> = {
  // Registration.
  closedreg: T("reg.closed"), ublock: T("reg.blocked"), hashnobot: T("reg.nobot"),
  nobot: T("reg.bot"), nogroup: T("reg.group"), followme: T("reg.follow_me"),
  lookuperror: T("reg.unknown_account", "server"), dbexists: T("reg.already", "since"),
  regmax: T("reg.too_many", "max"), dbnotexists: T("unreg.not_registered"),
  // The user's own blocklist; the old code passed the address prefix, then the address.
  addblocks: T("cmd.blocked", null, "accounts"), blockexists: T("cmd.already_blocked", null, "accounts"),
  delblocks: T("cmd.unblocked", null, "accounts"), blocknotexists: T("cmd.not_blocked", null, "accounts"),
  listblocks: T("cmd.listblock", "count"),
  // Reports.
  xmppadminempty: T("report.nobody"), reportok: T("report.thanks"),
  // Admin: users, bridge-wide blocks, domain lists (0 red, 1 green), state.
  emptyusers: T("admin.users_empty"), listusers: T("admin.users", "count"),
  emptyinstblocks: T("admin.blocks_empty"), listinstblocks: T("admin.blocks", "count"),
  addablocks: T("admin.blocked", null, "accounts"), ablockexists: T("admin.already_blocked", null, "accounts"),
  delablocks: T("admin.unblocked", null, "accounts"), ablocknotexists: T("admin.not_blocked", null, "accounts"),
  adddom0: T("admin.red_added", "domains"), adddom1: T("admin.green_added", "domains"),
  adddomexists0: T("admin.red_already", "domains"), adddomexists1: T("admin.green_already", "domains"),
  deldomblocks0: T("admin.red_removed", "domains"), deldomblocks1: T("admin.green_removed", "domains"),
  domblocknotexists0: T("admin.red_absent", "domains"), domblocknotexists1: T("admin.green_absent", "domains"),
  emptydomblocks0: T("admin.red_empty"), emptydomblocks1: T("admin.green_empty"),
  listdomblocks0: T("admin.red_list", "count"), listdomblocks1: T("admin.green_list", "count"),
  start: T("admin.started"), open: T("admin.opened"),
  greenlist: T("admin.status_greenlist_on"), notgreenlist: T("admin.status_greenlist_off"),
  // Messages.
  onecom: T("engine.one_command", "prefix"), stopped: T("send.stopped"),
  truncated: T("render.truncated"), newmsg: T("header.new", "app", "user"),
  answer: T("header.reply", "app", "user"), blocked: T("send.skip_blocked_by", null, "user"),
  oksend: T("outbox.delivered", null, "recipients"), errsend: T("outbox.not_delivered", null, "recipients"),
};

/** One language's texts, under our keys. */
export interface OldLanguage {
  readonly code: string;
  readonly file: string;
  readonly texts: Record<string, string>;
}

/** What the folder gave: the languages, and the old keys that stay with the built-in texts. */
export interface OldFolder {
  readonly languages: OldLanguage[];
  /** Old keys without a counterpart (or whose placeholders differ), each once, in file order. */
  readonly unmapped: string[];
  /** Files that could not be read, with why. */
  readonly unreadable: string[];
}

/** The meaningful lines of an old file, each with its comment cut off. */
function oldLines(text: string): string[] {
  return text.split(/\r?\n/)
    .filter((line) => line.split("#", 1)[0]!.trim() !== "")
    .map((line) => line.split("# ", 1)[0]!.trim());
}

/**
 * The old text with its positional placeholders renamed, or null when their number is not the
 * one the table expects. `{{` and `}}` stay literal braces, in both syntaxes.
 */
export function convertOldText(text: string, args: readonly (string | null)[]): string | null {
  let next = 0;
  let ok = true;
  const converted = text.replace(/\{\{|\}\}|\{(\d*)\}/g, (match, index: string | undefined) => {
    if (match === "{{" || match === "}}") return match;
    const i = index ? Number(index) : next++;
    if (i >= args.length) {
      ok = false;
      return match;
    }
    const name = args[i];
    return name === null || name === undefined ? "" : `{${name}}`;
  });
  const used = (converted.replace(/\{\{|\}\}/g, "").match(/\{\w+\}/g) ?? []).length;
  const expected = args.filter((a) => a !== null).length;
  return ok && used === expected ? converted.replaceAll("\\n", "\n") : null;
}

/** Reads the keys file and the `xx.txt` files of `dir` (their names given, sorted). */
export function readOldFolder(dir: string, names: readonly string[]): OldFolder {
  const base = dir.replace(/[/\\]+$/, "");
  const unreadable: string[] = [];
  const read = (path: string): string | null => {
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      unreadable.push(`${path} (${e instanceof Error ? e.message : String(e)})`);
      return null;
    }
  };
  const keysText = names.includes(OLD_KEYS_FILE) ? read(`${base}/${OLD_KEYS_FILE}`) : null;
  const keys = keysText === null ? [] : oldLines(keysText);
  const unmapped = new Set<string>();
  const languages: OldLanguage[] = [];
  for (const name of names) {
    const m = /^(.+)\.txt$/i.exec(name);
    const code = m && name !== OLD_KEYS_FILE ? canonicalLanguage(m[1]!) : null;
    if (code === null) continue;
    const text = keys.length > 0 ? read(`${base}/${name}`) : null;
    if (text === null) continue;
    const texts: Record<string, string> = {};
    oldLines(text).forEach((line, i) => {
      const oldKey = keys[i];
      if (oldKey === undefined) return;
      const target = OLD_KEY_MAP[oldKey];
      const converted = target ? convertOldText(line, target.args) : null;
      if (target && converted !== null) texts[target.key] = converted;
      else unmapped.add(oldKey);
    });
    languages.push({ code, file: `${base}/${name}`, texts });
  }
  return { languages, unmapped: [...unmapped], unreadable };
}
