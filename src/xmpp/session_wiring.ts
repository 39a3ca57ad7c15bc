/**
 * How the XMPP session (session.ts) is wired to its `@xmpp/client` entity: the client with its
 * XEP-0198 helpers (count of handled stanzas, acknowledgements of sent ones, poison guard); what
 * the session listens to: client errors and status to the log, the lost link to the session; messages and presences to
 * the session's handler, acknowledged (XEP-0198 `h`, stream_keeper.ts) once handled; roster pushes
 * and disco#info answered; one XEP-0199 ping for the pinger (pinger.ts).
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { AckTracker } from "./ack_tracker.ts";
import { openClient } from "./client.ts";
import type { Clock } from "../core/ports.ts";
import { discoInfo } from "./disco.ts";
import { describeError } from "./errors.ts";
import { bareJid } from "./jid.ts";
import { NS } from "./ns.ts";
import type { PingOutcome } from "./pinger.ts";
import { PoisonGuard, type SmQueue } from "./poison.ts";
import { type Roster, rosterEntries } from "./roster.ts";
import type { SmStateStore } from "./sm_state.ts";
import { StreamKeeper } from "./stream_keeper.ts";
import type { XmppTuning } from "./tuning.ts";
import { element, type XmlElement, type XmppClient } from "./xml.ts";

/**
 * Receives a message or presence. `done` must be called once its handling is complete (the
 * core committed it, or it was ignored): only then is it acknowledged to the server.
 */
export type StanzaHandler = (stanza: XmlElement, done: () => void) => void;

/** What the session is made of (session.ts). */
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

/** The client, its count of handled stanzas and its acknowledgements of sent ones. */
export interface WiredClient {
  readonly xmpp: XmppClient;
  readonly keeper: StreamKeeper;
  readonly tracker: AckTracker;
}

/** Creates the client with its XEP-0198 helpers (stream_keeper.ts, ack_tracker.ts, poison.ts). */
export function wireClient(
  o: SessionOptions & {
    /** The XMPP domain, in U-labels. */
    readonly domain: string;
  },
): WiredClient {
  const xmpp = openClient({
    jid: o.jid,
    password: o.password,
    domain: o.domain,
    // Each attempt names its service (connect(service)); this one is only the default.
    service: typeof o.service === "string" ? o.service : "",
    resource: o.resource,
    stepTimeoutMs: o.tuning.stepTimeoutMs,
    ackRequestDelayMs: o.tuning.ackRequestDelayMs,
  });
  const keeper = new StreamKeeper(xmpp, { jid: o.jid, store: o.smStore, log: o.log });
  const tracker = new AckTracker(
    xmpp.streamManagement,
    o.timers,
    o.tuning.ackTimeoutMs,
    {
      size: o.tuning.sendWindow,
      ask: () => {
        xmpp.send(element("r", { xmlns: NS.sm })).catch(() => {});
      },
    },
  );
  // A stanza the server rejects as malformed is not resent by the session (poison.ts).
  new PoisonGuard(xmpp, xmpp.streamManagement as unknown as SmQueue, tracker, o.log);
  return { xmpp, keeper, tracker };
}

/** Client errors and status to the log; `onDisconnect` hears of each lost link. */
export function listenLink(x: XmppClient, log: Logger, onDisconnect: () => void): void {
  // Without an `error` listener the emitter would throw; failures of an attempt are handled
  // by its AttemptWatch, the rest only logged (a lost link also emits `disconnect`).
  x.on("error", (error: unknown) => {
    // A stream error (`conflict`: another client took our resource; `system-shutdown`...)
    // is worth the operator's attention; the rest shows as a failed attempt or a lost link.
    const level = (error as { name?: unknown }).name === "StreamError" ? "warning" : "debug";
    log[level]("XMPP client error: {error}", { error: describeError(error) });
  });
  x.on("status", (status: string) => log.debug("XMPP status {status}", { status }));
  x.on("disconnect", onDisconnect);
}

/** What {@link listenStanzas} hands stanzas to and answers IQs with. */
export interface StanzaListening {
  /** The bot's bare JID: roster pushes come from it. */
  readonly jid: string;
  readonly roster: Roster;
  readonly keeper: StreamKeeper;
  readonly handler: StanzaHandler;
  /** The XEP-0115 verification string of the moment. */
  readonly capsVer: () => string;
  readonly log: Logger;
}

/** Messages and presences to the handler; roster pushes and disco#info answered. */
export function listenStanzas(x: XmppClient, o: StanzaListening): void {
  x.on("stanza", (stanza: XmlElement) => {
    if (!stanza.is("message") && !stanza.is("presence")) return;
    const ticket = o.keeper.ticketOf(stanza);
    let completed = false;
    const done = () => {
      if (completed) return;
      completed = true;
      o.keeper.complete(ticket);
    };
    try {
      o.handler(stanza, done);
    } catch (error) {
      done();
      // Thrown here, it would break the client's parser: log it and go on.
      o.log.error("handling a <{name}/> failed: {error}", {
        name: stanza.name,
        error: describeError(error),
      });
    }
  });
  x.iqCallee.set(NS.roster, "query", (ctx) => {
    // Pushes come from our own account (or without `from`); refuse them from anyone else.
    const from = ctx.stanza.attrs.from;
    if (from !== undefined && bareJid(from) !== o.jid) return undefined;
    o.roster.update(rosterEntries(ctx.element));
    return true;
  });
  x.iqCallee.get(NS.discoInfo, "query", (ctx) => discoInfo(ctx.element.attrs.node, o.capsVer()));
}

/** What {@link pingServer} needs of the session. */
export interface Pinging {
  readonly domain: string;
  readonly timeoutMs: number;
  /** Whether the session is up: no ping otherwise, and a failure once it is down says nothing. */
  readonly ready: () => boolean;
  readonly log: Logger;
}

/** One ping: an answer, even an error, proves the link alive; silence or no write does not. */
export async function pingServer(x: XmppClient, o: Pinging): Promise<PingOutcome> {
  if (!o.ready()) return "alive";
  const iq = element("iq", { type: "get", to: o.domain }, element("ping", { xmlns: NS.ping }));
  try {
    await x.iqCaller.request(iq, o.timeoutMs);
    return "alive";
  } catch (error) {
    if ((error as { name?: unknown }).name === "StanzaError") return "alive";
    if (!o.ready()) return "alive";
    o.log.warning("the XMPP server did not answer a ping ({error}); reconnecting", {
      error: describeError(error),
    });
    return "dead";
  }
}
