/**
 * The streaming API: a multiplexed WebSocket at `/api/v1/streaming` (streams
 * chosen by `?stream=` or `{"type":"subscribe","stream":...}` messages) and
 * server-sent events at `/api/v1/streaming/user[/notification]`, with the
 * message shapes of Mastodon's streaming server.
 *
 * Heartbeats: event streams get a `:thump` comment every `sseHeartbeatMs`.
 * WebSocket pings are left to Deno (`idleTimeout` of `Deno.upgradeWebSocket`):
 * Deno pings a client that has been silent for half the timeout and closes
 * the socket when no pong follows; the JavaScript WebSocket API cannot send
 * ping frames on demand, so unlike Mastodon there is no fixed 30 s ping.
 */

import type { StreamDisorder } from "./disorder.ts";

export type StreamEvent = "update" | "delete" | "notification" | "status.update";

const CHANNELS = new Set([
  "user",
  "user:notification",
  "public",
  "public:media",
  "public:local",
  "public:local:media",
  "public:remote",
  "public:remote:media",
  "hashtag",
  "hashtag:local",
  "list",
  "direct",
]);

/** Channels that carry an event; the others are accepted but stay silent here. */
function channelsFor(event: StreamEvent): string[] {
  return event === "notification" ? ["user", "user:notification"] : ["user"];
}

interface Subscription {
  channel: string;
  /** The `stream` array of the messages, e.g. `["hashtag", "foo"]`. */
  name: string[];
}

interface WsClient {
  kind: "ws";
  accountId: string;
  socket: WebSocket;
  subscriptions: Map<string, Subscription>;
}

interface SseClient {
  kind: "sse";
  accountId: string;
  channel: string;
  write(text: string): void;
  close(): void;
}

type Client = WsClient | SseClient;

interface Waiter {
  accountId: string;
  channel: string | null;
  resolve(): void;
}

export interface StreamHubOptions {
  wsIdleTimeoutSeconds: number;
  sseHeartbeatMs: number;
  /** Called when a stream opens, closes or changes its subscriptions. */
  onChange(): void;
}

export class StreamHub {
  #clients = new Set<Client>();
  #waiters: Waiter[] = [];
  /** Test-only: notification events go through it (out of order, late, lost). */
  disorder: StreamDisorder | null = null;

  constructor(private readonly options: StreamHubOptions) {}

  /** Upgrades an authenticated request; `query` may name a first stream. */
  upgrade(req: Request, accountId: string, query: URLSearchParams): Response {
    const offered = req.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim();
    const { socket, response } = Deno.upgradeWebSocket(req, {
      idleTimeout: this.options.wsIdleTimeoutSeconds,
      ...(offered ? { protocol: offered } : {}),
    });
    const client: WsClient = { kind: "ws", accountId, socket, subscriptions: new Map() };
    socket.addEventListener("open", () => {
      this.#clients.add(client);
      const stream = query.get("stream");
      if (stream !== null) this.#subscribe(client, stream, Object.fromEntries(query));
      else this.options.onChange();
    });
    socket.addEventListener("message", (e) => this.#onMessage(client, e));
    const gone = () => {
      if (this.#clients.delete(client)) this.options.onChange();
    };
    socket.addEventListener("close", gone);
    socket.addEventListener("error", gone);
    return response;
  }

  /** An event stream for `user` or `user:notification`. */
  eventStream(accountId: string, channel: string): Response {
    let timer: ReturnType<typeof setInterval> | undefined;
    let client: SseClient | undefined;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const c: SseClient = {
          kind: "sse",
          accountId,
          channel,
          write: (text) => controller.enqueue(encoder.encode(text)),
          close: () => {
            clearInterval(timer);
            if (this.#clients.delete(c)) this.options.onChange();
            try {
              controller.close();
            } catch { /* already closed */ }
          },
        };
        client = c;
        c.write(":)\n");
        timer = setInterval(() => c.write(":thump\n"), this.options.sseHeartbeatMs);
        this.#clients.add(c);
        this.#wake(accountId);
      },
      cancel: () => {
        clearInterval(timer);
        if (client !== undefined && this.#clients.delete(client)) this.options.onChange();
      },
    });
    return new Response(body, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store" },
    });
  }

