/**
 * Keeps the XEP-0198 session resumable across restarts of the bridge, and makes its inbound
 * count mean "handled", not "received".
 *
 * `@xmpp/stream-management` counts a stanza when it arrives and answers the server's `<r/>`
 * with that count; a crash between arrival and the core's commit then lost the stanza (the
 * server had been told it was handled). It also forgets its session with the process. Here:
 *
 * - The library's `inbound` counter is replaced by an {@link InboundLedger}: every message,
 *   presence and IQ is counted in arrival order, and `h` (what `<a/>` and `<resume/>` carry) is
 *   the number of them, from the first, whose handling completed. IQs complete at once; messages
 *   and presences when the caller says so (after the core's commit). The library also missed
 *   IQ results to our own requests (its IQ caller does not pass them on); these count here.
 * - The stream-management id (`<enabled id=.../>`), the server's location if any, and `h` are
 *   saved in the store at every change. {@link restore} puts a saved session back into the
 *   library before connecting, so the first login sends `<resume previd h/>`; when the server
 *   answers `<failed/>` the library opens a new session and the saved state is dropped.
 * - After resuming a previous process's session the server's `<resumed h/>` counts stanzas this
 *   process never sent: it only sets the library's outbound base (its queue is empty), so the
 *   acknowledgement bookkeeping starts from there instead of failing on an empty queue.
 * - When handled stanzas catch up after an `<a/>` that reported fewer than had arrived, an
 *   unrequested `<a/>` with the new count goes out (XEP-0198 allows one at any time), so the
 *   server can drop them from its queue without waiting for its next request.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { describeError } from "./errors.ts";
import { InboundLedger, type Ticket } from "./inbound_ledger.ts";
import { NS } from "./ns.ts";
import type { SmState, SmStateStore } from "./sm_state.ts";
import { element, parseJid, type XmlElement, type XmppClient } from "./xml.ts";

export interface StreamKeeperOptions {
  /** The bot's bare JID. */
  readonly jid: string;
  readonly store: SmStateStore;
  readonly log: Logger;
}

const COUNTED = new Set(["message", "presence", "iq"]);

export class StreamKeeper {
  readonly #xmpp: XmppClient;
  readonly #store: SmStateStore;
  readonly #log: Logger;
  readonly #jid: string;
  readonly #ledger: InboundLedger;
  readonly #tickets = new WeakMap<XmlElement, Ticket>();
  /** Whether stanzas count: from `<enabled/>` or `<resumed/>` until the link drops. */
  #counting = false;
  /** The session being counted (what gets saved), or null. */
  #session: { id: string; location: string | null; bound: string | null } | null = null;
  /** `h` of the last `<a/>` written on this link, or null. */
  #lastAck: number | null = null;
  /** Whether the library is about to ask to resume a session restored from the store. */
  #restored = false;

