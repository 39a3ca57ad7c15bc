/**
 * The XMPP bot's one persistent client session on `@xmpp/client`.
 *
 * - Connects with STARTTLS (certificate verified against the XMPP domain) and SCRAM, binds a
 *   resource, enables XEP-0198 stream management; refuses to authenticate on a stream that is
 *   not encrypted.
 * - After every new session: fetches the roster, then sends presence (Prosody delivers
 *   subscription requests only to resources that fetched the roster, and offline messages
 *   after the initial presence). A resumed session needs neither.
 * - Reconnects after any loss with exponential backoff and jitter, first trying to resume;
 *   after a restart, first tries to resume the previous run's session (its XEP-0198 id and
 *   count are kept in the store, see stream_keeper.ts).
 * - Acknowledges a received message or presence (XEP-0198 `h`) only once its handler said it
 *   is handled, so the server resends what a crash interrupted.
 * - Pings the server (XEP-0199) every while; an unanswered ping closes the link, which
 *   reconnects: a dead TCP connection is noticed within interval + timeout.
 * - Answers disco#info (XEP-0030), pings and roster pushes.
 * - {@link XmppSession.send} resolves when the server acknowledged the stanza (XEP-0198), or
 *   with a failure when it never will.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { AckTracker, Delivery } from "./ack_tracker.ts";
import type { SessionKind } from "./attempt.ts";
import { destroySocket } from "./client.ts";
import { Connector } from "./connector.ts";
import { capsVer } from "./disco.ts";
import { describeError } from "./errors.ts";
import { wireJid } from "../text/address.ts";
import { bareJid } from "./jid.ts";
import { Pinger } from "./pinger.ts";
import { Roster } from "./roster.ts";
import {
  listenLink,
  listenStanzas,
  pingServer,
  type SessionOptions,
  type StanzaHandler,
  wireClient,
} from "./session_wiring.ts";
import { SmNegotiation } from "./sm_negotiation.ts";
import type { StreamKeeper } from "./stream_keeper.ts";
import { withTimeout } from "../time/clock.ts";
import { trustCaFile } from "./tls_trust.ts";
import type { XmlElement, XmppClient } from "./xml.ts";

/** What listeners of the session hear. */
export type SessionEvent = "online" | "resumed" | "offline" | "stopped";

export type { SessionOptions, StanzaHandler };

