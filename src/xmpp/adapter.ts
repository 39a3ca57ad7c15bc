/**
 * The XMPP side as one {@link NetworkAdapter}: the bot (one c2s session with resumption, handing
 * events to the core) and its sender (the outbox's way out).
 *
 * @module
 */
import { xmppSessionEvents } from "../health/session_events.ts";
import type { Logger } from "@logtape/logtape";
import type { Clock, InboundHandler, NetworkAdapter } from "../core/ports.ts";
import { XMPP } from "../core/types.ts";
import { type BounceHandler, type ReceiptHandler, XmppBot, type XmppBotConfig } from "./bot.ts";
import type { SmStateStore } from "./sm_state.ts";
import type { Config } from "../config/mod.ts";
import { logUploadService } from "./upload_service.ts";

/** What the XMPP adapter is built from. */
export interface XmppAdapterOptions {
  readonly config: XmppBotConfig & Partial<Pick<Config, "mediaHosts">>;
  /** Where inbound events go: the core. */
  readonly core: InboundHandler;
  readonly log: Logger;
  /** Where the XEP-0198 session is kept, so the next run resumes it. */
  readonly smStore?: SmStateStore;
  /** Told when an error comes back for a message the bot sent. */
  readonly onBounce?: BounceHandler;
  /** Told when a XEP-0184 receipt comes for a message the bot sent. */
  readonly onReceipt?: ReceiptHandler;
  /** Default: the process's clock. */
  readonly clock?: Clock;
}

/** The XMPP adapter; `bot` is there for what only it has (session events, `idle`). */
export interface XmppAdapter extends NetworkAdapter {
  readonly bot: XmppBot;
}

/** Builds the XMPP adapter (not started). */
export function xmppAdapter(o: XmppAdapterOptions): XmppAdapter {
  const bot = new XmppBot({
    config: o.config,
    core: o.core,
    log: o.log,
    ...(o.smStore ? { smStore: o.smStore } : {}),
    ...(o.onBounce ? { onBounce: o.onBounce } : {}),
    ...(o.onReceipt ? { onReceipt: o.onReceipt } : {}),
    ...(o.clock ? { timers: o.clock } : {}),
    avatar: true,
  });
  return {
    network: XMPP,
    sender: bot.sender,
    bot,
    async start() {
      await bot.start();
      // Once per start, in the background: which upload service to list in `media-hosts`.
      const domain = o.config.xmppJid.split("@").pop() ?? "";
      void logUploadService((iq) => bot.request(iq), domain, o.config.mediaHosts ?? [], o.log);
    },
    reconnected: (listener) =>
      bot.onEvent((event) => {
        if (event === "online" || event === "resumed") listener();
      }),
    session: (listener) => xmppSessionEvents(bot, listener),
    [Symbol.asyncDispose]: () => bot[Symbol.asyncDispose](),
  };
}
