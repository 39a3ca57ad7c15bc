/**
 * The `status.update` and `delete` events of the bot's user stream: a Fediverse user edited or
 * deleted a status. Those the bridge carried to XMPP become `amend` events for the core (an XMPP
 * correction or retraction of the copies); the others are left alone.
 *
 * The bound: these events are not notifications, so the catch-up cannot read them back. An edit
 * or deletion made while the stream is down (a reconnection, a restart) is lost, except for an
 * edit that the server also announces as an `update` notification (Mastodon sends those only to
 * accounts that boosted the status; notification.ts reads them, and the core's version key
 * keeps the two from going out twice). The same edit or deletion streamed twice goes out once.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { mastodon } from "masto";
import type { InboundHandler } from "../core/ports.ts";
import { type AmendInbound, FEDI, XMPP } from "../core/types.ts";
import type { Store } from "../store/mod.ts";
import { errorText } from "../text/errors.ts";
import { accountAddress, editedStatus, type ReadContext } from "./notification.ts";

/** A status event of the user stream. */
export type StatusEvent =
  | { readonly kind: "update"; readonly status: mastodon.v1.Status }
  | { readonly kind: "delete"; readonly id: string };

export interface StatusEventOptions {
  readonly core: InboundHandler;
  readonly store: Pick<Store, "conversations">;
  readonly log: Logger;
  readonly context: () => ReadContext;
}

/** Reads the status events, in the order they came, and hands the bridged ones to the core. */
export class StatusEvents {
  #chain: Promise<void> = Promise.resolve();

  constructor(readonly opts: StatusEventOptions) {}

  push(event: StatusEvent): void {
    const inbound = this.read(event);
    if (inbound === null) return;
    this.#chain = this.#chain.then(() => this.#handle(inbound));
  }

  /** Resolves once every event pushed so far is handled. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  /** The core's event for `event`, or null when the bridge has nothing to do with it. */
  read(event: StatusEvent): AmendInbound | null {
    const ctx = this.opts.context();
    if (event.kind === "update") {
      const s = event.status;
      const address = accountAddress(s.account.acct, ctx.apInstance);
      if (s.account.id === ctx.botId || address === ctx.botAddress) return null;
      if (s.visibility !== "direct") return null;
      return editedStatus(s, { network: FEDI, address }, ctx.apInstance);
    }
    const author = this.opts.store.conversations.senderOfSource(XMPP, event.id);
    if (author === null) return null;
    return {
      kind: "amend",
      action: "retract",
      from: { network: FEDI, address: author },
      target: event.id,
      text: "",
      reactions: [],
      lang: null,
      extras: null,
      version: "deleted",
    };
  }

  async #handle(inbound: AmendInbound): Promise<void> {
    try {
      await this.opts.core.handle(inbound, null);
    } catch (e) {
      this.opts.log.warning("A status {action} could not be handled: {error}", {
        action: inbound.action,
        error: errorText(e),
      });
    }
  }
}
