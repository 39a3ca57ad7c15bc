/**
 * Periodic XEP-0199 pings to the server while the session is up. TCP alone may take many
 * minutes to notice a dead peer; an unanswered ping tells within interval + timeout. An error
 * answer still proves the link alive.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../core/ports.ts";

/** What a ping found. */
export type PingOutcome = "alive" | "dead";

export class Pinger {
  #timer: TimerHandle | null = null;
  /** Bumped by stop(): the outcome of a ping sent before is then ignored. */
  #generation = 0;

  /**
   * Every `intervalMs` (0: never) while running, calls `ping`; on `dead`, calls `onDead` and
   * stops until started again.
   */
  constructor(
    readonly timers: Clock,
    readonly intervalMs: number,
    readonly ping: () => Promise<PingOutcome>,
    readonly onDead: () => void,
  ) {}

  /** (Re)starts the schedule. */
  start(): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, this.intervalMs);
  }

  stop(): void {
    this.#generation++;
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #run(): Promise<void> {
    const generation = this.#generation;
    const outcome = await this.ping().catch((): PingOutcome => "dead");
    if (generation !== this.#generation) return;
    if (outcome === "dead") this.onDead();
    else this.start();
  }
}
