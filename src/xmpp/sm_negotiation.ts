/**
 * Whether XEP-0198 is settled on the current stream: after a new session the client enables
 * stream management right after binding, and acknowledgements can be counted on only once the
 * server answered (`<enabled/>` or `<failed/>`). A lost link settles it too.
 *
 * @module
 */
import { NS } from "./ns.ts";
import type { XmlElement, XmppClient } from "./xml.ts";

/** Watches one client's stream features and XEP-0198 answers. */
export class SmNegotiation {
  #offered = false;
  #pending: { promise: Promise<void>; resolve: () => void } | null = null;

  /** Starts listening on `client`. */
  constructor(client: XmppClient) {
    client.on("element", (el: XmlElement) => {
      if (el.is("features", NS.streams)) this.#offered = el.getChild("sm", NS.sm) !== undefined;
    });
    client.on("online", () => {
      // A new session: wait for the answer to the enable request, if one was possible.
      if (!this.#offered) {
        this.#pending = null;
        return;
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#pending = { promise, resolve };
    });
    client.on("nonza", (el: XmlElement) => {
      if (el.is("enabled", NS.sm) || el.is("failed", NS.sm)) this.settle();
    });
  }

  /** Resolves once the server answered the enable request (at once when none is pending). */
  async settled(): Promise<void> {
    await this.#pending?.promise;
  }

  /** Ends the wait (an answer came, or the link was lost). */
  settle(): void {
    this.#pending?.resolve();
    this.#pending = null;
  }
}
