/**
 * The Fediverse part of the checks before an account joins (SPEC §3, item 6): what the bot's
 * Fediverse server knows of the account (a #nobot profile, a bot or group account, recent
 * activity), its language, and the app label of its server.
 *
 * @module
 */
import type { MessageKey } from "../i18n/mod.ts";
import { htmlToText } from "../text/html.ts";
import { domainOf } from "./deps.ts";
import type { Turn } from "./context.ts";
import { negativeLookupsOf } from "./flood.ts";
import type { FediAccountInfo, FediDirectory, FediStatusInfo } from "./ports.ts";

/** How far back recent activity counts, in days. */
export const ACTIVITY_DAYS = 30;
/** How many of the latest statuses the activity check looks at. */
export const ACTIVITY_SAMPLE = 40;
const DAY_MS = 24 * 3600_000;

/** Profile hashtags by which an account asks bots to leave it alone. */
const NOBOT_RE = /(?:^|[^\p{L}\p{N}_])#(?:nobot|nobots|nobridge)(?![\p{L}\p{N}_])/iu;

/** A refusal found by one of the checks: the key of the answer and its parameters. */
export interface Refusal {
  readonly key: MessageKey;
  readonly params?: Record<string, string | number>;
}

/** What the Fediverse checks learnt about the account. */
export interface FediFacts {
  readonly info: FediAccountInfo;
  readonly lang: string | null;
}

/** The Fediverse part of the checks (SPEC §3, item 6): facts, or the refusal. */
export async function checkFediAccount(
  turn: Turn,
  fedi: FediDirectory,
  domain: string,
  statusLang: string | null,
): Promise<FediFacts | Refusal> {
  const { config, store } = turn.deps;
  // A lookup that failed for good a little while ago is not repeated (flood control).
  const failed = negativeLookupsOf(store);
  const known = failed.get(turn.sender.address, turn.deps.now());
  if (known !== null) return known;
  const found = await lookupFediAccount(turn, fedi, domain, statusLang);
  if ("key" in found && found.key !== "reg.unreachable") {
    failed.set(
      turn.sender.address,
      found,
      turn.deps.now(),
      config.negativeLookupCacheMinutes * 60_000,
    );
  }
  return found;
}

/** Asks the bot's Fediverse server about the sender; a refusal when the account may not join. */
async function lookupFediAccount(
  turn: Turn,
  fedi: FediDirectory,
  domain: string,
  statusLang: string | null,
): Promise<FediFacts | Refusal> {
  const { config, lists } = turn.deps;
  const server = config.apInstance;
  let info: FediAccountInfo | null;
  try {
    info = await fedi.lookup(turn.sender.address);
  } catch {
    return { key: "reg.unreachable", params: { server } };
  }
  if (info === null) return { key: "reg.unknown_account", params: { server } };
  if (NOBOT_RE.test(htmlToText(info.note))) return { key: "reg.nobot" };
  if (info.bot) return { key: "reg.bot" };
  if (info.group) return { key: "reg.group" };

  const min = config.minApActivityPosts;
  const ownServer = domain === domainOf(config.apInstance) ||
    domain === domainOf(config.fediHandle);
  const checkActivity = min > 0 && !ownServer && !lists.isGreen(domain);
  let lang = usableLanguage(turn, statusLang);
  if (checkActivity || lang === null) {
    let statuses: FediStatusInfo[];
    try {
      statuses = await fedi.recentStatuses(info.id, checkActivity ? ACTIVITY_SAMPLE : 1);
    } catch {
      // Only the activity check needs them; a language is a nicety.
      if (checkActivity) return { key: "reg.unreachable", params: { server } };
      statuses = [];
    }
    if (checkActivity) {
      const since = turn.deps.now() - ACTIVITY_DAYS * DAY_MS;
      const recent = statuses.slice(0, ACTIVITY_SAMPLE).filter((s) => s.createdAt >= since);
      if (recent.length < min) {
        return { key: "reg.inactive", params: { min, days: ACTIVITY_DAYS } };
      }
    }
    lang ??= usableLanguage(turn, statuses[0]?.language ?? null);
  }
  return { info, lang };
}

/** The shipped language serving `code`, or null. */
export function usableLanguage(turn: Turn, code: string | null): string | null {
  if (code === null || code === "") return null;
  return turn.deps.i18n.resolve(code);
}

/** The app label of a Fediverse server: its nodeinfo software name, capitalised. */
export async function appLabel(fedi: FediDirectory, domain: string): Promise<string> {
  let name: string | null;
  try {
    name = await fedi.appName(domain);
  } catch {
    name = null;
  }
  name = name?.trim() ?? "";
  return name === "" ? "Fediverse" : name[0]!.toUpperCase() + name.slice(1);
}
