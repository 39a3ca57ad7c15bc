/**
 * A scripted human XMPP user for integration tests, built on `@xmpp/client` (TCP + STARTTLS,
 * certificate verification on). Incoming messages, presences and session changes are buffered
 * in queues; tests wait for the next matching one, with a timeout that fails the test.
 *
 * TLS trust: call {@linkcode trustCaForNodeTls} with the server's CA first (see README.md).
 *
 * @module
 */

import { client, xml } from "@xmpp/client";
import { EventQueue } from "./event_queue.ts";
import type { ProsodyServer } from "./harness.ts";

/** The parts of an `@xmpp/xml` (ltx) element that tests read. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string | undefined>;
  is(name: string, xmlns?: string): boolean;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildText(name: string, xmlns?: string): string | null;
  toString(): string;
}

/** The parts of an `@xmpp/client` entity that this module uses (the package has no types). */
interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
}
interface XmppClient extends Emitter {
  status: string;
  jid: { toString(): string } | null;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
  iqCaller: { request(element: XmlElement, timeout?: number): Promise<XmlElement> };
  iqCallee: { set(ns: string, name: string, handler: (ctx: IqContext) => unknown): void };
  reconnect: Emitter & { stop(): void };
  streamManagement: Emitter & { enabled: boolean; id: string };
}
interface IqContext {
  /** The whole `<iq/>` (its `from` attribute is absent for pushes from our own server). */
  readonly stanza: XmlElement;
  /** Its payload. */
  readonly element: XmlElement;
}

const createClient = client as unknown as (options: Record<string, unknown>) => XmppClient;
const createElement = xml as unknown as (
  name: string,
  attrs?: Record<string, string>,
  ...children: (XmlElement | string)[]
) => XmlElement;

const NS_ROSTER = "jabber:iq:roster";

/** Options of {@linkcode XmppUser}. */
export interface XmppUserOptions {
  /** `xmpp://host:port`. */
  readonly service: string;
  /** The XMPP domain: sent in the stream header and verified against the TLS certificate. */
  readonly domain: string;
  /** Local part of the JID. */
  readonly username: string;
  readonly password: string;
  /** Resource to bind; the server picks one when absent. */
  readonly resource?: string;
  /** Default timeout of connect() and of every wait; default 10 s. */
  readonly timeoutMs?: number;
  /** Let `@xmpp/client` reconnect by itself after a transport loss (it retries every 1 s). */
  readonly autoReconnect?: boolean;
  /**
   * Once online, fetch the roster and send initial presence, as chat clients do (needed to
   * receive subscription requests, bare-JID chat and offline messages); default true.
   */
  readonly initialPresence?: boolean;
}

/** A received `<message/>`. */
export interface ReceivedMessage {
  readonly from: string;
  readonly to: string;
  /** `normal` when the attribute is absent. */
  readonly type: string;
  readonly id: string | undefined;
  /** Text of `<body/>`, or null without one. */
  readonly body: string | null;
  readonly stanza: XmlElement;
}

/** A received `<presence/>`; `type` is `available` when the attribute is absent. */
export interface ReceivedPresence {
  readonly from: string;
  readonly type: string;
  readonly stanza: XmlElement;
}

/** A roster entry. */
export interface RosterItem {
  readonly jid: string;
  readonly subscription: string;
  readonly ask: string | undefined;
  readonly name: string | undefined;
}

/** A change of the session: a new session (`online`), a resumed one, or a lost transport. */
export type SessionEvent =
  | { readonly kind: "online"; readonly jid: string }
  | { readonly kind: "resumed" }
  | { readonly kind: "disconnect"; readonly clean: boolean }
  | { readonly kind: "error"; readonly error: unknown };

/** The extra parts of an outgoing message. */
export interface SendExtra {
  /** Default `chat`. */
  readonly type?: string;
  /** Default: a random id. */
  readonly id?: string;
  /** Extra child elements, e.g. a XEP-0461 `<reply/>`. */
  readonly children?: readonly XmlElement[];
}

/** `xml(name, attrs, ...children)` from `@xmpp/client`, typed. */
export function element(
  name: string,
  attrs: Record<string, string> = {},
  ...children: (XmlElement | string)[]
): XmlElement {
  return createElement(name, attrs, ...children);
}

