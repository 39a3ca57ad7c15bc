/**
 * A streaming fault for tests only: notification events that leave the server out of order, late,
 * or never, as a busy server's streaming does (Mastodon and GoToSocial create notifications in
 * concurrent workers, and a streaming connection under load can lose events). The REST API is not
 * touched: `GET /api/v1/notifications` keeps listing every notification, as Mastodon's does.
 *
 * Every decision comes from a seeded generator, so a test run is repeatable: the same seed and the
 * same sequence of events give the same drops and the same order.
 */

/** How the notification events of the streams are disordered. */
export interface StreamDisorderOptions {
  /** Seed of the generator behind every decision. */
  seed: number;
  /** The share of events never sent, 0 to 1 (default 0). */
  dropRate?: number;
  /**
   * Events are held until this many are held, then sent in a shuffled order (default 1: no
   * shuffling). `flushStreams()` sends a partial window.
   */
  window?: number;
  /**
   * Each event is instead held for a random time up to this many real milliseconds (default 0:
   * not used), so events overtake each other as they would between workers.
   */
  maxDelayMs?: number;
}

/** What the disorder did so far. */
export interface StreamDisorderStats {
  /** Events that came to the disorder (one per notification, whoever listens). */
  published: number;
  /** Events never sent. */
  dropped: number;
  /** Events sent so far. */
  sent: number;
  /** Events sent after an event published later than them. */
  late: number;
  /** Events held right now. */
  held: number;
}

/** A small seeded generator (mulberry32): uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Held {
  readonly seq: number;
  readonly send: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

export class StreamDisorder {
  readonly #random: () => number;
  readonly #dropRate: number;
  readonly #window: number;
  readonly #maxDelayMs: number;
  #held: Held[] = [];
  #seq = 0;
  #newestSent = 0;
  readonly #stats: Omit<StreamDisorderStats, "held"> = {
    published: 0,
    dropped: 0,
    sent: 0,
    late: 0,
  };

  constructor(options: StreamDisorderOptions) {
    const { seed, dropRate = 0, window = 1, maxDelayMs = 0 } = options;
    if (!Number.isFinite(seed)) throw new RangeError("disorderStreams: seed must be a number");
    if (!(dropRate >= 0 && dropRate <= 1)) {
      throw new RangeError(`disorderStreams: dropRate must be within 0 and 1, not ${dropRate}`);
    }
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`disorderStreams: window must be a whole number >= 1, not ${window}`);
    }
    if (!(maxDelayMs >= 0)) {
      throw new RangeError(`disorderStreams: maxDelayMs must be >= 0, not ${maxDelayMs}`);
    }
    this.#random = seededRandom(seed);
    this.#dropRate = dropRate;
    this.#window = window;
    this.#maxDelayMs = maxDelayMs;
  }

  get stats(): StreamDisorderStats {
    return { ...this.#stats, held: this.#held.length };
  }

  /** Takes one event: `send` delivers it to its listeners (now, later, or never). */
  take(send: () => void): void {
    const seq = ++this.#seq;
    this.#stats.published++;
    // Both draws happen for every event, so one decision never shifts the others.
    const drop = this.#random() < this.#dropRate;
    const delay = Math.floor(this.#random() * this.#maxDelayMs);
    if (drop) {
      this.#stats.dropped++;
      return;
    }
    const held: Held = { seq, send };
    this.#held.push(held);
    if (this.#maxDelayMs > 0) {
      held.timer = setTimeout(() => this.#send(held), delay);
    } else if (this.#held.length >= this.#window) this.flush();
  }

  /** Sends every held event now, in a shuffled order. */
  flush(): void {
    const batch = this.#held.splice(0);
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
    for (const h of batch) {
      clearTimeout(h.timer);
      this.#deliver(h);
    }
  }

  /** Forgets the held events without sending them (the server goes away). */
  discard(): void {
    for (const h of this.#held.splice(0)) clearTimeout(h.timer);
  }

  #send(held: Held): void {
    const i = this.#held.indexOf(held);
    if (i < 0) return;
    this.#held.splice(i, 1);
    this.#deliver(held);
  }

  #deliver(held: Held): void {
    this.#stats.sent++;
    if (held.seq < this.#newestSent) this.#stats.late++;
    this.#newestSent = Math.max(this.#newestSent, held.seq);
    held.send();
  }
}
