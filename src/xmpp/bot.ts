/**
 * The XMPP bot: one persistent session of the bot account, what it receives handed to the core
 * one event at a time, and the outbox's sender for XMPP.
 *
 * @example Wiring (as src/xmpp/adapter.ts does it; src/compose.ts builds the adapter)
 * ```ts
 * await using bot = new XmppBot({
 *   config,
 *   core,
 *   log: logger("xmpp"),
 *   onBounce: (messageId, _condition, from) => outbox.reportBounce(messageId, from),
 * });
 * await bot.start(); // rejects on wrong credentials or an untrusted certificate
 * const worker = new OutboxWorker({ outbox, sender: bot.sender });
 * ```
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config/mod.ts";
import type { InboundHandler, NetworkSender } from "../core/ports.ts";
import { describeError } from "./errors.ts";
import { readStanza } from "./inbound.ts";
import { baseMessageId } from "./outbound.ts";
import { AvatarKeeper, type AvatarOutcome } from "./avatar.ts";
import { XmppSender } from "./sender.ts";
import { type SessionEvent, XmppSession } from "./session.ts";
import { MemorySmStateStore, type SmStateStore } from "./sm_state.ts";
import { DEFAULT_TUNING, type XmppTuning } from "./tuning.ts";
import { systemClock } from "../time/clock.ts";
import type { Clock } from "../core/ports.ts";
import { denoSrvLookup, srvDomainOf, type SrvLookup, TargetRotation } from "./srv.ts";
import type { XmlElement } from "./xml.ts";

/** The configuration the bot reads. */
export type XmppBotConfig =
  & Pick<Config, "xmppJid" | "xmppPassword" | "xmppHost" | "xmppPort" | "xmppCaFile">
  & Partial<Pick<Config, "xmppSrv">>;

/** Called when an error comes back for a message we sent. */
export type BounceHandler = (
  /** The id of the message (the first stanza of a delivery; attachments map to it). */
  messageId: string,
  /** The RFC 6120 condition, e.g. `service-unavailable`, `remote-server-not-found`. */
  condition: string,
  /** The bare JID the error came from; check it is the message's recipient. */
  from: string,
) => void;

/** Called when a XEP-0184 receipt comes for a message we sent. */
export type ReceiptHandler = (
  /** The id of the message confirmed (the first stanza of a delivery). */
  messageId: string,
  /** The bare JID whose client confirmed it; check it is the message's recipient. */
  from: string,
) => void;

export interface XmppBotOptions {
  readonly config: XmppBotConfig;
  readonly core: InboundHandler;
  readonly log: Logger;
  /** Clock for reconnection, pings and acknowledgement deadlines (default: the real ones). */
  readonly timers?: Clock;
  /** [0, 1) for the reconnection jitter (default `Math.random`). */
  readonly random?: () => number;
  readonly onBounce?: BounceHandler;
  /** Told about each XEP-0184 receipt (default: nothing). */
  readonly onReceipt?: ReceiptHandler;
  /**
   * Publish the avatar of assets/ when the account has none (avatar.ts; default false, the
   * adapter turns it on); `onAvatar` hears how it went on each new session.
   */
  readonly avatar?: boolean;
  readonly onAvatar?: (outcome: AvatarOutcome) => void;
  /** Changes to the session timings (tests shorten them). */
  readonly tuning?: Partial<XmppTuning>;
  /**
   * The resource to bind (default `xmpp-ap-bridge`). A fixed one makes a restarted bot replace
   * its previous session instead of leaving it around.
   */
  readonly resource?: string;
  /**
   * Where the XEP-0198 session (id, handled count) is kept between runs, so that a restarted
   * bot resumes it (default: in memory, nothing survives the process).
   */
  readonly smStore?: SmStateStore;
  /**
   * How SRV records are looked up when `xmpp-host` is unset (default: `Deno.resolveDns` with
   * the system's resolver; tests point it at a DNS server of their own).
   */
  readonly srvLookup?: SrvLookup;
}