  /**
   * Sends an event to every stream of `accountId` subscribed to a channel carrying it. Returns how
   * many copies went out now (a disordered notification may go later, or never).
   */
  publish(
    accountId: string,
    event: StreamEvent,
    payload: string,
    timeline: "home" | "notifications" | null = null,
  ): number {
    const sends: (() => void)[] = [];
    // Mastodon's `user` stream reads the account's home timeline and its
    // notifications timeline; `user:notification` reads only the latter.
    const wanted = timeline === null
      ? channelsFor(event)
      : timeline === "home"
      ? ["user"]
      : ["user", "user:notification"];
    for (const c of this.#clients) {
      if (c.accountId !== accountId) continue;
      if (c.kind === "sse") {
        if (!wanted.includes(c.channel)) continue;
        // A held event reaches only a stream still open when it goes.
        sends.push(() => {
          if (this.#clients.has(c)) c.write(`event: ${event}\ndata: ${payload}\n\n`);
        });
        continue;
      }
      if (c.socket.readyState !== WebSocket.OPEN) continue;
      for (const sub of c.subscriptions.values()) {
        if (!wanted.includes(sub.channel)) continue;
        sends.push(() => {
          if (c.socket.readyState === WebSocket.OPEN) {
            c.socket.send(JSON.stringify({ stream: sub.name, event, payload }));
          }
        });
      }
    }
    if (event === "notification" && this.disorder !== null) {
      this.disorder.take(() => sends.forEach((send) => send()));
      return 0;
    }
    for (const send of sends) send();
    return sends.length;
  }

  /**
   * Resolves once `accountId` has a stream receiving notifications (or the
   * given channel). A test waits for this before making events to stream.
   */
  waitForSubscriber(accountId: string, channel: string | null = null): Promise<void> {
    if (this.subscribed(accountId, channel)) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ accountId, channel, resolve });
    return promise;
  }

  subscribed(accountId: string, channel: string | null = null): boolean {
    const ok = (ch: string) =>
      channel === null ? channelsFor("notification").includes(ch) : ch === channel;
    for (const c of this.#clients) {
      if (c.accountId !== accountId) continue;
      if (
        c.kind === "sse" ? ok(c.channel) : [...c.subscriptions.values()].some((s) => ok(s.channel))
      ) {
        return true;
      }
    }
    return false;
  }

  /** Number of open stream connections, for one account or all. */
  connections(accountId?: string): number {
    return [...this.#clients].filter((c) => accountId === undefined || c.accountId === accountId)
      .length;
  }

  /** Closes every stream cleanly (close frame 1001 / end of event stream). */
  closeAll(): void {
    this.disorder?.discard();
    for (const c of [...this.#clients]) {
      if (c.kind === "sse") c.close();
      else {
        try {
          c.socket.close(1001, "Server shutting down");
        } catch { /* already closing */ }
      }
    }
    this.#clients.clear();
  }

  #onMessage(client: WsClient, e: MessageEvent): void {
    if (typeof e.data !== "string") {
      client.socket.close(1003, "The mastodon streaming server does not support binary messages");
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(e.data);
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const { type, stream, ...params } = message as Record<string, unknown>;
    const name = Array.isArray(stream) ? stream[0] : stream;
    if (typeof name !== "string") return;
    const strParams: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === "string") strParams[k] = v;
    if (type === "subscribe") this.#subscribe(client, name, strParams);
    else if (type === "unsubscribe") {
      client.subscriptions.delete(this.#key(name, strParams));
      this.options.onChange();
    }
  }

  #key(channel: string, params: Record<string, string>): string {
    if (channel === "list") return `list:${params.list ?? ""}`;
    if (channel.startsWith("hashtag")) return `${channel}:${(params.tag ?? "").toLowerCase()}`;
    return channel;
  }

  #subscribe(client: WsClient, channel: string, params: Record<string, string>): void {
    const error = (message: string) => {
      if (client.socket.readyState === WebSocket.OPEN) {
        client.socket.send(JSON.stringify({ error: message, status: 400 }));
      }
    };
    if (!CHANNELS.has(channel)) return error("Unknown stream type");
    if (channel.startsWith("hashtag") && !params.tag) return error("Missing tag name parameter");
    if (channel === "list" && !params.list) return error("Missing list name parameter");
    const name = channel === "list"
      ? [channel, params.list ?? ""]
      : channel.startsWith("hashtag")
      ? [channel, params.tag ?? ""]
      : [channel];
    client.subscriptions.set(this.#key(channel, params), { channel, name });
    this.#wake(client.accountId);
  }

  #wake(accountId: string): void {
    this.options.onChange();
    this.#waiters = this.#waiters.filter((w) => {
      if (w.accountId !== accountId || !this.subscribed(accountId, w.channel)) return true;
      w.resolve();
      return false;
    });
  }
}