  constructor(xmpp: XmppClient, options: StreamKeeperOptions) {
    this.#xmpp = xmpp;
    this.#store = options.store;
    this.#log = options.log;
    this.#jid = options.jid;
    this.#ledger = new InboundLedger((h) => this.#advanced(h));
    const ledger = this.#ledger;
    // The library reads `inbound` for its `<a h/>` and `<resume h/>`, and writes it when it
    // counts a stanza or starts a session; the count is ours now, so its writes are dropped.
    Object.defineProperty(xmpp.streamManagement, "inbound", {
      get: () => ledger.h,
      set: () => {},
      configurable: true,
      enumerable: true,
    });
    xmpp.on("element", (el: XmlElement) => this.#onElement(el));
    xmpp.on("send", (el: XmlElement) => {
      if (el.is("a", NS.sm)) this.#lastAck = Number(el.attrs.h);
    });
    xmpp.on("disconnect", () => {
      this.#counting = false;
      this.#lastAck = null;
      // What arrived and is still being handled will be resent after a resumption (or was
      // lost with the session): it no longer counts.
      this.#ledger.reset(this.#ledger.h);
    });
  }

  /** Count of handled stanzas in the current stream-management session. */
  get h(): number {
    return this.#ledger.h;
  }

  /** Whether stanzas arrived whose handling has not completed. */
  get busy(): boolean {
    return !this.#ledger.idle;
  }

  /**
   * Before the first connection: loads a saved session into the library so that it asks to
   * resume it. Returns the saved state used, or null (none saved, another account's, or
   * unreadable: then it is dropped and a new session opens).
   */
  restore(): SmState | null {
    let state: SmState | null;
    try {
      state = this.#store.load();
    } catch (error) {
      this.#log.warning("ignoring the saved XMPP stream state: {error}", {
        error: describeError(error),
      });
      this.#forget();
      return null;
    }
    if (state === null) return null;
    if (state.jid !== this.#jid) {
      this.#log.info("the saved XMPP stream belongs to {saved}, not {jid}: not resuming it", {
        saved: state.jid,
        jid: this.#jid,
      });
      this.#forget();
      return null;
    }
    this.#xmpp.streamManagement.id = state.id;
    this.#ledger.reset(state.h);
    this.#session = { id: state.id, location: state.location, bound: state.bound };
    this.#restored = true;
    return state;
  }

  /**
   * The ticket of a message or presence just received (call it from the `stanza` event, which
   * follows the `element` event it was counted in); null when stanzas do not count now.
   */
  ticketOf(stanza: XmlElement): Ticket | null {
    return this.#tickets.get(stanza) ?? null;
  }

  /** Marks a stanza handled (no-op for null or for a ticket of an earlier stream). */
  complete(ticket: Ticket | null): void {
    if (ticket !== null) this.#ledger.complete(ticket);
  }

  /** Forgets the saved session (after a clean close: the server ended it). */
  forget(): void {
    this.#forget();
  }

  #onElement(el: XmlElement): void {
    if (COUNTED.has(el.name)) {
      if (!this.#counting) return;
      const ticket = this.#ledger.arrive();
      // An IQ is answered (or taken by a waiting request) as it arrives: nothing to commit.
      if (el.name === "iq") this.#ledger.complete(ticket);
      else this.#tickets.set(el, ticket);
      return;
    }
    if (el.is("enabled", NS.sm)) this.#onEnabled(el);
    else if (el.is("resumed", NS.sm)) this.#onResumed(el);
    else if (el.is("failed", NS.sm)) this.#onFailed();
  }

  /** A new stream-management session: the count starts at zero. */
  #onEnabled(el: XmlElement): void {
    this.#restored = false;
    this.#ledger.reset(0);
    this.#counting = true;
    const { id, resume, location } = el.attrs;
    if (id === undefined || id === "" || (resume !== "true" && resume !== "1")) {
      // The server offers no resumption: nothing worth keeping.
      this.#session = null;
      this.#forget();
      return;
    }
    this.#session = { id, location: location ?? null, bound: this.#xmpp.jid?.toString() ?? null };
    this.#save();
  }

  #onResumed(el: XmlElement): void {
    const sm = this.#xmpp.streamManagement;
    const h = Number(el.attrs.h);
    if (this.#restored) {
      // The session of a previous process: its outbound count covers stanzas this process
      // never sent, and the library's queue is empty. Take the server's count as the base.
      if (Number.isInteger(h) && h >= 0 && sm.outbound_q.length === 0) sm.outbound = h;
      // No resource was bound in this process: the library needs its full JID (it stamps the
      // stanzas it resends after a later resumption with it).
      const bound = this.#session?.bound ?? null;
      if (bound !== null) this.#xmpp.jid = parseJid(bound);
      this.#log.info("resumed the XMPP stream of the previous run ({h} stanzas handled)", {
        h: this.#ledger.h,
      });
    }
    this.#restored = false;
    this.#counting = true;
    this.#save();
  }

  /** A resumption (or enabling) refused: the saved session is of no use any more. */
  #onFailed(): void {
    if (this.#restored) {
      this.#log.info("the XMPP server no longer holds the previous stream; opening a new one");
    }
    this.#restored = false;
    this.#counting = false;
    this.#session = null;
    this.#forget();
  }

  #advanced(h: number): void {
    if (this.#session !== null) this.#save();
    // An earlier `<a/>` reported fewer stanzas than had arrived: now that all are handled,
    // tell the server without waiting for its next request.
    if (this.#counting && this.#lastAck !== null && this.#lastAck !== h && this.#ledger.idle) {
      this.#xmpp.send(element("a", { xmlns: NS.sm, h: String(h) })).catch(() => {});
    }
  }

  #save(): void {
    if (this.#session === null) return;
    try {
      this.#store.save({
        jid: this.#jid,
        id: this.#session.id,
        location: this.#session.location,
        bound: this.#session.bound,
        h: this.#ledger.h,
      });
    } catch (error) {
      this.#log.error("could not save the XMPP stream state: {error}", {
        error: describeError(error),
      });
    }
  }

  #forget(): void {
    try {
      this.#store.clear();
    } catch (error) {
      this.#log.error("could not clear the saved XMPP stream state: {error}", {
        error: describeError(error),
      });
    }
  }
}
