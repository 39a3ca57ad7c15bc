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
import { AckTracker, type Delivery } from "./ack_tracker.ts";
import { AttemptWatch } from "./attempt.ts";
import { backoffDelay } from "./backoff.ts";
import { destroySocket, openClient } from "./client.ts";
import { capsElement, capsVer, discoInfo } from "./disco.ts";
import { describeError, isPermanentConnectError } from "./errors.ts";
import { wireJid } from "../text/address.ts";
import { isPermissionError, PermissionRefusedError } from "../permission_error.ts";
import { bareJid } from "./jid.ts";
import { NS } from "./ns.ts";
import { Pinger, type PingOutcome } from "./pinger.ts";
import { PoisonGuard, type SmQueue } from "./poison.ts";
import { Roster, rosterEntries } from "./roster.ts";
import { SmNegotiation } from "./sm_negotiation.ts";
import type { SmStateStore } from "./sm_state.ts";
import { StreamKeeper } from "./stream_keeper.ts";
import type { Clock, TimerHandle } from "../core/ports.ts";
import { withTimeout } from "../time/clock.ts";
import { trustCaFile } from "./tls_trust.ts";
import type { XmppTuning } from "./tuning.ts";
import { element, type XmlElement, type XmppClient } from "./xml.ts";

/** What listeners of the session hear. */
export type SessionEvent = "online" | "resumed" | "offline" | "stopped";

export interface SessionOptions {
  /** The bot's bare JID. */
  readonly jid: string;
  readonly password: string;
  /**
   * `xmpp://host:port` (STARTTLS) or `xmpps://host:port` (direct TLS); or a function giving
   * the service for each attempt (the SRV targets in turn, see srv.ts).
   */
  readonly service: string | (() => Promise<string>);
  readonly resource: string;
  /** PEM file of a private CA to trust for the connection, or null. */
  readonly caFile: string | null;
  readonly log: Logger;
  readonly timers: Clock;
  /** [0, 1) for the backoff jitter. */
  readonly random: () => number;
  readonly tuning: XmppTuning;
  /** Where the XEP-0198 state is kept between runs. */
  readonly smStore: SmStateStore;
}

/**
 * Receives a message or presence. `done` must be called once its handling is complete (the
 * core committed it, or it was ignored): only then is it acknowledged to the server.
 */
