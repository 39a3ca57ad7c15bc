/**
 * A test stand-in for an XMPP HTTP File Upload host (XEP-0363 GET side):
 * a small HTTP/1.1 server on 127.0.0.1 that serves files a test puts there,
 * with switches for what a real or broken host can do: no Content-Length,
 * chunked bodies, a Content-Length that lies, slow bodies, a body that
 * stops until the test releases it, and 404.
 *
 * It writes HTTP by hand over `Deno.listen` because `Deno.serve` always sets
 * a correct length and cannot send a lying one.
 *
 * ```ts
 * await using host = await UploadHost.start();
 * const url = host.put("cat.png", bytes, { type: "image/png" });
 * host.configure(url, { contentLength: "absent" });
 * ```
 */

/** How one file is served. */
export interface ServeOptions {
  /** Content-Type header; default `application/octet-stream`. */
  type?: string;
  /**
   * `exact` (default): the true length; `absent`: no Content-Length, the body
   * ends when the connection closes; `chunked`: Transfer-Encoding chunked; a
   * number: that Content-Length whatever the body is (a lie when it differs;
   * the connection is closed after the real bytes).
   */
  contentLength?: "exact" | "absent" | "chunked" | number;
  /** Answer 404 instead (the file stays stored). */
  notFound?: boolean;
  /** Send the body in pieces of `chunkSize` bytes, `intervalMs` apart (real time). */
  slow?: { chunkSize: number; intervalMs: number };
  /**
   * Send only this many body bytes, then wait until `release()` (or `close()`)
   * before sending the rest: lets a test act while a download is under way
   * without timing anything.
   */
  stallAfter?: number;
}

export interface HostRequest {
  method: string;
  path: string;
  /** Status code answered. */
  status: number;
  /** Body bytes actually written (0 for HEAD). */
  sent: number;
  /** False when the client went away before the whole body was written. */
  complete: boolean;
  /** The answer is over (written or given up). */
  finished: boolean;
}

interface StoredFile {
  bytes: Uint8Array;
  options: ServeOptions;
}

const encoder = new TextEncoder();

