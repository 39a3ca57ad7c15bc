/**
 * The bot's roster as last told by the server: fetched at every new session, then kept current by
 * roster pushes. Only the subscription state matters to the bridge (to skip a pointless
 * `subscribe`).
 *
 * @module
 */
import { bareJid } from "./jid.ts";
import { NS } from "./ns.ts";
import type { XmlElement } from "./xml.ts";

/** One contact: RFC 6121 subscription (`none`, `to`, `from`, `both`) and a pending `ask`. */
export interface RosterEntry {
  readonly jid: string;
  readonly subscription: string;
  readonly ask: string | null;
}

/** The items of a `<query xmlns="jabber:iq:roster"/>` (a result or a push). */
export function rosterEntries(query: XmlElement | undefined): RosterEntry[] {
  if (query === undefined || !query.is("query", NS.roster)) return [];
  return query.getChildren("item").flatMap((item) => {
    const jid = item.attrs.jid;
    if (jid === undefined || jid === "") return [];
    return [{
      jid: bareJid(jid),
      subscription: item.attrs.subscription ?? "none",
      ask: item.attrs.ask ?? null,
    }];
  });
}

export class Roster {
  readonly #entries = new Map<string, RosterEntry>();
  #loaded = false;

  /** Whether a full roster was received in this process. */
  get loaded(): boolean {
    return this.#loaded;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Replaces everything with a fetched roster. */
  replace(entries: readonly RosterEntry[]): void {
    this.#entries.clear();
    for (const entry of entries) this.#apply(entry);
    this.#loaded = true;
  }

  /** Applies a roster push: changed items, or removed ones (`subscription="remove"`). */
  update(entries: readonly RosterEntry[]): void {
    for (const entry of entries) this.#apply(entry);
  }

  /** The entry for `jid` (any case, with or without resource), if on the roster. */
  get(jid: string): RosterEntry | undefined {
    return this.#entries.get(bareJid(jid));
  }

  /** Whether the bot already receives `jid`'s presence (subscription `to` or `both`). */
  subscribedTo(jid: string): boolean {
    const sub = this.get(jid)?.subscription;
    return sub === "to" || sub === "both";
  }

  #apply(entry: RosterEntry): void {
    if (entry.subscription === "remove") this.#entries.delete(entry.jid);
    else this.#entries.set(entry.jid, entry);
  }
}