export type StanzaHandler = (stanza: XmlElement, done: () => void) => void;

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
  /** Whether the roster was fetched in this process (a resumed session needs it once). */
  #rosterLoaded = false;
  #capsVer = "";
  #ready = false;
  #stopped = false;
  #attempt: Promise<void> | null = null;
  #failures = 0;
  #reconnectTimer: TimerHandle | null = null;
  readonly #pinger: Pinger;
  #first: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  /** Whether the last stream features offered XEP-0198. */
  readonly #sm: SmNegotiation;

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#log = options.log;
    this.jid = bareJid(options.jid);
    // On the wire (stream `to`, TLS name, pings) the domain is in U-labels, as RFC 7622 asks.
    this.domain = wireJid(this.jid).slice(this.jid.indexOf("@") + 1);
    this.#xmpp = openClient({
      jid: this.jid,
      password: options.password,
      domain: this.domain,
      // Each attempt names its service (connect(service)); this one is only the default.
      service: typeof options.service === "string" ? options.service : "",
      resource: options.resource,
      stepTimeoutMs: options.tuning.stepTimeoutMs,
      ackRequestDelayMs: options.tuning.ackRequestDelayMs,
    });
    this.#keeper = new StreamKeeper(this.#xmpp, {
      jid: this.jid,
      store: options.smStore,
      log: options.log,
    });
    this.#tracker = new AckTracker(
      this.#xmpp.streamManagement,
      options.timers,
      options.tuning.ackTimeoutMs,
      { size: options.tuning.sendWindow, ask: () => this.#requestAck() },
    );
    // A stanza the server rejects as malformed is not resent by the session (poison.ts).
    new PoisonGuard(
      this.#xmpp,
      this.#xmpp.streamManagement as unknown as SmQueue,
      this.#tracker,
      this.#log,
    );
    this.#pinger = new Pinger(
      options.timers,
      options.tuning.pingIntervalMs,
      () => this.#ping(),
      () => destroySocket(this.#xmpp.socket),
    );
    this.#sm = new SmNegotiation(this.#xmpp);
    this.#listen();
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
    if (this.#first !== null || this.#stopped) throw new Error("start() was called already");
    if (this.#o.caFile !== null) await trustCaFile(this.#o.caFile);
    this.#capsVer = await capsVer();
    const saved = this.#keeper.restore();
    if (saved !== null) {
      this.#log.info("trying to resume the XMPP stream of the previous run", { h: saved.h });
    }
    const first = new Promise<void>((resolve, reject) => {
      this.#first = { resolve, reject };
    });
    this.#connect();
    return first;
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

  #requestAck(): void {
    this.#xmpp.send(element("r", { xmlns: NS.sm })).catch(() => {});
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
    if (this.#reconnectTimer !== null) this.#o.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
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
    await this.#attempt;
    this.#tracker.close("the XMPP bot stopped");
    this.#first?.reject(new Error("the XMPP session was stopped before it came online"));
    this.#first = null;
    this.#log.info("XMPP session closed");
    this.#emit("stopped");
  }

  #connect(): void {
    if (this.#stopped || this.#attempt !== null) return;
    this.#attempt = this.#runAttempt().finally(() => {
      this.#attempt = null;
    });
  }

  async #runAttempt(): Promise<void> {
    const { tuning, timers } = this.#o;
    const sm = this.#xmpp.streamManagement;
    const watch = new AttemptWatch(this.#xmpp, sm, timers, tuning.sessionTimeoutMs);
    let service = typeof this.#o.service === "string" ? this.#o.service : "";
    try {
      if (typeof this.#o.service !== "string") service = await this.#o.service();
      this.#log.debug("connecting to {service}", { service });
      await watch.guard(this.#xmpp.connect(service));
      await watch.guard(this.#xmpp.open({ domain: this.domain }));
      const kind = await watch.session;
      if (kind === "online") await watch.guard(this.#announce());
      // The session of a previous run: the server still has our presence, but this process
      // has no roster yet.
      else if (!this.#rosterLoaded) await watch.guard(this.#fetchRoster());
      watch.close();
      if (this.#stopped) return;
      this.#failures = 0;
      this.#ready = true;
      this.#log.info(
        kind === "online" ? "XMPP session online as {jid}" : "XMPP session resumed as {jid}",
        { jid: this.jid, streamManagement: sm.enabled },
      );
      this.#first?.resolve();
      this.#first = null;
      this.#pinger.start();
      this.#emit(kind);
    } catch (error) {
      watch.close();
      if (this.#stopped) return;
      destroySocket(this.#xmpp.socket);
      if (this.#first !== null && isPermissionError(error)) {
        // The permission set will never allow it: say which setting leads there, and stop.
        const refused = new PermissionRefusedError(
          `the permission set does not allow connecting to ${service || this.domain} ` +
            `(${describeError(error)}): the XMPP server's SRV records or xmpp-host changed ` +
            `since the permissions were derived; run "deno task flags" or "deno task compile" ` +
            `again, or set xmpp-host and xmpp-port`,
          { cause: error },
        );
        // Not logged here: the caller reports it once, as the reason the process stops.
        this.#first.reject(refused);
        this.#first = null;
        void this.stop();
        return;
      }
      if (this.#first !== null && isPermanentConnectError(error)) {
        this.#log.error("cannot log in to XMPP as {jid} at {service}: {error}", {
          jid: this.jid,
          service: this.#o.service,
          error: describeError(error),
        });
        this.#first.reject(error);
        this.#first = null;
        // Retrying cannot help: give up (stop() waits for this attempt, so do not await it).
        void this.stop();
        return;
      }
      const delay = this.#scheduleReconnect();
      this.#log.warning(
        "XMPP connection to {service} failed: {error}; next try in {delay} ms",
        {
          service,
          error: describeError(error),
          delay,
          attempt: this.#failures,
        },
      );
    }
  }

  /** A new session: roster first, then presence, then wait until XEP-0198 is settled. */
  async #announce(): Promise<void> {
    await this.#fetchRoster();
    await this.#xmpp.send(element("presence", {}, capsElement(this.#capsVer)));
    await this.#sm.settled();
  }

  async #fetchRoster(): Promise<void> {
    const result = await this.#xmpp.iqCaller.request(
      element("iq", { type: "get" }, element("query", { xmlns: NS.roster })),
      this.#o.tuning.requestTimeoutMs,
    );
    this.roster.replace(rosterEntries(result.getChild("query", NS.roster)));
    this.#rosterLoaded = true;
  }

  /**
   * Schedules the next attempt after a backoff delay that grows with each consecutive failure;
   * returns the delay, or null when one is scheduled already (or the session is stopped).
   */
  #scheduleReconnect(): number | null {
    if (this.#stopped || this.#reconnectTimer !== null) return null;
    this.#failures++;
    const delay = backoffDelay(this.#failures, this.#o.tuning.backoff, this.#o.random);
    this.#reconnectTimer = this.#o.timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
    return delay;
  }

  /** One ping: an answer, even an error, proves the link alive; silence or no write does not. */
  async #ping(): Promise<PingOutcome> {
    if (!this.#ready) return "alive";
    const iq = element("iq", { type: "get", to: this.domain }, element("ping", { xmlns: NS.ping }));
    try {
      await this.#xmpp.iqCaller.request(iq, this.#o.tuning.pingTimeoutMs);
      return "alive";
    } catch (error) {
      if ((error as { name?: unknown }).name === "StanzaError") return "alive";
      if (!this.#ready) return "alive";
      this.#log.warning("the XMPP server did not answer a ping ({error}); reconnecting", {
        error: describeError(error),
      });
      return "dead";
    }
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

  #listen(): void {
    this.#listenLink();
    this.#listenStanzas();
  }

  /** Client errors and status to the log; a lost link schedules the next attempt. */
  #listenLink(): void {
    const x = this.#xmpp;
    // Without an `error` listener the emitter would throw; failures of an attempt are handled
    // by its AttemptWatch, the rest only logged (a lost link also emits `disconnect`).
    x.on("error", (error: unknown) => {
      // A stream error (`conflict`: another client took our resource; `system-shutdown`...)
      // is worth the operator's attention; the rest shows as a failed attempt or a lost link.
      const level = (error as { name?: unknown }).name === "StreamError" ? "warning" : "debug";
      this.#log[level]("XMPP client error: {error}", { error: describeError(error) });
    });
    x.on("status", (status: string) => this.#log.debug("XMPP status {status}", { status }));
    x.on("disconnect", () => {
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
      if (this.#attempt === null) this.#scheduleReconnect();
    });
  }

  /** Messages and presences to the handler; roster pushes and disco#info answered. */
  #listenStanzas(): void {
    const x = this.#xmpp;
    x.on("stanza", (stanza: XmlElement) => {
      if (!stanza.is("message") && !stanza.is("presence")) return;
      const ticket = this.#keeper.ticketOf(stanza);
      let completed = false;
      const done = () => {
        if (completed) return;
        completed = true;
        this.#keeper.complete(ticket);
      };
      try {
        this.#stanzaHandler(stanza, done);
      } catch (error) {
        done();
        // Thrown here, it would break the client's parser: log it and go on.
        this.#log.error("handling a <{name}/> failed: {error}", {
          name: stanza.name,
          error: describeError(error),
        });
      }
    });
    x.iqCallee.set(NS.roster, "query", (ctx) => {
      // Pushes come from our own account (or without `from`); refuse them from anyone else.
      const from = ctx.stanza.attrs.from;
      if (from !== undefined && bareJid(from) !== this.jid) return undefined;
      this.roster.update(rosterEntries(ctx.element));
      return true;
    });
    x.iqCallee.get(
      NS.discoInfo,
      "query",
      (ctx) => discoInfo(ctx.element.attrs.node, this.#capsVer),
    );
  }
}
