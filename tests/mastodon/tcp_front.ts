/**
 * The public face of the test server: a TCP relay on 127.0.0.1 in front of
 * the HTTP server. Owning the sockets gives the connection-level faults that
 * `Deno.serve` alone cannot make:
 *
 * - down/up: the listener closes (new connections are refused) and every
 *   open connection is cut; later it listens again on the same port;
 * - drop streams: WebSocket and event-stream connections are cut at the TCP
 *   level, without a WebSocket close frame (an unclean close: code 1006 in
 *   browsers, 0 in Deno's client);
 * - stall streams: nothing more is forwarded on the open stream connections,
 *   in either direction, pings and pongs included; what arrives meanwhile is
 *   held and delivered on resume. New connections are not stalled.
 */

interface Relay {
  client: Deno.Conn;
  upstream: Deno.Conn;
  upstreamPort: number;
  stream: boolean;
  stalled: boolean;
  resume: PromiseWithResolvers<void>;
  closed: boolean;
  done: Promise<void>;
}

async function writeAll(conn: Deno.Conn, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) offset += await conn.write(chunk.subarray(offset));
}

export class TcpFront {
  #listener: Deno.Listener | null = null;
  #accepting: Promise<void> = Promise.resolve();
  #relays = new Set<Relay>();
  #byUpstreamPort = new Map<number, Relay>();
  #port = 0;

  constructor(private readonly targetPort: number) {}

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#listener !== null;
  }

  /** Starts listening; port 0 takes a free port the first time, then keeps it. */
  listen(port = this.#port): number {
    if (this.#listener !== null) return this.#port;
    const listener = Deno.listen({ hostname: "127.0.0.1", port, transport: "tcp" });
    this.#listener = listener;
    this.#port = listener.addr.port;
    this.#accepting = this.#acceptLoop(listener);
    return this.#port;
  }

  /** Stops listening and cuts every open connection. */
  async down(): Promise<void> {
    const listener = this.#listener;
    this.#listener = null;
    if (listener !== null) {
      try {
        listener.close();
      } catch { /* already closed */ }
    }
    for (const r of [...this.#relays]) this.#close(r);
    // The accept loop waits for its relays, the last ones included.
    await this.#accepting;
  }

  /** Called by the HTTP side when a connection turns into a WebSocket or event stream. */
  markStream(upstreamPort: number): void {
    const relay = this.#byUpstreamPort.get(upstreamPort);
    if (relay !== undefined) relay.stream = true;
  }

  /** Cuts every stream connection; returns how many were cut. */
  async dropStreams(): Promise<number> {
    const streams = [...this.#relays].filter((r) => r.stream);
    for (const r of streams) this.#close(r);
    await Promise.all(streams.map((r) => r.done));
    return streams.length;
  }

  /** Stops forwarding on the open stream connections; returns how many. */
  stallStreams(): number {
    let n = 0;
    for (const r of this.#relays) {
      if (r.stream && !r.stalled) {
        r.stalled = true;
        r.resume = Promise.withResolvers<void>();
        n++;
      }
    }
    return n;
  }

  resumeStreams(): void {
    for (const r of this.#relays) {
      if (r.stalled) {
        r.stalled = false;
        r.resume.resolve();
      }
    }
  }

  get streamCount(): number {
    return [...this.#relays].filter((r) => r.stream).length;
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    const pending = new Set<Promise<void>>();
    try {
      for await (const client of listener) {
        const p = this.#relay(client);
        pending.add(p);
        p.finally(() => pending.delete(p));
      }
    } catch { /* listener closed */ }
    await Promise.all(pending);
  }

  async #relay(client: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.targetPort });
    } catch {
      client.close();
      return;
    }
    const upstreamPort = (upstream.localAddr as Deno.NetAddr).port;
    const relay: Relay = {
      client,
      upstream,
      upstreamPort,
      stream: false,
      stalled: false,
      resume: Promise.withResolvers<void>(),
      closed: false,
      done: Promise.resolve(),
    };
    this.#relays.add(relay);
    this.#byUpstreamPort.set(upstreamPort, relay);
    if (this.#listener === null) this.#close(relay);
    relay.done = Promise.all([
      this.#forward(relay, client, upstream),
      this.#forward(relay, upstream, client),
    ]).then(() => {});
    await relay.done;
  }

  async #forward(relay: Relay, from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(32 * 1024);
    let chain: Promise<void> = Promise.resolve();
    try {
      while (!relay.closed) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.slice(0, n);
        chain = chain.then(() => this.#deliver(relay, to, chunk));
        if (!relay.stalled) await chain;
      }
    } catch { /* connection cut */ }
    this.#close(relay);
    await chain;
  }

  async #deliver(relay: Relay, to: Deno.Conn, chunk: Uint8Array): Promise<void> {
    while (relay.stalled && !relay.closed) await relay.resume.promise;
    if (relay.closed) return;
    try {
      await writeAll(to, chunk);
    } catch {
      this.#close(relay);
    }
  }

  #close(relay: Relay): void {
    if (relay.closed) return;
    relay.closed = true;
    relay.resume.resolve();
    for (const conn of [relay.client, relay.upstream]) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    this.#relays.delete(relay);
    this.#byUpstreamPort.delete(relay.upstreamPort);
  }
}
