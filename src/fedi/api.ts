/**
 * The one door to the bot's Mastodon server. Typed calls go through npm `masto` (its `$raw` form,
 * which gives the answer's headers too); the few answers masto cannot describe faithfully (an
 * empty 404 body, for one) go through {@link FediApi.getJson} on `fetch`. Either way each request:
 * - carries our `User-Agent` and the bot's token (never logged),
 * - waits for its turn at the {@link RateGate} and feeds the gate the answer's figures,
 * - fails as a {@link FediApiError},
 * - on 429 waits for the window's reset and is sent once more, unchanged (same Idempotency-Key).
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { createRestAPIClient, type mastodon } from "masto";
import type { Config } from "../config/mod.ts";
import { logger } from "../log.ts";
import { FediApiError, httpError, toFediApiError } from "./errors.ts";
import { RateGate } from "./rate_gate.ts";
import { sleep } from "../time/clock.ts";
import type { Clock } from "../core/ports.ts";

/** What a call receives to pass on to masto as its second argument. */
export interface CallMeta {
  readonly requestInit: { readonly headers: Record<string, string>; readonly signal?: AbortSignal };
}

/** An answer with its headers, as masto's `$raw` calls give it. */
export interface RawAnswer<T> {
  readonly headers: Headers;
  readonly data: T;
}

export interface CallOptions {
  /** Sent as `Idempotency-Key` (on every attempt). */
  readonly idempotencyKey?: string;
  /** Ends the call's waits (rate-limit pacing, a 429's reset) early, e.g. at the caller's exit. */
  readonly signal?: AbortSignal;
  /**
   * `media`: an upload, whose answers tell the media rate limit (its own window, 30 per 30
   * minutes on Mastodon): it waits for both gates and feeds only {@link FediApi.mediaGate}.
   */
  readonly bucket?: "media";
}

export interface FediApiOptions {
  readonly config: Config;
  readonly timers: Clock;
  readonly log?: Logger;
  /** Per request (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** The longest wait for a rate-limit reset before retrying inside a call (default 5 min). */
  readonly maxRateWaitMs?: number;
  /**
   * Also told each answer's headers, with the call's name (the budget shares read the rate
   * limits there, see share.ts).
   */
  readonly observe?: (what: string, headers: Headers) => void;
  /** `fetch` for the calls masto does not make (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** A small margin after a reset, for clocks that differ a little. */
const RESET_MARGIN_MS = 250;

export class FediApi implements Disposable {
  /** The masto client: use it inside {@link FediApi.call}. */
  readonly rest: mastodon.rest.Client;
  readonly gate: RateGate;
  /** Paces uploads by the media rate limit (see {@link CallOptions.bucket}). */
  readonly mediaGate: RateGate;
  readonly #config: Config;
  readonly #timers: Clock;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #maxRateWaitMs: number;
  readonly #fetch: typeof fetch;
  readonly #observe: (what: string, headers: Headers) => void;
  readonly #abort = new AbortController();

  constructor(opts: FediApiOptions) {
    this.#config = opts.config;
    this.#timers = opts.timers;
    this.#log = opts.log ?? logger("fedi", "api");
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#maxRateWaitMs = opts.maxRateWaitMs ?? 5 * 60_000;
    this.#fetch = opts.fetch ?? fetch;
    this.#observe = opts.observe ?? (() => {});
    this.gate = new RateGate({ timers: opts.timers });
    this.mediaGate = new RateGate({ timers: opts.timers });
    this.rest = createRestAPIClient({
      url: opts.config.apApiUrl,
      accessToken: opts.config.fediToken,
      timeout: this.#timeoutMs,
      requestInit: {
        headers: { "User-Agent": opts.config.userAgent },
        signal: this.#abort.signal,
      },
      log: "error",
    });
  }

  /** Aborted when the API is disposed: waits and requests end. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /**
   * Runs one masto `$raw` call (`fn` gets the meta to pass on: headers such as the
   * Idempotency-Key). Throws a {@link FediApiError}.
   */
  async call<T>(
    what: string,
    fn: (meta: CallMeta) => PromiseLike<RawAnswer<T>>,
    opts: CallOptions = {},
  ): Promise<T> {
    return (await this.callRaw(what, fn, opts)).data;
  }

  /** As {@link FediApi.call}, with the answer's headers (for `Link`). */
  async callRaw<T>(
    what: string,
    fn: (meta: CallMeta) => PromiseLike<RawAnswer<T>>,
    opts: CallOptions = {},
  ): Promise<RawAnswer<T>> {
    const headers: Record<string, string> = {};
    if (opts.idempotencyKey !== undefined) headers["Idempotency-Key"] = opts.idempotencyKey;
    const gates = opts.bucket === "media" ? [this.gate, this.mediaGate] : [this.gate];
    return await this.#withRetry(
      what,
      async () => {
        const answer = await fn({ requestInit: { headers } });
        gates[gates.length - 1]!.observe(answer.headers);
        this.#observe(what, answer.headers);
        return answer;
      },
      opts.signal,
      gates,
    );
  }

  /**
   * A GET on the bot's server with `fetch`, for answers masto cannot read (an empty 404, say).
   * Returns the status and the parsed JSON (null when the body is not JSON); 429 is retried as in
   * {@link FediApi.call}, and only 5xx and transport failures throw.
   */
  async getJson(what: string, path: string): Promise<{ status: number; data: unknown }> {
    return await this.#withRetry(what, async () => {
      const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#timeoutMs)]);
      const res = await this.#fetch(new URL(path, this.#config.apApiUrl + "/"), {
        headers: {
          "User-Agent": this.#config.userAgent,
          "Authorization": `Bearer ${this.#config.fediToken}`,
          "Accept": "application/json",
        },
        signal,
      });
      this.gate.observe(res.headers);
      this.#observe(what, res.headers);
      const text = await res.text();
      if (res.status === 429 || res.status >= 500) {
        throw httpError(what, res.status, res.headers, this.#timers.now());
      }
      let data: unknown = null;
      try {
        data = text === "" ? null : JSON.parse(text);
      } catch {
        data = null;
      }
      return { status: res.status, data };
    });
  }

  async #withRetry<T>(
    what: string,
    attempt: () => Promise<T>,
    callerSignal?: AbortSignal,
    gates: readonly RateGate[] = [this.gate],
  ): Promise<T> {
    const signal = callerSignal === undefined
      ? this.#abort.signal
      : AbortSignal.any([this.#abort.signal, callerSignal]);
    for (let round = 0;; round++) {
      for (const gate of gates) {
        await gate.acquire(signal).catch((e) => {
          throw toFediApiError(what, e, this.#timers.now());
        });
      }
      try {
        return await attempt();
      } catch (e) {
        const error = toFediApiError(what, e, this.#timers.now());
        if (error.headers !== null) {
          gates[gates.length - 1]!.observe(error.headers);
          this.#observe(what, error.headers);
        }
        if (error.status === 429 && round === 0 && !signal.aborted) {
          const wait = (error.retryAt ?? this.#timers.now()) - this.#timers.now() + RESET_MARGIN_MS;
          if (wait <= this.#maxRateWaitMs) {
            this.#log.info("Rate limited on {what}; retrying in {ms} ms", { what, ms: wait });
            try {
              await sleep(this.#timers, wait, signal);
            } catch {
              throw error;
            }
            continue;
          }
        }
        throw error;
      }
    }
  }

  [Symbol.dispose](): void {
    this.#abort.abort(new FediApiError("shutdown", null, "the bot is shutting down", false));
  }
}

export { FediApiError };