function randomSlot(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class UploadHost implements AsyncDisposable {
  /** Every request answered, in order. */
  readonly requests: HostRequest[] = [];
  readonly #listener: Deno.TcpListener;
  readonly #files = new Map<string, StoredFile>();
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks = new Set<Promise<void>>();
  #releases: (() => void)[] = [];
  #changed: (() => void)[] = [];
  #accepting: Promise<void>;
  #closed = false;

  private constructor(listener: Deno.TcpListener) {
    this.#listener = listener;
    this.#accepting = this.#accept();
  }

  /** Listens on 127.0.0.1 (`port` 0, the default, takes a free one). */
  static start(options: { port?: number } = {}): Promise<UploadHost> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: options.port ?? 0 });
    return Promise.resolve(new UploadHost(listener));
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  /** `http://127.0.0.1:PORT`. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `127.0.0.1:PORT`, as a host list entry would name it. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /**
   * Stores a file under a fresh slot, as an upload service does, and returns
   * its GET URL (`http://127.0.0.1:PORT/upload/<slot>/<name>`).
   */
  put(name: string, bytes: Uint8Array, options: ServeOptions = {}): string {
    if (name === "" || name.includes("/")) throw new Error(`bad file name ${JSON.stringify(name)}`);
    const path = `/upload/${randomSlot()}/${encodeURIComponent(name)}`;
    this.#files.set(path, { bytes, options: { ...options } });
    return `${this.origin}${path}`;
  }

  /** Changes how a stored file is served (merged with what it had). */
  configure(url: string, options: ServeOptions): void {
    const file = this.#files.get(this.#path(url));
    if (file === undefined) throw new Error(`no file at ${url}`);
    file.options = { ...file.options, ...options };
  }

  /** Removes a file: it answers 404 from now on. */
  remove(url: string): void {
    this.#files.delete(this.#path(url));
  }

  /** Lets stalled bodies (`stallAfter`) go on. */
  release(): void {
    const waiting = this.#releases;
    this.#releases = [];
    for (const go of waiting) go();
  }

  /** Number of bodies waiting for `release()`. */
  get stalled(): number {
    return this.#releases.length;
  }

  /** Resolves once `predicate` holds, checked now and after every request event. */
  waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      this.#changed = this.#changed.filter((f) => f !== check);
      reject(new Error(`upload host: condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      this.#changed = this.#changed.filter((f) => f !== check);
      resolve();
    };
    this.#changed.push(check);
    return promise;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.release();
    this.#listener.close();
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    await this.#accepting;
    await Promise.allSettled([...this.#tasks]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #path(url: string): string {
    return url.startsWith("/") ? url : new URL(url).pathname;
  }

  #notify(): void {
    for (const f of [...this.#changed]) f();
  }

  async #accept(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      this.#conns.add(conn);
      const task = this.#serve(conn).finally(() => {
        this.#conns.delete(conn);
        this.#tasks.delete(task);
        try {
          conn.close();
        } catch { /* already closed */ }
      });
      this.#tasks.add(task);
    }
  }

  /** Reads the request head (up to the blank line); null when the client sent none. */
  async #readHead(conn: Deno.Conn): Promise<string | null> {
    const buf = new Uint8Array(8192);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return null;
      head += new TextDecoder().decode(buf.subarray(0, n));
      if (head.length > 16384) return null;
    }
    return head;
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const head = await this.#readHead(conn);
    if (head === null) return;
    const [method = "", target = "/"] = (head.split("\r\n")[0] ?? "").split(" ");
    const path = target.split("?")[0] ?? "/";
    const record: HostRequest = {
      method,
      path,
      status: 0,
      sent: 0,
      complete: false,
      finished: false,
    };
    this.requests.push(record);
    const write = async (bytes: Uint8Array) => {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    };
    const file = this.#files.get(path);
    try {
      if (method !== "GET" && method !== "HEAD") {
        record.status = 405;
        await write(encoder.encode(
          "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ));
        record.complete = true;
        return;
      }
      if (file === undefined || file.options.notFound) {
        record.status = 404;
        const body = encoder.encode("Not Found\n");
        await write(encoder.encode(
          `HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        ));
        if (method === "GET") await write(body);
        record.complete = true;
        return;
      }
      const o = file.options;
      const mode = o.contentLength ?? "exact";
      const lines = [
        "HTTP/1.1 200 OK",
        `Content-Type: ${o.type ?? "application/octet-stream"}`,
        "Connection: close",
      ];
      if (mode === "exact") lines.push(`Content-Length: ${file.bytes.length}`);
      else if (typeof mode === "number") lines.push(`Content-Length: ${mode}`);
      else if (mode === "chunked") lines.push("Transfer-Encoding: chunked");
      record.status = 200;
      await write(encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
      if (method === "HEAD") {
        record.complete = true;
        return;
      }
      await this.#body(file, write, (n) => {
        record.sent += n;
        this.#notify();
      });
      record.complete = true;
    } catch {
      // The client went away; `complete` stays false.
    } finally {
      record.finished = true;
      this.#notify();
    }
  }

  async #body(
    file: StoredFile,
    write: (b: Uint8Array) => Promise<void>,
    sent: (n: number) => void,
  ): Promise<void> {
    const o = file.options;
    const chunked = o.contentLength === "chunked";
    const send = async (piece: Uint8Array) => {
      if (piece.length === 0) return;
      if (chunked) await write(encoder.encode(`${piece.length.toString(16)}\r\n`));
      await write(piece);
      if (chunked) await write(encoder.encode("\r\n"));
      sent(piece.length);
    };
    const size = o.slow?.chunkSize ?? file.bytes.length;
    let off = 0;
    let stalled = o.stallAfter === undefined;
    while (off < file.bytes.length) {
      let end = Math.min(file.bytes.length, off + Math.max(1, size));
      if (!stalled && o.stallAfter !== undefined && end > o.stallAfter) {
        end = Math.max(off, o.stallAfter);
        await send(file.bytes.subarray(off, end));
        off = end;
        stalled = true;
        if (!this.#closed) {
          const { promise, resolve } = Promise.withResolvers<void>();
          this.#releases.push(resolve);
          this.#notify();
          await promise;
        }
        if (this.#closed) return;
        continue;
      }
      await send(file.bytes.subarray(off, end));
      off = end;
      if (o.slow && off < file.bytes.length) {
        await new Promise((r) => setTimeout(r, o.slow?.intervalMs ?? 0));
      }
    }
    if (chunked) await write(encoder.encode("0\r\n\r\n"));
  }
}
