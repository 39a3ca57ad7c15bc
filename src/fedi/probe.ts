/**
 * `--check --online`, Fediverse side: signs the bot in (the token's account must be the
 * configured one) and reads the instance (limits, streaming address), as a start does, and
 * posts nothing. The caller prints the lines.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import { systemClock } from "../time/clock.ts";
import { FediApi } from "./api.ts";
import { readServerLimits, streamingBase, verifyIdentity } from "./server_info.ts";

/** What the Fediverse server told about itself and the bot. */
export interface FediProbe {
  readonly lines: string[];
  /** The streaming address the bot would connect to. */
  readonly streamingUrl: string;
}

/** Signs in and reads the instance; throws `FediStartupError` for a refused token. */
export async function probeFedi(config: Config, timeoutMs = 15_000): Promise<FediProbe> {
  using api = new FediApi({ config, timers: systemClock, requestTimeoutMs: timeoutMs });
  const identity = await verifyIdentity(api, config);
  const limits = await readServerLimits(api, config);
  const streamingUrl = streamingBase(config, limits.streamingUrl);
  const lines = [
    `Fediverse: signed in at ${config.apApiUrl} as ${identity.address} (account ${identity.id}` +
    `${identity.locked ? ", locked: follows arrive as requests" : ""})`,
    `Fediverse: posts up to ${limits.maxCharacters} characters, ` +
    `${limits.charactersReservedPerUrl} per link (from ${
      limits.source === "config" ? "max-char-per-post" : `the instance, ${limits.source}`
    })`,
    `Fediverse: streaming at ${streamingUrl}` +
    (config.apStreamingUrl ? " (ap-streaming-url)" : limits.streamingUrl ? " (announced)" : ""),
  ];
  return { lines, streamingUrl };
}
