/**
 * Checks that an XMPP server really answers on a port: open a client stream and wait
 * for its stream features, which must offer STARTTLS.
 *
 * @module
 */

const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";

/**
 * Connect to `host:port`, open a `jabber:client` stream to `domain` and resolve once the
 * server's `<stream:features/>` offer STARTTLS. Rejects when the connection fails or
 * closes first, when the features lack STARTTLS, or when `signal` aborts.
 */
export async function probeXmppStream(
  host: string,
  port: number,
  domain: string,
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted();
  const conn = await Deno.connect({ hostname: host, port, transport: "tcp" });
  const onAbort = () => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const header = `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' ` +
      `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`;
    await writeAll(conn, new TextEncoder().encode(header));
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(4096);
    let received = "";
    while (!received.includes("</stream:features>")) {
      const n = await conn.read(buffer);
      if (n === null) {
        throw new Error(`the server on ${host}:${port} closed the stream before its features`);
      }
      received += decoder.decode(buffer.subarray(0, n), { stream: true });
      if (received.length > 65536) throw new Error("stream features too long");
    }
    if (!received.includes(NS_TLS)) {
      throw new Error(`the server on ${host}:${port} does not offer STARTTLS`);
    }
    await writeAll(conn, new TextEncoder().encode("</stream:stream>"));
  } catch (error) {
    signal.throwIfAborted();
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
    onAbort();
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += await conn.write(data.subarray(offset));
}
