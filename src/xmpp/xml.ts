/**
 * Typed access to the parts of `@xmpp/client` 0.14 that the adapter uses. The package ships no
 * type definitions, so this module states the shapes once (XML elements, the client entity, its
 * stream-management and IQ helpers) and every other file imports them from here.
 *
 * @module
 */
import { client as createXmppClient, jid as createJid, xml as createXml } from "@xmpp/client";

/** An `@xmpp/xml` (ltx) element, as far as this adapter reads and builds them. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: (XmlElement | string)[];
  is(name: string, xmlns?: string): boolean;
  getNS(): string | undefined;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildElements(): XmlElement[];
  getChildText(name: string, xmlns?: string): string | null;
  text(): string;
  append(child: XmlElement | string): XmlElement;
  toString(): string;
}

/** What an `xml()` child may be; `null`/`undefined`/`false` children are skipped. */
export type XmlChild = XmlElement | string | null | undefined | false;

/**
 * Characters XML 1.0 does not allow (most C0 controls, U+FFFE/U+FFFF, unpaired surrogates).
 * The server would close the stream on one of them (`not-well-formed`), and a retry would do it
 * again, so they are replaced before anything is sent.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` with every character that XML cannot carry replaced by U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, "\uFFFD");
}

/**
 * Builds an element: `element("message", { to }, element("body", {}, text))`. Every attribute
 * value and text child goes through {@link xmlSafe}, so whatever a builder is handed, what goes
 * on the wire is XML 1.0 (the serialiser escapes `<&"'>`).
 */
export function element(
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: XmlChild[]
): XmlElement {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) clean[key] = xmlSafe(value);
  }
  const build = createXml as unknown as (
    name: string,
    attrs: Record<string, string>,
    ...children: (XmlElement | string)[]
  ) => XmlElement;
  return build(
    name,
    clean,
    ...children.filter((c): c is XmlElement | string =>
      c !== null && c !== undefined && c !== false
    ).map((c) => typeof c === "string" ? xmlSafe(c) : c),
  );
}

/** A listener of {@link Emitter}; the arguments depend on the event. */
// deno-lint-ignore no-explicit-any
export type Listener = (...args: any[]) => void;

/** A Node-style event emitter (the entity and its stream-management plugin are ones). */
export interface Emitter {
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
}

/** The context an IQ handler of `iqCallee` is called with. */
export interface IqContext {
  /** The whole `<iq/>`; its `from` attribute is absent for requests of our own server. */
  readonly stanza: XmlElement;
  /** Its one payload element. */
  readonly element: XmlElement;
}

/** The XEP-0198 plugin: emits `ack` and `fail` with the stanza, and `resumed`. */
export interface StreamManagement extends Emitter {
  enabled: boolean;
  enableSent: boolean;
  id: string;
  /**
   * Received stanzas as the library counts them (`h` of its `<a/>` and `<resume/>`); the
   * session replaces it with its own count of handled stanzas (see stream_keeper.ts).
   */
  inbound: number;
  /** Our stanzas the server acknowledged (the base of its `<a h/>`). */
  outbound: number;
  /** Our stanzas sent and not acknowledged yet, in order. */
  outbound_q: unknown[];
  /** Delay before asking for an ack after a stanza went out (library default 250 ms). */
  requestAckDebounce: number;
  /** Periodic ack request (library default 30 s). */
  requestAckInterval: number;
  /** Disconnect when an ack request stays unanswered that long (library default 60 s). */
  timeout: number;
}

/** An `@xmpp/jid` JID, as the entity holds its own. */
export interface Jid {
  toString(): string;
  bare(): { toString(): string };
}

/** Parses a JID the way the library does (for `XmppClient.jid`). */
export function parseJid(text: string): Jid {
  return (createJid as unknown as (text: string) => Jid)(text);
}

/** What the adapter calls on the client's socket (a `net.Socket`, a `tls.TLSSocket`). */
export interface SocketLike {
  destroy?: () => void;
  setNoDelay?: (noDelay?: boolean) => unknown;
}

/** The `@xmpp/client` entity. */
export interface XmppClient extends Emitter {
  status: string;
  jid: Jid | null;
  /** A `net.Socket`, or after STARTTLS a wrapper whose `socket` is the `tls.TLSSocket`. */
  socket: SocketLike & { socket?: SocketLike | null } | null;
  options: Record<string, unknown>;
  /** Opens the socket to `service`. */
  connect(service: string): Promise<unknown>;
  /** Opens the stream (negotiation then goes on by itself). */
  open(options: { domain: string; lang?: string }): Promise<unknown>;
  /** Closes stream and socket, keeping stream-management state (a resumption may follow). */
  disconnect(): Promise<unknown>;
  /** Closes everything for good: status `offline`; unacknowledged stanzas are failed. */
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
  /** Writes several stanzas at once (used by stream management to resend after resuming). */
  sendMany(elements: XmlElement[]): Promise<void>;
  iqCaller: { request(element: XmlElement, timeout?: number): Promise<XmlElement> };
  iqCallee: {
    get(ns: string, name: string, handler: (ctx: IqContext) => unknown): void;
    set(ns: string, name: string, handler: (ctx: IqContext) => unknown): void;
  };
  reconnect: { stop(): void };
  streamManagement: StreamManagement;
}

/**
 * Called by the SASL step with the mechanisms both sides support; it must call `authenticate`
 * (or throw to refuse). `entity` tells whether the stream is encrypted.
 */
export type AuthenticateHook = (
  authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<
    void
  >,
  mechanisms: string[],
  fast: unknown,
  entity: { isSecure(): boolean },
) => Promise<void>;

/** Options of `client()` that this adapter passes. */
export interface XmppClientOptions {
  readonly service: string;
  readonly domain: string;
  readonly resource: string;
  /** Timeout of each stream step (open, STARTTLS, close), ms. */
  readonly timeout: number;
  readonly credentials: AuthenticateHook;
}

/** Creates the `@xmpp/client` entity (it does not connect yet). */
export function createClient(options: XmppClientOptions): XmppClient {
  return (createXmppClient as unknown as (o: XmppClientOptions) => XmppClient)(options);
}
