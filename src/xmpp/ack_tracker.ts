/**
 * Ties XEP-0198 acknowledgements to the stanzas we sent. `@xmpp/stream-management` keeps the
 * unacknowledged stanzas in order and emits `ack` with the stanza object when the server's
 * `<a h=".."/>` covers it, or `fail` when the session is lost for good (resumption refused,
 * client stopped); the outcome of one send is known only then.
 *
 * Several stanzas may be in flight at once. The library asks for an acknowledgement once the
 * sending side has been idle a moment; when a whole window of stanzas is waiting, the tracker
 * asks at once ({@link AckTracker.written}), once until the server answers.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../core/ports.ts";
import type { Emitter, XmlElement } from "./xml.ts";

/**
 * How one stanza fared. `suspect`: the server closed the stream as malformed while it was in
 * flight, so it may be the cause (src/xmpp/poison.ts).
 */
export type Delivery =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly suspect?: boolean };

/** The send window: how many stanzas in flight make a full window, and how to ask for an ack. */
export interface AckWindow {
  readonly size: number;
  /** Sends `<r/>`. */
  readonly ask: () => void;
}

interface Pending {
  readonly settle: (delivery: Delivery) => void;
  readonly timer: TimerHandle;
}

export class AckTracker {
  readonly #pending = new Map<XmlElement, Pending>();
  readonly #sm: Emitter;
  readonly #timers: Clock;
  readonly #timeoutMs: number;
  readonly #window: AckWindow | null;
  /** Whether an acknowledgement was asked for a full window and not answered yet. */
  #asked = false;
  readonly #onAck = (stanza: XmlElement) => {
    this.#asked = false;
    this.settle(stanza, { ok: true });
  };
  readonly #onFail = (stanza: XmlElement) => {
    this.#asked = false;
    this.settle(stanza, { ok: false, reason: "the stream was lost before the server took it" });
  };

  /**
   * `sm` is the stream-management emitter. A stanza neither acknowledged nor failed within
   * `timeoutMs` counts as failed (a safety net: the library can drop a stanza silently when the
   * link dies again while it resends after a resumption).
   */
  constructor(sm: Emitter, timers: Clock, timeoutMs: number, window: AckWindow | null = null) {
    this.#sm = sm;
    this.#timers = timers;
    this.#timeoutMs = timeoutMs;
    this.#window = window;
    sm.on("ack", this.#onAck);
    sm.on("fail", this.#onFail);
  }

  /** Stanzas awaiting their outcome. */
  get size(): number {
    return this.#pending.size;
  }

  /** Starts waiting for `stanza`'s outcome; call it before sending the stanza. */
  track(stanza: XmlElement): Promise<Delivery> {
    return new Promise((resolve) => {
      const timer = this.#timers.setTimeout(() => {
        this.settle(stanza, { ok: false, reason: "no acknowledgement from the server in time" });
      }, this.#timeoutMs);
      this.#pending.set(stanza, { settle: resolve, timer });
    });
  }

  /** A tracked stanza was written: with a full window waiting, asks for an acknowledgement now. */
  written(): void {
    const w = this.#window;
    if (w === null || this.#asked || this.#pending.size < w.size) return;
    this.#asked = true;
    w.ask();
  }

  /** Ends the wait for `stanza` with `delivery` (no-op for an untracked stanza). */
  settle(stanza: XmlElement, delivery: Delivery): void {
    const pending = this.#pending.get(stanza);
    if (pending === undefined) return;
    this.#pending.delete(stanza);
    this.#timers.clearTimeout(pending.timer);
    pending.settle(delivery);
  }

  /** Fails every pending stanza with `reason`. */
  failAll(reason: string): void {
    for (const stanza of [...this.#pending.keys()]) this.settle(stanza, { ok: false, reason });
  }

  /** Fails what is pending and stops listening. */
  close(reason: string): void {
    this.failAll(reason);
    this.#sm.removeListener("ack", this.#onAck);
    this.#sm.removeListener("fail", this.#onFail);
  }
}
