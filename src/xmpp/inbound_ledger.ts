/**
 * The XEP-0198 inbound count `h` as the bridge means it: the number of stanzas, counted in the
 * order they arrived on the stream, whose handling is complete. A stanza completes when the
 * core committed what it did with it (or at once when there is nothing to commit: IQs, ignored
 * stanzas). `h` is the longest prefix of arrivals that completed, so a stanza that completed
 * before an earlier one does not count until the earlier one completes too.
 *
 * Answering an ack request with such an `h`, lower than the number of stanzas received, is valid
 * XEP-0198: the server keeps the rest and resends it after a resumption. The core's dedupe key
 * drops a resent stanza whose handling had committed meanwhile.
 *
 * @module
 */

/** XEP-0198 counters wrap at 2^32. */
const WRAP = 2 ** 32;

/** Names one arrival; it completes through {@link InboundLedger.complete}. */
export interface Ticket {
  readonly generation: number;
  readonly seq: number;
}

export class InboundLedger {
  /** Bumped by {@link reset}: tickets of an earlier generation no longer count. */
  #generation = 0;
  /** Arrivals counted in the completed prefix (not wrapped). */
  #base = 0;
  /** Completion flags of the arrivals after the prefix, from index `#head` on. */
  #done: boolean[] = [];
  #head = 0;
  readonly #onAdvance: (h: number) => void;

  /** `onAdvance` is called with the new `h` each time the completed prefix grows. */
  constructor(onAdvance: (h: number) => void = () => {}) {
    this.#onAdvance = onAdvance;
  }

  /** The count to report to the server: completed prefix, modulo 2^32. */
  get h(): number {
    return this.#base % WRAP;
  }

  /** Arrivals since the last reset, completed or not, plus the base (modulo 2^32). */
  get arrived(): number {
    return (this.#base + this.#done.length - this.#head) % WRAP;
  }

  /** Whether every arrival so far has completed. */
  get idle(): boolean {
    return this.#head === this.#done.length;
  }

  /** Counts one arriving stanza; complete it with the returned ticket. */
  arrive(): Ticket {
    this.#done.push(false);
    return { generation: this.#generation, seq: this.#base + this.#done.length - this.#head };
  }

  /**
   * Marks an arrival complete. A ticket from before the last {@link reset}, or one completed
   * already, is ignored; returns whether `h` grew.
   */
  complete(ticket: Ticket): boolean {
    if (ticket.generation !== this.#generation) return false;
    const index = this.#head + (ticket.seq - this.#base) - 1;
    if (index < this.#head || index >= this.#done.length || this.#done[index]) return false;
    this.#done[index] = true;
    let grown = 0;
    while (this.#head < this.#done.length && this.#done[this.#head]) {
      this.#head++;
      grown++;
    }
    if (this.#head === this.#done.length) {
      this.#done = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#done = this.#done.slice(this.#head);
      this.#head = 0;
    }
    if (grown === 0) return false;
    this.#base += grown;
    this.#onAdvance(this.h);
    return true;
  }

  /**
   * Starts over from `h` (0 for a new stream-management session; the `h` sent in a resumption
   * request for a resumed one). Arrivals not completed yet are forgotten: the server resends
   * them after a resumption.
   */
  reset(h: number): void {
    if (!Number.isInteger(h) || h < 0 || h >= WRAP) {
      throw new RangeError(`a XEP-0198 count must be an integer from 0 to 2^32-1, not ${h}`);
    }
    this.#generation++;
    this.#base = h;
    this.#done = [];
    this.#head = 0;
  }
}
