/**
 * A TCP relay on 127.0.0.1 in front of a test server whose connections the test can cut at
 * once, as a network failure would (both sides see the socket close; the server keeps a
 * stream-management session for resumption). TLS goes through untouched: the client still
 * checks the certificate against the XMPP domain.
 *
 * @module
 */

interface Pair {
  readonly client: Deno.TcpConn;
  readonly server: Deno.TcpConn;
  readonly done: Promise<unknown>;
}

export class LinkCutter implements AsyncDisposable {
  readonly host = "127.0.0.1";
  readonly #listener: Deno.TcpListener;
  readonly #pairs = new Set<Pair>();
  readonly #accepting: Promise<void>;
  #cuts = 0;
  #closed = false;

  private constructor(listener: Deno.TcpListener, targetPort: number) {
    this.#listener = listener;
    this.#accepting = this.#accept(targetPort);
  }

  /** Relays a free port of 127.0.0.1 to `targetPort` on 127.0.0.1. */
  static start(targetPort: number): LinkCutter {
    return new LinkCutter(Deno.listen({ hostname: "127.0.0.1", port: 0 }), targetPort);
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  /** How many connections {@link cut} closed so far. */
  get cuts(): number {
    return this.#cuts;
  }

  /** Closes every relayed connection now; returns how many there were. */
  cut(): number {
    const pairs = [...this.#pairs];
    for (const pair of pairs) this.#close(pair);
    this.#cuts += pairs.length;
    return pairs.length;
  }

  /** Stops relaying: cuts every connection and refuses new ones (the server seems gone). */
  close(): Promise<void> {
    return this[Symbol.asyncDispose]();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    await this.#accepting;
    const pending = [...this.#pairs].map((p) => p.done);
    this.cut();
    await Promise.allSettled(pending);
  }

  async #accept(targetPort: number): Promise<void> {
    try {
      for await (const client of this.#listener) {
        let server: Deno.TcpConn;
        try {
          server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        } catch {
          client.close();
          continue;
        }
        const pair: Pair = {
          client,
          server,
          done: Promise.allSettled([
            client.readable.pipeTo(server.writable),
            server.readable.pipeTo(client.writable),
          ]).then(() => this.#close(pair)),
        };
        this.#pairs.add(pair);
      }
    } catch {
      // The listener was closed.
    }
  }

  #close(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    for (const conn of [pair.client, pair.server]) {
      try {
        conn.close();
      } catch {
        // Closed already (pipeTo closes the destination when its source ends).
      }
    }
  }
}
