/**
 * One connection to the streaming API, subscribed to the `user` stream, keeping `notification`
 * events and the `status.update` and `delete` events (status_events.ts). masto does the subscription and reads the events; the WebSocket itself is opened here
 * (Deno's WebSocket, with our `User-Agent`: GoToSocial refuses a handshake without one) and handed
 * to masto through its `implementation` option, so that:
 * - a connection that cannot be made fails here, with a timeout, not in masto's endless retries;
 * - when the socket closes, masto is stopped at once: the bot reconnects itself, after a catch-up;
 * - we know when the subscription was sent, the moment from which the stream can be relied on.
 *
 * A connection is used once: after it ends, the bot opens a new one.
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { createStreamingAPIClient, type mastodon } from "masto";
import { sleep } from "../time/clock.ts";
import type { Clock, TimerHandle } from "../core/ports.ts";
import { errorText } from "../text/errors.ts";
import type { StatusEvent } from "./status_events.ts";

export interface StreamOptions {
  /** The streaming base URL (`wss://host`); `/api/v1/streaming` is added. */
  readonly streamingUrl: string;
  readonly token: string;
  readonly userAgent: string;
  readonly timers: Clock;
  /** How long the handshake may take. */
  readonly connectTimeoutMs: number;
  readonly log: Logger;
  readonly onNotification: (n: mastodon.v1.Notification) => void;
  /** A status was edited (`status.update`) or deleted (`delete`). */
  readonly onStatusEvent?: (event: StatusEvent) => void;
  /** Any frame arrived: the connection is alive. */
  readonly onActivity: () => void;
}

/** A WebSocket that tells when something is sent (masto's subscribe message). */
class BridgeSocket extends WebSocket {
  onSent: ((data: string) => void) | null = null;

  override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    super.send(data);
    if (typeof data === "string") this.onSent?.(data);
  }
}

/** What masto gets if it asks for a socket after the connection ended: one that is "closing". */
const ENDED_SOCKET = {
  readyState: 1,
  addEventListener(type: string, listener: () => void): void {
    if (type === "close") queueMicrotask(listener);
  },
  removeEventListener(): void {},
  send(): void {},
  close(): void {},
};

export class StreamConnection {
  /** Resolves once the WebSocket is open; rejects if the connection ends before. */
  readonly opened: Promise<void>;
  /** Resolves once masto subscribed to the stream; rejects if the connection ends before. */
  readonly subscribed: Promise<void>;
  /** Resolves with the reason once the connection ended (never rejects). */
  readonly ended: Promise<string>;
  readonly #opts: StreamOptions;
  readonly #ws: BridgeSocket;
  readonly #opened = Promise.withResolvers<void>();
  readonly #subscribed = Promise.withResolvers<void>();
  readonly #ended = Promise.withResolvers<string>();
  readonly #socketClosed = Promise.withResolvers<void>();
  /** Resolves once masto no longer waits on a timer of its own (its first connect delay). */
  readonly #mastoDone = Promise.withResolvers<void>();
  #client: mastodon.streaming.Client | null = null;
  #over = false;
  #connectTimer: TimerHandle | null = null;

  constructor(opts: StreamOptions) {
    this.#opts = opts;
    this.opened = this.#opened.promise;
    this.opened.catch(() => {});
    this.subscribed = this.#subscribed.promise;
    this.subscribed.catch(() => {});
    this.ended = this.#ended.promise;
    const url = new URL("/api/v1/streaming", opts.streamingUrl + "/");
    this.#ws = new BridgeSocket(url, {
      protocols: [opts.token],
      headers: { "User-Agent": opts.userAgent },
    });
    this.#ws.addEventListener("open", () => this.#onOpen());
    this.#ws.addEventListener("message", () => opts.onActivity());
    this.#ws.addEventListener("error", () => this.#end("connection error"));
    this.#ws.addEventListener("close", (e) => {
      this.#socketClosed.resolve();
      this.#end(`closed (code ${e.code})`);
    });
    this.#connectTimer = opts.timers.setTimeout(() => {
      this.#connectTimer = null;
      this.#end("no answer to the handshake");
    }, opts.connectTimeoutMs);
  }

  /** Ends the connection (idempotent). */
  close(reason: string): void {
    this.#end(reason);
  }

  /**
   * Resolves once the socket is closed and masto has let go of it, or after `maxMs`: lets a
   * shutdown leave no timer or socket behind.
   */
  async settled(maxMs: number): Promise<void> {
    const timeout = new AbortController();
    await Promise.race([
      Promise.all([this.#socketClosed.promise, this.#mastoDone.promise]),
      sleep(this.#opts.timers, maxMs, timeout.signal).catch(() => {}),
    ]);
    timeout.abort();
  }

  #onOpen(): void {
    if (this.#over) return;
    this.#clearConnectTimer();
    this.#opened.resolve();
    const ws = this.#ws;
    ws.onSent = (data) => {
      if (/"type"\s*:\s*"subscribe"/.test(data)) this.#subscribed.resolve();
    };
    let handedOut = false;
    const handOut = (): object => {
      const first = !handedOut && !this.#over;
      handedOut = true;
      this.#mastoDone.resolve();
      return first ? ws : ENDED_SOCKET;
    };
    // masto builds its socket with `new implementation(url, protocols)`: give it ours.
    const implementation = class {
      constructor() {
        return handOut();
      }
    };
    this.#client = createStreamingAPIClient({
      streamingApiUrl: this.#opts.streamingUrl,
      accessToken: this.#opts.token,
      implementation,
      retry: false,
      log: "error",
    });
    void this.#consume(this.#client.user.subscribe());
  }

  async #consume(subscription: mastodon.streaming.Subscription): Promise<void> {
    try {
      for await (const event of subscription) {
        if (event.event === "notification") this.#opts.onNotification(event.payload);
        else if (event.event === "status.update") {
          this.#opts.onStatusEvent?.({ kind: "update", status: event.payload });
        } else if (event.event === "delete") {
          this.#opts.onStatusEvent?.({ kind: "delete", id: String(event.payload) });
        }
      }
      this.#end("stream ended");
    } catch (e) {
      if (!this.#over) {
        this.#opts.log.debug("Stream error: {error}", {
          error: errorText(e),
        });
      }
      this.#end("stream error");
    }
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer !== null) {
      this.#opts.timers.clearTimeout(this.#connectTimer);
      this.#connectTimer = null;
    }
  }

  #end(reason: string): void {
    if (this.#over) return;
    this.#over = true;
    this.#clearConnectTimer();
    // Stop masto first, so that it does not open a socket of its own.
    if (this.#client === null) this.#mastoDone.resolve();
    else this.#client.close();
    if (this.#ws.readyState === WebSocket.CONNECTING || this.#ws.readyState === WebSocket.OPEN) {
      try {
        this.#ws.close();
      } catch {
        // Closing a socket that is going anyway.
      }
    }
    this.#opened.reject(new Error(`stream ${reason}`));
    this.#subscribed.reject(new Error(`stream ${reason}`));
    this.#ended.resolve(reason);
  }
}
