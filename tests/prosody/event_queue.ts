/**
 * A buffer of events that tests consume in order, waiting for the next matching one.
 *
 * Events that arrive before anyone waits are kept, so a test never misses an event
 * that came "too early". A wait fails after a timeout with a message naming what was awaited.
 *
 * @module
 */

interface Waiter<T> {
  readonly filter: (item: T) => boolean;
  readonly resolve: (item: T) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Buffered events of type `T`. */
export class EventQueue<T> {
  readonly #label: string;
  readonly #buffer: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();
  #closed: Error | null = null;

  /** `label` names the queue in timeout errors, e.g. `alice@xmpp.test messages`. */
  constructor(label: string) {
    this.#label = label;
  }

  /** Events received and not consumed yet. */
  get pending(): readonly T[] {
    return [...this.#buffer];
  }

  /** Add an event: it goes to the oldest waiter it matches, else into the buffer. */
  push(item: T): void {
    for (const waiter of this.#waiters) {
      if (waiter.filter(item)) {
        this.#settle(waiter);
        waiter.resolve(item);
        return;
      }
    }
    this.#buffer.push(item);
  }

  /**
   * The first buffered event matching `filter` (removed from the buffer), or the next one to
   * arrive. Rejects after `timeoutMs` or when the queue is closed; `what` describes the event
   * in the error message.
   */
  next(filter: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const index = this.#buffer.findIndex(filter);
    if (index >= 0) return Promise.resolve(this.#buffer.splice(index, 1)[0]!);
    if (this.#closed !== null) return Promise.reject(this.#closed);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        filter,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(waiter);
          reject(new Error(`${this.#label}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Reject every waiter and all later waits with `error` (buffered events can still be read). */
  close(error: Error): void {
    this.#closed = error;
    for (const waiter of [...this.#waiters]) {
      this.#settle(waiter);
      waiter.reject(error);
    }
  }

  #settle(waiter: Waiter<T>): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
  }
}
