/**
 * What the bot read from its server at sign-in (posting limits, domain blocks) is read again on
 * a timer, so a change on the server reaches the bridge without a restart, and no post ever
 * waits for such a read: senders and the core take the figures from the store's `meta` table.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config/mod.ts";
import type { Clock, TimerHandle } from "../core/ports.ts";
import type { Store } from "../store/mod.ts";
import { errorText } from "../text/errors.ts";
import type { FediApi } from "./api.ts";
import {
  readDomainBlocks,
  readServerLimits,
  storeDomainBlocks,
  storeLimits,
} from "./server_info.ts";

/** How often the server's limits and domain blocks are read again (default 6 hours). */
export const SERVER_REFRESH_MS = 6 * 3600_000;

/** Reads the server's limits and domain blocks and stores them (throws when it cannot). */
export async function refreshServerInfo(api: FediApi, config: Config, store: Store): Promise<void> {
  storeLimits(store, await readServerLimits(api, config));
  storeDomainBlocks(store, await readDomainBlocks(api));
}

/** Runs `refresh` every `intervalMs` until disposed; a failed run is logged and tried next time. */
export class PeriodicRefresh implements Disposable {
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Arms the timer (the first run is one interval from now). */
  start(): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      this.#running = this.#run().finally(() => {
        this.#running = null;
        this.start();
      });
    }, this.intervalMs);
  }

  /** The run under way, if any (tests wait for it). */
  get running(): Promise<void> | null {
    return this.#running;
  }

  async #run(): Promise<void> {
    try {
      await this.refresh();
      this.log.debug("Read the server's limits and domain blocks again");
    } catch (e) {
      this.log.warning("Could not read the server's limits again: {error}", {
        error: errorText(e),
      });
    }
  }

  [Symbol.dispose](): void {
    this.#stopped = true;
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