export class XmppSession {
  /** The roster as the server last told it. */
  readonly roster: Roster = new Roster();
  readonly jid: string;
  readonly domain: string;
  readonly #o: SessionOptions;
  readonly #log: Logger;
  readonly #xmpp: XmppClient;
  readonly #tracker: AckTracker;
  readonly #listeners = new Set<(event: SessionEvent) => void>();
  #stanzaHandler: StanzaHandler = (_stanza, done) => done();
  readonly #keeper: StreamKeeper;
  #capsVer = "";
  #ready = false;
  #stopped = false;
  /** The connection attempts, and the promise start() returns (connector.ts). */
  readonly #connector: Connector;
  readonly #pinger: Pinger;
  /** Whether the last stream features offered XEP-0198. */
  readonly #sm: SmNegotiation;

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#log = options.log;
    this.jid = bareJid(options.jid);
    // On the wire (stream `to`, TLS name, pings) the domain is in U-labels, as RFC 7622 asks.
    this.domain = wireJid(this.jid).slice(this.jid.indexOf("@") + 1);
    ({ xmpp: this.#xmpp, keeper: this.#keeper, tracker: this.#tracker } = wireClient({
      ...options,
      jid: this.jid,
      domain: this.domain,
    }));
    this.#pinger = new Pinger(
      options.timers,
      options.tuning.pingIntervalMs,
      () =>
        pingServer(this.#xmpp, {
          domain: this.domain,
          timeoutMs: options.tuning.pingTimeoutMs,
          ready: () => this.#ready,
          log: this.#log,
        }),
      () => destroySocket(this.#xmpp.socket),
    );
    this.#sm = new SmNegotiation(this.#xmpp);
    this.#connector = new Connector(
      this.#xmpp,
      {
        ...options,
        jid: this.jid,
        domain: this.domain,
        roster: this.roster,
        capsVer: () => this.#capsVer,
        sm: this.#sm,
      },
      {
        stopped: () => this.#stopped,
        up: (kind) => this.#up(kind),
        giveUp: () => void this.stop(),
      },
    );
    listenLink(this.#xmpp, this.#log, () => this.#lost());
    listenStanzas(this.#xmpp, {
      jid: this.jid,
      roster: this.roster,
      keeper: this.#keeper,
      handler: (stanza, done) => this.#stanzaHandler(stanza, done),
      capsVer: () => this.#capsVer,
      log: this.#log,
    });
  }

  /** Whether a session is up (new or resumed) and announced. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Listens to session changes; returns the function that stops listening. */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The one receiver of incoming messages and presences. */
  onStanza(handler: StanzaHandler): void {
    this.#stanzaHandler = handler;
  }

  /** Resolves when ready (at once if it is); rejects if the session stops first. */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new Error("the XMPP session is stopped"));
    return new Promise((resolve, reject) => {
      const off = this.onEvent((event) => {
        if (event === "online" || event === "resumed") resolve();
        else if (event === "stopped") reject(new Error("the XMPP session is stopped"));
        else return;
        off();
      });
    });
  }

  /**
   * Connects. Resolves once the first session is up. Rejects when the first attempt fails for a
   * reason retrying cannot fix (credentials, certificate, no encryption); after other failures it
   * keeps retrying with backoff. Later losses are always retried.
   */
  async start(): Promise<void> {
    if (this.#connector.starting || this.#stopped) throw new Error("start() was called already");
    if (this.#o.caFile !== null) await trustCaFile(this.#o.caFile);
    this.#capsVer = await capsVer();
    const saved = this.#keeper.restore();
    if (saved !== null) {
      this.#log.info("trying to resume the XMPP stream of the previous run", { h: saved.h });
    }
    return this.#connector.start();
  }

  /**
   * Sends a stanza and resolves with its fate: ok once the server acknowledged it (XEP-0198),
   * or, on a server without stream management, once it was written. A failure means the
   * stanza may or may not have arrived (the caller sends it again with the same id).
   */
  async send(stanza: XmlElement): Promise<Delivery> {
    if (!this.#ready) return { ok: false, reason: "not connected to the XMPP server" };
    const outcome = this.#tracker.track(stanza);
    try {
      await this.#xmpp.send(stanza);
    } catch (error) {
      this.#tracker.settle(stanza, { ok: false, reason: `not written: ${describeError(error)}` });
      return outcome;
    }
    const sm = this.#xmpp.streamManagement;
    if (!sm.enabled && !sm.enableSent) this.#tracker.settle(stanza, { ok: true });
    else this.#tracker.written();
    return outcome;
  }

  /** Sends a stanza whose fate does not matter (a receipt); false when it could not be written. */
  async sendBestEffort(stanza: XmlElement): Promise<boolean> {
    if (!this.#ready) return false;
    try {
      await this.#xmpp.send(stanza);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends an IQ request and resolves with the result; rejects on error, timeout or offline. */
  request(
    iq: XmlElement,
    timeoutMs: number = this.#o.tuning.requestTimeoutMs,
  ): Promise<XmlElement> {
    if (!this.#ready) return Promise.reject(new Error("not connected to the XMPP server"));
    return this.#xmpp.iqCaller.request(iq, timeoutMs);
  }

  /** Closes the session for good; what is still unacknowledged is failed. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ready = false;
    this.#connector.cancel();
    this.#pinger.stop();
    // Whether a stream is up now: only closing that one ends the server's session. A link that
    // is already down leaves the session held by the server, for the next run to resume.
    const live = this.#xmpp.status === "online";
    if (this.#keeper.busy) {
      // Stanzas are still being handled: leave the stream to the server for a resumption (the
      // saved state names it), so that it resends them to the next run instead of taking them
      // as handled or bouncing them.
      this.#log.info("leaving the XMPP stream resumable: received stanzas are still in hand");
    } else {
      // A clean close (the server then keeps no session for a resumption), bounded in time:
      // the server may be gone.
      try {
        if (this.#xmpp.status !== "offline") {
          await withTimeout(this.#xmpp.stop(), this.#o.tuning.stepTimeoutMs * 2, this.#o.timers);
        }
        if (live) this.#keeper.forget();
      } catch (error) {
        this.#log.debug("closing the XMPP stream: {error}", { error: describeError(error) });
      }
    }
    destroySocket(this.#xmpp.socket);
    await this.#connector.attempt;
    this.#tracker.close("the XMPP bot stopped");
    this.#connector.abandon(new Error("the XMPP session was stopped before it came online"));
    this.#log.info("XMPP session closed");
    this.#emit("stopped");
  }

  /** A session is up and announced: ready, start() resolved, pings on, listeners told. */
  #up(kind: SessionKind): void {
    this.#ready = true;
    this.#log.info(
      kind === "online" ? "XMPP session online as {jid}" : "XMPP session resumed as {jid}",
      { jid: this.jid, streamManagement: this.#xmpp.streamManagement.enabled },
    );
    this.#connector.started();
    this.#pinger.start();
    this.#emit(kind);
  }

  #emit(event: SessionEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#log.error("a session listener failed: {error}", { error: describeError(error) });
      }
    }
  }

  /** The link dropped: not ready until the next session, which is scheduled. */
  #lost(): void {
    const wasReady = this.#ready;
    this.#ready = false;
    this.#pinger.stop();
    this.#sm.settle();
    if (this.#stopped) return;
    if (wasReady) {
      this.#log.warning("lost the XMPP connection; reconnecting");
      this.#emit("offline");
    }
    // During an attempt, the attempt schedules the next one itself.
    if (this.#connector.attempt === null) this.#connector.scheduleReconnect();
  }
}
