/**
 * The connection attempts of the XMPP session (session.ts): one at a time, each from opening the
 * socket to a usable session, the next one after a backoff delay with jitter that grows with each
 * consecutive failure (reset by a success). It also keeps the promise `start()` returns: resolved
 * by the first session, rejected when the first attempt fails for a reason retrying cannot fix
 * (credentials, certificate, no encryption, the permission set).
 *
 * @module
 */
import { AttemptWatch, type SessionKind } from "./attempt.ts";
import { backoffDelay } from "./backoff.ts";
import { destroySocket } from "./client.ts";
import { capsElement } from "./disco.ts";
import { describeError, isPermanentConnectError } from "./errors.ts";
import { isPermissionError, PermissionRefusedError } from "../permission_error.ts";
import type { TimerHandle } from "../core/ports.ts";
import { NS } from "./ns.ts";
import { type Roster, rosterEntries } from "./roster.ts";
import type { SessionOptions } from "./session_wiring.ts";
import type { SmNegotiation } from "./sm_negotiation.ts";
import { element, type XmppClient } from "./xml.ts";

export type ConnectorOptions =
  & Pick<SessionOptions, "service" | "log" | "timers" | "random" | "tuning">
  & {
    /** The bot's bare JID (for the log). */
    readonly jid: string;
    /** The XMPP domain, in U-labels (the stream's `to`). */
    readonly domain: string;
    /** The session's roster, replaced by the roster of each new session. */
    readonly roster: Roster;
    /** The XEP-0115 verification string of the presence. */
    readonly capsVer: () => string;
    readonly sm: SmNegotiation;
  };

/** What the connector asks of the session it connects. */
export interface ConnectorHooks {
  /** Whether the session is stopped: no attempt starts, and the end of one is ignored. */
  stopped(): boolean;
  /** The session is up and announced (it calls {@link Connector.started} in its turn). */
  up(kind: SessionKind): void;
  /** The first attempt failed for good (start() rejected): stop the session. */
  giveUp(): void;
}

export class Connector {
  readonly #xmpp: XmppClient;
  readonly #o: ConnectorOptions;
  readonly #hooks: ConnectorHooks;
  #attempt: Promise<void> | null = null;
  #failures = 0;
  #reconnectTimer: TimerHandle | null = null;
  /** Whether the roster was fetched in this process (a resumed session needs it once). */
  #rosterLoaded = false;
  #first: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(xmpp: XmppClient, options: ConnectorOptions, hooks: ConnectorHooks) {
    this.#xmpp = xmpp;
    this.#o = options;
    this.#hooks = hooks;
  }

  /** The attempt under way, or null. */
  get attempt(): Promise<void> | null {
    return this.#attempt;
  }

  /** Whether start()'s promise waits for the first session. */
  get starting(): boolean {
    return this.#first !== null;
  }

  /** The first attempt; resolves with the first session, see the module's description. */
  start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => {
      this.#first = { resolve, reject };
    });
    this.#connect();
    return first;
  }

  /** Resolves start()'s promise (a session is up). */
  started(): void {
    this.#first?.resolve();
    this.#first = null;
  }

  /** Rejects start()'s promise if it still waits. */
  abandon(error: Error): void {
    this.#first?.reject(error);
    this.#first = null;
  }

  /** Cancels the next attempt if one is scheduled. */
  cancel(): void {
    if (this.#reconnectTimer !== null) this.#o.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  /**
   * Schedules the next attempt after a backoff delay that grows with each consecutive failure;
   * returns the delay, or null when one is scheduled already (or the session is stopped).
   */
  scheduleReconnect(): number | null {
    if (this.#hooks.stopped() || this.#reconnectTimer !== null) return null;
    this.#failures++;
    const delay = backoffDelay(this.#failures, this.#o.tuning.backoff, this.#o.random);
    this.#reconnectTimer = this.#o.timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
    return delay;
  }

  #connect(): void {
    if (this.#hooks.stopped() || this.#attempt !== null) return;
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
      this.#o.log.debug("connecting to {service}", { service });
      await watch.guard(this.#xmpp.connect(service));
      await watch.guard(this.#xmpp.open({ domain: this.#o.domain }));
      const kind = await watch.session;
      if (kind === "online") await watch.guard(this.#announce());
      // The session of a previous run: the server still has our presence, but this process
      // has no roster yet.
      else if (!this.#rosterLoaded) await watch.guard(this.#fetchRoster());
      watch.close();
      if (this.#hooks.stopped()) return;
      this.#failures = 0;
      this.#hooks.up(kind);
    } catch (error) {
      watch.close();
      if (this.#hooks.stopped()) return;
      destroySocket(this.#xmpp.socket);
      this.#failed(error, service);
    }
  }

  /** A new session: roster first, then presence, then wait until XEP-0198 is settled. */
  async #announce(): Promise<void> {
    await this.#fetchRoster();
    await this.#xmpp.send(element("presence", {}, capsElement(this.#o.capsVer())));
    await this.#o.sm.settled();
  }

  async #fetchRoster(): Promise<void> {
    const result = await this.#xmpp.iqCaller.request(
      element("iq", { type: "get" }, element("query", { xmlns: NS.roster })),
      this.#o.tuning.requestTimeoutMs,
    );
    this.#o.roster.replace(rosterEntries(result.getChild("query", NS.roster)));
    this.#rosterLoaded = true;
  }

  /** After a failed attempt: give up when the first one cannot work, else try again later. */
  #failed(error: unknown, service: string): void {
    if (this.#first !== null && isPermissionError(error)) {
      // The permission set will never allow it: say which setting leads there, and stop.
      const refused = new PermissionRefusedError(
        `the permission set does not allow connecting to ${service || this.#o.domain} ` +
          `(${describeError(error)}): the XMPP server's SRV records or xmpp-host changed ` +
          `since the permissions were derived; run "deno task flags" or "deno task compile" ` +
          `again, or set xmpp-host and xmpp-port`,
        { cause: error },
      );
      // Not logged here: the caller reports it once, as the reason the process stops.
      this.#giveUp(refused);
      return;
    }
    if (this.#first !== null && isPermanentConnectError(error)) {
      this.#o.log.error("cannot log in to XMPP as {jid} at {service}: {error}", {
        jid: this.#o.jid,
        service: this.#o.service,
        error: describeError(error),
      });
      this.#giveUp(error);
      return;
    }
    const delay = this.scheduleReconnect();
    this.#o.log.warning(
      "XMPP connection to {service} failed: {error}; next try in {delay} ms",
      {
        service,
        error: describeError(error),
        delay,
        attempt: this.#failures,
      },
    );
  }

  /** Retrying cannot help: start() rejects, and the session stops. */
  #giveUp(error: unknown): void {
    this.#first?.reject(error);
    this.#first = null;
    // stop() waits for this attempt, so the session does not await it.
    this.#hooks.giveUp();
  }
}
