/**
 * Creates the `@xmpp/client` entity the way the bot needs it, with the library's behaviours
 * that do not suit a long-running bot on Deno changed:
 *
 * - authentication only on an encrypted stream (STARTTLS done and the certificate verified
 *   against the XMPP domain), SCRAM preferred, PLAIN only as a fallback over TLS;
 * - the library's own reconnection (every 1 s, forever) turned off: the session reconnects
 *   with backoff;
 * - the resend after a XEP-0198 resumption no longer hangs when there is nothing to resend (an
 *   empty write on a Deno TLS socket never calls back, so `resumed` was never reached);
 * - acknowledgements are asked for once a batch of stanzas is written, so a send learns its fate
 *   quickly;
 * - the socket sends at once (`TCP_NODELAY`): a stanza or an `<r/>` does not wait for the
 *   acknowledgement of the previous segment.
 *
 * @module
 */
import { InsecureStreamError } from "./errors.ts";
import { localOfJid } from "./jid.ts";
import { type AuthenticateHook, createClient, type XmppClient } from "./xml.ts";

export interface ClientOptions {
  /** The bot's bare JID. */
  readonly jid: string;
  readonly password: string;
  /** The XMPP domain: sent in the stream header and checked against the certificate. */
  readonly domain: string;
  /** `xmpp://host:port`. */
  readonly service: string;
  readonly resource: string;
  /** Timeout of each stream step (open, STARTTLS, close). */
  readonly stepTimeoutMs: number;
  /** Delay before asking for an acknowledgement after a stanza went out. */
  readonly ackRequestDelayMs: number;
}

/** The SASL mechanism to use among those both sides support, or undefined. */
export function chooseMechanism(mechanisms: readonly string[]): string | undefined {
  return mechanisms.find((m) => m.startsWith("SCRAM-")) ?? mechanisms.find((m) => m === "PLAIN");
}

export function openClient(options: ClientOptions): XmppClient {
  const username = localOfJid(options.jid);
  const { password } = options;
  const credentials: AuthenticateHook = async (authenticate, mechanisms, _fast, entity) => {
    if (!entity.isSecure()) throw new InsecureStreamError();
    const mechanism = chooseMechanism(mechanisms);
    if (mechanism === undefined) {
      throw new Error(`the server offers no SASL mechanism we use (${mechanisms.join(", ")})`);
    }
    await authenticate({ username, password }, mechanism);
  };
  const xmpp = createClient({
    service: options.service,
    domain: options.domain,
    resource: options.resource,
    timeout: options.stepTimeoutMs,
    credentials,
  });
  xmpp.reconnect.stop();
  // Direct TLS (xmpps://, XEP-0368): the certificate must be the XMPP domain's, whatever host
  // the SRV record pointed to, and the server learns which domain is wanted (SNI).
  const entity = xmpp as unknown as { socketParameters: (service: string) => object | undefined };
  const socketParameters = entity.socketParameters.bind(xmpp);
  entity.socketParameters = (service: string) => {
    const params = socketParameters(service);
    return service.startsWith("xmpps:") && params
      ? { ...params, servername: options.domain }
      : params;
  };
  const sendMany = xmpp.sendMany.bind(xmpp);
  xmpp.sendMany = (elements) => elements.length === 0 ? Promise.resolve() : sendMany(elements);
  xmpp.streamManagement.requestAckDebounce = options.ackRequestDelayMs;
  // On the TCP socket as soon as it is open; the TLS socket after STARTTLS sits on the same one.
  xmpp.on("connect", () => noDelay(xmpp.socket));
  xmpp.on("online", () => noDelay(xmpp.socket));
  return xmpp;
}

/** Turns Nagle's algorithm off on the client's socket and the one it wraps, if any. */
export function noDelay(socket: XmppClient["socket"]): void {
  if (socket === null) return;
  for (const s of [socket, socket.socket]) {
    try {
      s?.setNoDelay?.(true);
    } catch {
      // A socket that is already closed: the next connection sets it again.
    }
  }
}

/**
 * Destroys the client's socket at once (no closing handshake with a server that may be gone):
 * a plain `net.Socket`, or `@xmpp/tls`'s wrapper, which has no `destroy` of its own but holds
 * the `tls.TLSSocket` (destroying it closes the TCP socket too, and the wrapper reports the
 * close to the client, which then emits `disconnect`).
 */
export function destroySocket(socket: XmppClient["socket"]): void {
  if (socket === null) return;
  const target = socket.socket ?? socket;
  target.destroy?.();
}
