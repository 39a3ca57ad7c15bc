/**
 * The Fediverse side of the bridge: import from here.
 *
 * src/compose.ts builds, in this order: a {@link FediApi} (REST, rate limits), a
 * {@link NodeInfoClient} and a {@link MastoDirectory} (the core's `fedi` port), then the adapter
 * (src/fedi/adapter.ts): a {@link FediSender} (the outbox's sender for the Fediverse) and a
 * {@link FediBot} (sign-in, stream, catch-up) handing inbound events to the core.
 * `fediLimitsFromMeta` is the core's `fediLimits`, in either process.
 *
 * @module
 */
export { type CallMeta, type CallOptions, FediApi, type FediApiOptions } from "./api.ts";
export { type FediAdapter, fediAdapter, type FediAdapterOptions } from "./adapter.ts";
export { FediBot, type FediBotOptions, type NotificationEventDetail } from "./bot.ts";
export { MastoDirectory, type MastoDirectoryOptions, serverBaseUrl } from "./directory.ts";
export { FediApiError } from "./errors.ts";
export { htmlToText } from "../text/html.ts";
export type { Outcome } from "./inbound.ts";
export { domainBlocksFromMeta, fediLimitsFromMeta, META } from "./meta_keys.ts";
export { netGranted, NodeInfoClient, type NodeInfoOptions } from "./nodeinfo.ts";
export { FediSender, type FediSenderOptions } from "./sender.ts";
export { type BotIdentity, FediStartupError } from "./server_info.ts";
export { systemClock } from "../time/clock.ts";
export type { Clock, TimerHandle } from "../core/ports.ts";
