/**
 * Small helpers the test server's own tests use to talk to it over real
 * HTTP and WebSocket connections.
 */

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface CallOptions {
  token?: string | null;
  /** Sent as JSON, or as a form when `form` is true. */
  body?: Record<string, string | string[] | number | boolean>;
  form?: boolean;
  headers?: Record<string, string>;
}

/** One request; the body is read fully (parsed when JSON). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: BodyInit | undefined;
  if (options.body !== undefined && options.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(options.body)) {
      if (Array.isArray(v)) { for (const item of v) form.append(`${k}[]`, item); }
      else form.append(k, String(v));
    }
    body = form;
  } else if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body ? { body } : {}) });
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.startsWith("application/json") ?? false;
  return {
    status: res.status,
    headers: res.headers,
    body: isJson && text !== "" ? JSON.parse(text) : text,
  };
}

/** A record view of a JSON answer, for property access in assertions. */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`not an object: ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

export function list(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value.map(obj);
}

/** A WebSocket whose messages can be awaited one by one. */
export class TestSocket {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  #queue: string[] = [];
  #waiting: ((m: string) => void)[] = [];

  constructor(url: string, options: WebSocketOptions = {}) {
    this.socket = new WebSocket(url, options);
    const opened = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<CloseEvent>();
    this.opened = opened.promise;
    this.closed = closed.promise;
    this.socket.onopen = () => opened.resolve();
    this.socket.onerror = () => opened.reject(new Error("WebSocket failed to open"));
    this.socket.onclose = (e) => {
      opened.reject(new Error("WebSocket closed before opening"));
      closed.resolve(e);
    };
    this.opened.catch(() => {});
    this.socket.onmessage = (e) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(String(e.data));
      else this.#queue.push(String(e.data));
    };
  }

  /** The next message, parsed as JSON; fails after `timeoutMs` so a broken test cannot hang. */
  next(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued));
    return new Promise((resolve, reject) => {
      const waiter = (m: string) => {
        clearTimeout(timer);
        resolve(JSON.parse(m));
      };
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.push(waiter);
    });
  }

  get pending(): number {
    return this.#queue.length;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

/** A valid PNG header (IHDR with the given size) followed by filler bytes. */
export function pngBytes(width: number, height: number, extra = 0): Uint8Array {
  const bytes = new Uint8Array(33 + extra);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}
