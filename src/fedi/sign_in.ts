/**
 * Signing the Fediverse bot in: reads the server's settings (who the bot is, where the stream is),
 * and on the first start sets the notification marker, retrying while the server cannot be
 * reached.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Config } from "../config/mod.ts";
import type { Clock } from "../core/ports.ts";
import type { Store } from "../store/mod.ts";
import { errorText } from "../text/errors.ts";
import { sleep } from "../time/clock.ts";
import type { FediApi } from "./api.ts";
import { newestNotificationId } from "./catch_up.ts";
import { FediApiError } from "./errors.ts";
import { isPermissionError, PermissionRefusedError } from "../permission_error.ts";
import type { NotificationInlet } from "./inbound.ts";
import { type BotIdentity, FediStartupError, readServerSettings } from "./server_info.ts";

/** What signing in needs. */
export interface SignInParts {
  readonly api: FediApi;
  readonly config: Config;
  readonly store: Store;
  readonly inlet: NotificationInlet;
  readonly log: Logger;
  readonly timers: Clock;
  /** Aborted when the bot closes: the retries stop. */
  readonly signal: AbortSignal;
  /** The delay before retry number `attempt` (0 first). */
  readonly backoff: (attempt: number) => number;
}

/**
 * Signs in and reads the server's settings, retrying while the server cannot be reached. Throws
 * a {@link FediStartupError} for what only the operator can fix (a refused token, the token of
 * another account), and the signal's reason when the bot closes meanwhile.
 */
export async function signIn(
  parts: SignInParts,
): Promise<{ identity: BotIdentity; streamingUrl: string }> {
  const { api, config, store, inlet, log } = parts;
  for (let attempt = 0;; attempt++) {
    try {
      const settings = await readServerSettings(api, config, store, log);
      const marker = inlet.marker;
      if (marker === null) {
        // First start: what happened before the bridge existed is not ours to answer.
        const newest = await newestNotificationId(api);
        inlet.setMarker(newest ?? "0");
        inlet.setFloor(newest ?? "0");
        log.info("First start: notifications up to {id} are left alone", {
          id: newest ?? "none",
        });
      } else if (inlet.floor === null) {
        // A database from before catch-ups read behind the marker: what it left there stays.
        inlet.setFloor(marker);
      }
      return { identity: settings.identity, streamingUrl: settings.streamingUrl };
    } catch (e) {
      if (e instanceof FediStartupError || parts.signal.aborted) throw e;
      if (isPermissionError(e)) {
        throw new PermissionRefusedError(
          `the permission set does not allow the Fediverse server at ${parts.config.apApiUrl} ` +
            `(${errorText(e)}): derive the permissions again for ap-api-url`,
          { cause: e },
        );
      }
      if (e instanceof FediApiError && e.permanent) {
        throw new FediStartupError(`Cannot start the Fediverse bot: ${e.message}`);
      }
      const delay = parts.backoff(attempt);
      log.warning(
        "The Fediverse server at {url} cannot be reached ({error}); retrying in {ms} ms",
        {
          url: config.apApiUrl,
          error: errorText(e),
          ms: delay,
        },
      );
      await sleep(parts.timers, delay, parts.signal);
    }
  }
}

/** The one error a streaming host outside the permission set ends the start with. */
export function streamingRefused(url: string | null, e: unknown): PermissionRefusedError {
  return new PermissionRefusedError(
    `the permission set does not allow the streaming API at ${url} (${errorText(e)}). The ` +
      `server announces its streaming on a host the permissions were not derived for: run ` +
      `"deno task flags" or "deno task compile" again, or set ap-streaming-url to the address ` +
      `to use and derive the permissions again`,
    { cause: e },
  );
}
