/**
 * The Fediverse side as one {@link NetworkAdapter}: the bot (sign-in, stream, catch-up, handing
 * events to the core) and the sender (the outbox's way out), over one {@link FediApi}.
 *
 * @module
 */
import { fediSessionEvents } from "../health/session_events.ts";
import type { Clock, InboundHandler, NetworkAdapter } from "../core/ports.ts";
import { FEDI } from "../core/types.ts";
import type { Store } from "../store/mod.ts";
import { systemClock } from "../time/clock.ts";
import { FediBot } from "./bot.ts";
import { FediSender, type FediSenderOptions } from "./sender.ts";
import { StatusEvents } from "./status_events.ts";
import { logger } from "../log.ts";
import { PeriodicRefresh, refreshServerInfo, SERVER_REFRESH_MS } from "./server_refresh.ts";

/** What the Fediverse adapter is built from: the sender's parts, and the bot's. */
export interface FediAdapterOptions extends Omit<FediSenderOptions, "log"> {
  readonly store: Store;
  /** Where inbound events go: the core. */
  readonly core: InboundHandler;
  /** Default: the process's clock. */
  readonly clock?: Clock;
}

/** The Fediverse adapter; `bot` is there for what only it has (events, `idle`). */
export interface FediAdapter extends NetworkAdapter {
  readonly bot: FediBot;
}

/** Builds the Fediverse adapter (not started). */
export function fediAdapter(o: FediAdapterOptions): FediAdapter {
  const { config, store, core, api } = o;
  const sender = new FediSender({
    api,
    config,
    i18n: o.i18n,
    limits: o.limits,
    languageOf: o.languageOf,
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.fetch === undefined ? {} : { fetch: o.fetch }),
  });
  const statusEvents = new StatusEvents({
    core,
    store,
    log: logger("fedi", "bot"),
    context: () => ({
      apInstance: config.apInstance,
      botId: bot.identity?.id ?? null,
      botAddress: config.fediHandle,
    }),
  });
  const bot: FediBot = new FediBot({
    config,
    store,
    core,
    api,
    timers: o.clock ?? systemClock,
    onStatusEvent: (e) => statusEvents.push(e),
  });
  // Limits and domain blocks are read at sign-in, then again on a timer, never per post.
  const refresh = new PeriodicRefresh(
    () => refreshServerInfo(api, config, store),
    o.clock ?? systemClock,
    SERVER_REFRESH_MS,
    logger("fedi"),
  );
  return {
    network: FEDI,
    sender,
    bot,
    start: async () => {
      await bot.start();
      refresh.start();
    },
    reconnected(listener) {
      const onEvent = () => listener();
      bot.addEventListener("reconnected", onEvent);
      return () => bot.removeEventListener("reconnected", onEvent);
    },
    session: (listener) => fediSessionEvents(bot, listener),
    async [Symbol.asyncDispose]() {
      refresh[Symbol.dispose]();
      await bot[Symbol.asyncDispose]();
      await statusEvents.idle();
    },
  };
}