/** One test user with one connection. */
export class XmppUser implements AsyncDisposable {
  /** Bare JID. */
  readonly jid: string;
  /** Every `<message/>` received, in order. */
  readonly messages: EventQueue<ReceivedMessage>;
  /** Every `<presence/>` received, in order. */
  readonly presences: EventQueue<ReceivedPresence>;
  /** Session changes and client errors, in order. */
  readonly sessions: EventQueue<SessionEvent>;
  /** Roster pushes from the server, in order. */
  readonly rosterPushes: EventQueue<RosterItem>;
  readonly #options: XmppUserOptions;
  readonly #timeoutMs: number;
  readonly #xmpp: XmppClient;
  /** Whether a session was opened before: the next `online` comes from a reconnection. */
  #reconnected = false;

  constructor(options: XmppUserOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.jid = `${options.username}@${options.domain}`;
    this.messages = new EventQueue(`${this.jid} messages`);
    this.presences = new EventQueue(`${this.jid} presences`);
    this.sessions = new EventQueue(`${this.jid} session events`);
    this.rosterPushes = new EventQueue(`${this.jid} roster pushes`);
    this.#xmpp = createClient({
      service: options.service,
      domain: options.domain,
      username: options.username,
      password: options.password,
      ...(options.resource !== undefined ? { resource: options.resource } : {}),
    });
    if (options.autoReconnect !== true) this.#xmpp.reconnect.stop();
    this.#listen();
  }

  /** A user of `server` (service and domain taken from it). */
  static of(
    server: ProsodyServer,
    username: string,
    password: string,
    options: Partial<Omit<XmppUserOptions, "service" | "domain" | "username" | "password">> = {},
  ): XmppUser {
    return new XmppUser({
      ...options,
      service: server.service,
      domain: server.domain,
      username,
      password,
    });
  }

  /** Full JID once bound, else null. */
  get fullJid(): string | null {
    return this.#xmpp.jid?.toString() ?? null;
  }

  /** The `@xmpp/client` status: `online`, `offline`, `disconnect`, `connecting`... */
  get status(): string {
    return this.#xmpp.status;
  }

  /** Whether XEP-0198 stream management is enabled on the current stream. */
  get streamManagementEnabled(): boolean {
    return this.#xmpp.streamManagement.enabled;
  }

  /**
   * Connect, authenticate and bind; then fetch the roster and send initial presence (unless
   * `initialPresence` is false). Resolves with the full JID.
   * Rejects (with the client's error, e.g. a certificate error) after closing the connection.
   */
  async connect(): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.jid}: not online within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      await Promise.race([this.#xmpp.start(), deadline]);
    } catch (error) {
      await this.#closeTransport();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // connect() consumes the `online` event of the session it opened.
    const online = await this.sessions.next((e) => e.kind === "online", this.#timeoutMs, "online");
    await this.#announce();
    return online.kind === "online" ? online.jid : this.jid;
  }

  /** Send a message; resolves with its id once written to the socket. */
  async send(to: string, body: string, extra: SendExtra = {}): Promise<string> {
    const id = extra.id ?? crypto.randomUUID();
    await this.#xmpp.send(
      element(
        "message",
        { to, type: extra.type ?? "chat", id },
        element("body", {}, body),
        ...(extra.children ?? []),
      ),
    );
    return id;
  }

  /** The next message matching `filter` (default: one with a non-empty body). */
  nextMessage(
    filter: (m: ReceivedMessage) => boolean = (m) => (m.body ?? "").trim() !== "",
    timeoutMs: number = this.#timeoutMs,
  ): Promise<ReceivedMessage> {
    return this.messages.next(filter, timeoutMs, "matching message");
  }

  /** The next message with a body from `jid` (bare or full). */
  nextMessageFrom(jid: string, timeoutMs: number = this.#timeoutMs): Promise<ReceivedMessage> {
    return this.messages.next(
      (m) => sameBare(m.from, jid) && (m.body ?? "").trim() !== "",
      timeoutMs,
      `message from ${jid}`,
    );
  }

  /** Sends a stanza as built (a message without body: a reaction, say). */
  async sendStanza(stanza: XmlElement): Promise<void> {
    await this.#xmpp.send(stanza);
  }

  /** The next presence matching `filter`. */
  nextPresence(
    filter: (p: ReceivedPresence) => boolean,
    timeoutMs: number = this.#timeoutMs,
  ): Promise<ReceivedPresence> {
    return this.presences.next(filter, timeoutMs, "matching presence");
  }

  /** The next `online` (new session) or `resumed` event, e.g. after a server restart. */
  nextSession(timeoutMs: number = this.#timeoutMs): Promise<SessionEvent> {
    return this.sessions.next(
      (e) => e.kind === "online" || e.kind === "resumed",
      timeoutMs,
      "new or resumed session",
    );
  }

  /** Send a presence of `type` (subscribe, subscribed, unsubscribe, unsubscribed...) to `to`. */
  async sendPresence(to: string, type?: string): Promise<void> {
    await this.#xmpp.send(element("presence", type === undefined ? { to } : { to, type }));
  }

  /** Ask to see `jid`'s presence (a subscription request). */
  subscribe(jid: string): Promise<void> {
    return this.sendPresence(jid, "subscribe");
  }

  /** Accept `jid`'s subscription request. */
  approve(jid: string): Promise<void> {
    return this.sendPresence(jid, "subscribed");
  }

  /** Fetch the roster. */
  async roster(): Promise<RosterItem[]> {
    const result = await this.#xmpp.iqCaller.request(
      element("iq", { type: "get" }, element("query", { xmlns: NS_ROSTER })),
      this.#timeoutMs,
    );
    const query = result.getChild("query", NS_ROSTER);
    return (query?.getChildren("item") ?? []).map(rosterItem);
  }

  /**
   * Pings `to` (XEP-0199) and waits for the answer. Stanzas between two entities keep their
   * order: once a ping to a full JID is answered, what was sent to it before has reached it.
   */
  async ping(to: string): Promise<void> {
    await this.#xmpp.iqCaller.request(
      element("iq", { type: "get", to }, element("ping", { xmlns: "urn:xmpp:ping" })),
      this.#timeoutMs,
    );
  }

  /** Close the stream (and stop reconnecting); safe to call twice or after a server crash. */
  async disconnect(): Promise<void> {
    this.#xmpp.reconnect.stop();
    await this.#closeTransport();
    const closed = new Error(`${this.jid} disconnected`);
    this.messages.close(closed);
    this.presences.close(closed);
    this.sessions.close(closed);
    this.rosterPushes.close(closed);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /**
   * What a chat client does once online: fetch the roster, then send initial presence.
   * Prosody delivers subscription requests only to resources that fetched the roster
   * ("interested" resources, RFC 6121 2.2), and offline messages after initial presence.
   */
  async #announce(): Promise<void> {
    if (this.#options.initialPresence === false) return;
    await this.roster();
    await this.#xmpp.send(element("presence"));
  }

  async #closeTransport(): Promise<void> {
    if (this.#xmpp.status === "offline") return;
    try {
      await this.#xmpp.stop();
    } catch {
      // The transport may already be gone (server killed): nothing left to close.
    }
  }

  #listen(): void {
    const x = this.#xmpp;
    // Without an `error` listener an EventEmitter throws: transport faults must not crash tests.
    x.on("error", (error: unknown) => this.sessions.push({ kind: "error", error }));
    x.on("online", (jid: { toString(): string }) => {
      this.sessions.push({ kind: "online", jid: jid.toString() });
      // After a reconnect (a new session, not a resumed one) announce ourselves again.
      if (this.#reconnected) {
        this.#announce().catch((error) => this.sessions.push({ kind: "error", error }));
      }
      this.#reconnected = true;
    });
    x.streamManagement.on("resumed", () => this.sessions.push({ kind: "resumed" }));
    x.on("disconnect", (info: { clean: boolean } | undefined) => {
      this.sessions.push({ kind: "disconnect", clean: info?.clean ?? false });
    });
    x.on("stanza", (stanza: XmlElement) => {
      if (stanza.is("message")) this.messages.push(toMessage(stanza));
      else if (stanza.is("presence")) this.presences.push(toPresence(stanza));
    });
    // Answer roster pushes (RFC 6121 2.1.6) and keep them for tests.
    // (`ctx.from` is no help: @xmpp/middleware fills in the domain when `from` is absent.)
    x.iqCallee.set(NS_ROSTER, "query", (ctx) => {
      const from = ctx.stanza.attrs.from;
      if (from !== undefined && !sameBare(from, this.jid)) return undefined;
      for (const item of ctx.element.getChildren("item")) this.rosterPushes.push(rosterItem(item));
      return true;
    });
  }
}

function bare(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
}

function sameBare(a: string, b: string): boolean {
  return bare(a) === bare(b);
}

function toMessage(stanza: XmlElement): ReceivedMessage {
  return {
    from: stanza.attrs.from ?? "",
    to: stanza.attrs.to ?? "",
    type: stanza.attrs.type ?? "normal",
    id: stanza.attrs.id,
    body: stanza.getChildText("body"),
    stanza,
  };
}

function toPresence(stanza: XmlElement): ReceivedPresence {
  return { from: stanza.attrs.from ?? "", type: stanza.attrs.type ?? "available", stanza };
}

function rosterItem(item: XmlElement): RosterItem {
  return {
    jid: item.attrs.jid ?? "",
    subscription: item.attrs.subscription ?? "none",
    ask: item.attrs.ask,
    name: item.attrs.name,
  };
}
