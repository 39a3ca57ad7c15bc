/**
 * Follow requests handled lately, kept in the store's `meta` table: a locked bot accepting a
 * request makes the server send a follow notification too, which must not count as a second
 * follow. Entries older than the pairing window are dropped when the table is written.
 *
 * @module
 */
import type { Clock } from "../core/ports.ts";
import { META } from "./meta_keys.ts";

/** The part of the store's `meta` table this needs. */
export interface MetaTable {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** The follow requests handled within `windowMs`, by account id. */
export class RecentFollowRequests {
  constructor(
    private readonly meta: MetaTable,
    private readonly clock: Pick<Clock, "now">,
    private readonly windowMs: number,
  ) {}

  /** Remembers that a follow request of `accountId` was handled now. */
  note(accountId: string): void {
    const map = this.#read();
    map[accountId] = this.clock.now();
    this.#write(map);
  }

  /** Whether a follow request of `accountId` was handled lately; forgets it if so. */
  take(accountId: string): boolean {
    const map = this.#read();
    const at = map[accountId];
    if (at === undefined) return false;
    delete map[accountId];
    this.#write(map);
    return this.clock.now() - at < this.windowMs;
  }

  #read(): Record<string, number> {
    const raw = this.meta.get(META.recentFollowRequests);
    if (raw === undefined) return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed !== null && typeof parsed === "object" ? parsed as Record<string, number> : {};
    } catch {
      return {};
    }
  }

  #write(map: Record<string, number>): void {
    const now = this.clock.now();
    const kept = Object.fromEntries(
      Object.entries(map).filter(([, at]) => typeof at === "number" && now - at < this.windowMs),
    );
    this.meta.set(META.recentFollowRequests, JSON.stringify(kept));
  }
}
