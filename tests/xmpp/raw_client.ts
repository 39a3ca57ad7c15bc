/**
 * A bare XMPP connection for sending stanzas a chat client never would (no body, an error,
 * group chat to a user): no roster, no presence, no reconnection.
 *
 * @module
 */
import { createClient, type XmlElement, type XmppClient } from "../../src/xmpp/xml.ts";
import type { ProsodyServer } from "../prosody/harness.ts";

export class RawClient implements AsyncDisposable {
  readonly #xmpp: XmppClient;

  private constructor(xmpp: XmppClient) {
    this.#xmpp = xmpp;
  }

  /** Logs in as `user` with resource `raw` (the server's CA must be trusted already). */
  static async connect(server: ProsodyServer, user: string, password: string): Promise<RawClient> {
    const xmpp = createClient({
      service: server.service,
      domain: server.domain,
      resource: "raw",
      timeout: 5_000,
      credentials: async (authenticate, mechanisms) => {
        await authenticate({ username: user, password }, mechanisms[0]!);
      },
    });
    xmpp.reconnect.stop();
    xmpp.on("error", () => {});
    const online = new Promise<void>((resolve) => xmpp.on("online", () => resolve()));
    await xmpp.connect(server.service);
    await xmpp.open({ domain: server.domain });
    await online;
    return new RawClient(xmpp);
  }

  /** Writes `stanza`. */
  send(stanza: XmlElement): Promise<void> {
    return this.#xmpp.send(stanza);
  }

  /** An IQ round trip: when its answer is back, everything sent before was handled. */
  request(iq: XmlElement): Promise<XmlElement> {
    return this.#xmpp.iqCaller.request(iq, 10_000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.#xmpp.stop();
    } catch {
      // Already gone.
    }
  }
}