export class XmppBot implements AsyncDisposable {
  /** Sends the core's XMPP effects (for the outbox). */
  readonly sender: NetworkSender;
  readonly #session: XmppSession;
  readonly #core: InboundHandler;
  readonly #log: Logger;
  readonly #onBounce: BounceHandler;
  readonly #onReceipt: ReceiptHandler;
  /** Inbound events are handled one after the other, in the order they arrived. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: XmppBotOptions) {
    const { config } = options;
    this.#core = options.core;
    this.#log = options.log;
    this.#onBounce = options.onBounce ?? (() => {});
    this.#onReceipt = options.onReceipt ?? (() => {});
    this.#session = new XmppSession({
      jid: config.xmppJid,
      password: config.xmppPassword,
      service: config.xmppSrv
        ? srvService(config, options)
        : serviceUrl(config.xmppHost, config.xmppPort),
      resource: options.resource ?? "xmpp-ap-bridge",
      caFile: config.xmppCaFile,
      log: options.log,
      timers: options.timers ?? systemClock,
      random: options.random ?? Math.random,
      tuning: { ...DEFAULT_TUNING, ...options.tuning },
      smStore: options.smStore ?? new MemorySmStateStore(),
    });
    this.#session.onStanza((stanza, done) => this.#receive(stanza, done));
    if (options.avatar) {
      const keeper = new AvatarKeeper(this.#session, options.log, options.onAvatar);
      this.#session.onEvent((event) => {
        if (event === "online") void keeper.online();
      });
    }
    const { sendWindow } = { ...DEFAULT_TUNING, ...options.tuning };
    this.sender = new XmppSender(this.#session, options.log, sendWindow);
  }

  /**
   * Connects; resolves once the first session is online. Rejects when logging in cannot work
   * (credentials refused, certificate not trusted, no encryption offered); network trouble is
   * retried with backoff meanwhile.
   */
  start(): Promise<void> {
    return this.#session.start();
  }

  /** Sends an IQ request over the session; rejects on error, timeout or when offline. */
  request(iq: XmlElement): Promise<XmlElement> {
    return this.#session.request(iq);
  }

  /** Whether a session is up; the sender fails at once (transient) when it is not. */
  get ready(): boolean {
    return this.#session.ready;
  }

  /** Listens to `online`, `resumed`, `offline` and `stopped`; returns the unsubscribe function. */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    return this.#session.onEvent(listener);
  }

  /** Resolves when a session is up (at once if one is); rejects if the bot stops first. */
  whenReady(): Promise<void> {
    return this.#session.whenReady();
  }

  /** Resolves once every inbound event received so far has been handled. */
  async settled(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.#queue;
      await last;
    } while (last !== this.#queue);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#session.stop();
    await this.settled();
  }

  /**
   * `done` acknowledges the stanza to the server (XEP-0198): called once the core committed
   * the event, or at once for what goes no further. A failed handling counts as done too (it is
   * logged): otherwise one event the core always refuses would hold back every later one.
   */
  #receive(stanza: XmlElement, done: () => void): void {
    const event = readStanza(stanza, this.#session.jid);
    switch (event.kind) {
      case "ignore":
        this.#log.debug("ignored a <{name}/> stanza: {reason}", {
          name: stanza.name,
          reason: event.reason,
        });
        done();
        return;
      case "bounce":
        this.#log.info("the XMPP server returned a message we sent: {condition}", {
          id: event.id,
          condition: event.condition,
          from: event.from,
        });
        try {
          this.#onBounce(baseMessageId(event.id), event.condition, event.from);
        } catch (error) {
          this.#log.error("the bounce handler failed: {error}", { error: describeError(error) });
        }
        done();
        return;
      case "receipt":
        try {
          this.#onReceipt(baseMessageId(event.id), event.from);
        } catch (error) {
          this.#log.error("the receipt handler failed: {error}", { error: describeError(error) });
        }
        done();
        return;
      case "inbound": {
        const { inbound, dedupeKey } = event;
        if (event.oversize) {
          this.#log.info("an oversized XMPP message from {from} goes to the core cut short", {
            from: inbound.from.address,
          });
        }
        this.#queue = this.#queue.then(async () => {
          try {
            await this.#core.handle(inbound, dedupeKey);
          } catch (error) {
            this.#log.error("handling an XMPP {kind} from {from} failed: {error}", {
              kind: inbound.kind,
              from: inbound.from.address,
              error: describeError(error),
            });
          } finally {
            done();
          }
        });
        return;
      }
    }
  }
}

/** `xmpp://host:port` (an IPv6 address in brackets). */
/** Each attempt's service from the SRV records of the JID's domain (srv.ts). */
function srvService(config: XmppBotConfig, options: XmppBotOptions): () => Promise<string> {
  const rotation = new TargetRotation(
    srvDomainOf(config.xmppJid),
    config.xmppPort,
    options.srvLookup ?? denoSrvLookup(),
    options.random ?? Math.random,
  );
  return () => rotation.next();
}

export function serviceUrl(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `xmpp://${h}:${port}`;
}
