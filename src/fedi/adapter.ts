/**
 * The Fediverse side as one {@link NetworkAdapter}: the bot (sign-in, stream, catch-up, handing
 * events to the core) and the sender (the outbox's way out), over one {@link FediApi}.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Clock, FediLimits, InboundHandler, NetworkAdapter } from "../core/ports.ts";
import { type Account, FEDI } from "../core/types.ts";
import type { I18n } from "../i18n.ts";
import type { Store } from "../store/store.ts";
import { systemClock } from "../time/clock.ts";
import type { FediApi } from "./api.ts";
import { FediBot } from "./bot.ts";
import { FediSender } from "./sender.ts";

/** What the Fediverse adapter is built from. */
export interface FediAdapterOptions {
  readonly config: Config;
  readonly store: Store;
  /** Where inbound events go: the core. */
  readonly core: InboundHandler;
  readonly api: FediApi;
  readonly i18n: I18n;
  /** The server's posting limits (the core's `fediLimits`). */
  readonly limits: () => FediLimits;
  /** The language an account reads (for the texts the sender adds). */
  readonly languageOf: (account: Account) => string;
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
  });
  const bot = new FediBot({ config, store, core, api, timers: o.clock ?? systemClock });
  return {
    network: FEDI,
    sender,
    bot,
    start: () => bot.start(),
    reconnected(listener) {
      const onEvent = () => listener();
      bot.addEventListener("reconnected", onEvent);
      return () => bot.removeEventListener("reconnected", onEvent);
    },
    [Symbol.asyncDispose]: () => bot[Symbol.asyncDispose](),
  };
}
